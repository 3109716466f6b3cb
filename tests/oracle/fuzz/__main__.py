"""A large fuzzing budget on demand: `PYTHONPATH=...:tests/oracle python3 -m fuzz --programs 30000`.

Prints the agreement rate and one shrunk reproducer per failure signature (known ones marked).
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m fuzz", description=__doc__)
    parser.add_argument("--programs", type=int, default=3000, help="number of programs (seeds from --first)")
    parser.add_argument("--first", type=int, default=0, help="first seed")
    parser.add_argument("--minutes", type=float, default=None, help="stop generating after this many minutes")
    parser.add_argument("--output", default=None, help="also write the report to this file")
    args = parser.parse_args(argv)

    import ember
    import torch

    from .campaign import run_campaign

    torch.set_num_threads(1)
    limit = None if args.minutes is None else 60 * args.minutes
    campaign = run_campaign(range(args.first, args.first + args.programs), ember, torch, time_limit=limit)
    report = campaign.report()
    print(report)
    if args.output:
        with open(args.output, "w") as file:
            file.write(report + "\n")
    return 0 if campaign.agreed == campaign.programs else 1


if __name__ == "__main__":
    sys.exit(main())
