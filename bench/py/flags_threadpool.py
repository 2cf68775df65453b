#!/usr/bin/env python3
"""flags_threadpool.py - Fluent Python 2nd ed., chapter 20: download flags
with a ThreadPoolExecutor (default workers min(32, os.cpu_count() + 4);
-w N sets max_workers).  Same command line as flags.py."""
from concurrent import futures

import flags
from flags import get_flag, main, save_flag

WORKERS = None


def download_one(cc: str):
    image = get_flag(cc)
    save_flag(image, f'{cc}.gif')
    print(cc, end=' ', flush=True)
    return cc


def download_many(cc_list: list[str]) -> int:
    with futures.ThreadPoolExecutor(max_workers=WORKERS) as executor:
        res = executor.map(download_one, sorted(cc_list))
    return len(list(res))


if __name__ == '__main__':
    args = flags.parse_args()
    WORKERS = args.workers
    main(download_many, args)
