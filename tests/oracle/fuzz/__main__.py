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
    parser.add_argument("--emit-known", action="store_true",
                        help="print the new signatures as entries for known_divergences.py (reasons to fill in)")
    args = parser.parse_args(argv)

    import torch

    import ember

    from .campaign import run_campaign

    torch.set_num_threads(1)
    limit = None if args.minutes is None else 60 * args.minutes
    campaign = run_campaign(range(args.first, args.first + args.programs), ember, torch, time_limit=limit)
    report = campaign.report()
    print(report)
    if args.emit_known:
        from .known_divergences import KNOWN_DIVERGENCES, entry_source

        known = {entry.signature for entry in KNOWN_DIVERGENCES}
        for signature, group in sorted(campaign.groups.items()):
            if signature not in known:
                print(entry_source(signature, "", group.minimal.source(header=False)))
    if args.output:
        with open(args.output, "w") as file:
            file.write(report + "\n")
    return 0 if campaign.agreed == campaign.programs else 1


if __name__ == "__main__":
    sys.exit(main())
