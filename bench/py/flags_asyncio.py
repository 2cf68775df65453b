#!/usr/bin/env python3
"""flags_asyncio.py - Fluent Python 2nd ed., chapter 20: download flags with
asyncio and one httpx.AsyncClient.  Same command line as flags.py; -w N caps
the transfers at once with a semaphore (as the book's flags2_asyncio.py
does), and the client's pool is sized to match.  Without httpx, a stdlib
stand-in speaks HTTP/1.1 over asyncio streams."""
import asyncio
import sys
import urllib.parse

import flags
from flags import main, save_flag

try:
    from httpx import AsyncClient, Limits
except ImportError:
    AsyncClient = None

WORKERS = None


async def get_flag(client, cc: str) -> bytes:
    url = f'{flags.BASE_URL}/{cc}/{cc}.gif'.lower()
    if client is None:
        return await get_flag_streams(url)
    resp = await client.get(url, timeout=flags.TIMEOUT, follow_redirects=True)
    resp.raise_for_status()
    return resp.read()


async def get_flag_streams(url: str, redirects: int = 20) -> bytes:
    """The stand-in: GET with Connection: close, 3xx followed, non-2xx raised."""
    for _ in range(redirects + 1):
        u = urllib.parse.urlsplit(url)
        port = u.port or (443 if u.scheme == 'https' else 80)
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(u.hostname, port, ssl=u.scheme == 'https'), flags.TIMEOUT)
        path = (u.path or '/') + (f'?{u.query}' if u.query else '')
        writer.write(f'GET {path} HTTP/1.1\r\nHost: {u.netloc}\r\nConnection: close\r\n\r\n'.encode())
        data = await asyncio.wait_for(reader.read(), flags.TIMEOUT)
        writer.close()
        head, _, body = data.partition(b'\r\n\r\n')
        lines = head.decode('latin-1').split('\r\n')
        status = int(lines[0].split()[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in (x.partition(':') for x in lines[1:])}
        if status in (301, 302, 303, 307, 308) and 'location' in fields:
            url = urllib.parse.urljoin(url, fields['location'])
            continue
        if not 200 <= status < 300:
            raise RuntimeError(f'HTTP error {status}')
        return body
    raise RuntimeError('too many redirects')


async def download_one(client, cc: str, sem: asyncio.Semaphore):
    async with sem:
        image = await get_flag(client, cc)
    save_flag(image, f'{cc}.gif')
    print(cc, end=' ', flush=True)
    return cc


async def supervisor(cc_list: list[str]) -> int:
    # the book gathers everything at once: a semaphore as big as the list
    sem = asyncio.Semaphore(WORKERS or len(cc_list) or 1)
    if AsyncClient is None:
        to_do = [download_one(None, cc, sem) for cc in sorted(cc_list)]
        return len(await asyncio.gather(*to_do))
    limits = Limits(max_connections=max(WORKERS or 100, 1))
    async with AsyncClient(limits=limits) as client:
        to_do = [download_one(client, cc, sem) for cc in sorted(cc_list)]
        res = await asyncio.gather(*to_do)
    return len(res)


def download_many(cc_list: list[str]) -> int:
    return asyncio.run(supervisor(cc_list))


if __name__ == '__main__':
    args = flags.parse_args()
    WORKERS = args.workers
    if AsyncClient is None:
        print('flags_asyncio.py: httpx not installed; using the asyncio-streams stand-in',
              file=sys.stderr)
    main(download_many, args)
