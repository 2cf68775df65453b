#!/usr/bin/env python3
"""flags.py - Fluent Python 2nd ed., chapter 20: download flags sequentially.

The book's program, unchanged in what it does (httpx.get with timeout=6.1 and
follow_redirects=True, raise_for_status, sorted order, the same output), plus
a small command line so the benchmark can point it at a local server:

    flags.py [--site URL] [-w N (ignored)] [-o DIR] [CC ...]

Without httpx it falls back to a stdlib stand-in (urllib) with the same
behaviour, and says so on stderr."""
import argparse
import sys
import time
from pathlib import Path
from typing import Callable

try:
    import httpx
except ImportError:  # stdlib stand-in, see get_flag_urllib
    httpx = None

POP20_CC = ('CN IN US ID BR PK NG BD RU KR MX PH VN ET EG DE IR TR CD FR').split()

BASE_URL = 'https://www.fluentpython.com/data/flags'
DEST_DIR = Path('downloaded')
TIMEOUT = 6.1


def save_flag(img: bytes, filename: str) -> None:
    (DEST_DIR / filename).write_bytes(img)


def get_flag_urllib(url: str) -> bytes:
    import urllib.request
    # urllib follows redirects and raises HTTPError for 4xx/5xx, as
    # follow_redirects=True + raise_for_status() do.
    with urllib.request.urlopen(url, timeout=TIMEOUT) as resp:
        return resp.read()


def get_flag(cc: str) -> bytes:
    url = f'{BASE_URL}/{cc}/{cc}.gif'.lower()
    if httpx is None:
        return get_flag_urllib(url)
    resp = httpx.get(url, timeout=TIMEOUT, follow_redirects=True)
    resp.raise_for_status()
    return resp.content


def download_many(cc_list: list[str]) -> int:
    for cc in sorted(cc_list):
        image = get_flag(cc)
        save_flag(image, f'{cc}.gif')
        print(cc, end=' ', flush=True)
    return len(cc_list)


def parse_args() -> argparse.Namespace:
    """--site, -w, -o and codes: the knobs quiver flags has, so the benchmark
    runs both the same way."""
    global BASE_URL, DEST_DIR
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--site', default=BASE_URL)
    ap.add_argument('-w', '--workers', type=int, default=None)
    ap.add_argument('-o', '--output-dir', default=str(DEST_DIR))
    ap.add_argument('cc', nargs='*')
    args = ap.parse_args()
    BASE_URL = args.site.rstrip('/')
    DEST_DIR = Path(args.output_dir)
    args.cc = [c.upper() for c in args.cc] or POP20_CC
    if httpx is None:
        print('flags.py: httpx not installed; using the urllib stand-in', file=sys.stderr)
    return args


def main(downloader: Callable[[list[str]], int], args: argparse.Namespace = None) -> None:
    args = args or parse_args()
    DEST_DIR.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    count = downloader(args.cc)
    elapsed = time.perf_counter() - t0
    print(f'\n{count} downloads in {elapsed:.2f}s')


if __name__ == '__main__':
    main(download_many)
