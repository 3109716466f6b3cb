"""Run many generated programs, group the divergences by signature and shrink one per group."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .generator import generate
from .known_divergences import KNOWN_DIVERGENCES
from .program import Program
from .runner import Divergence, run_program
from .shrinker import shrink


@dataclass
class Group:
    """The programs that diverge with one signature; `smallest` is the shortest of them."""

    count: int
    seed: int
    smallest: Program
    divergence: Divergence
    minimal: Program | None = None


@dataclass
class Campaign:
    programs: int = 0
    agreed: int = 0
    gaps: int = 0
    groups: dict[str, Group] = field(default_factory=dict)
    harness_errors: list[str] = field(default_factory=list)

    @property
    def agreement(self) -> float:
        return self.agreed / self.programs if self.programs else 1.0

    def report(self) -> str:
        """The agreement rate, then each signature with its count, whether it is known, and its reproducer."""
        known = {entry.signature for entry in KNOWN_DIVERGENCES}
        lines = [
            f"{self.programs} programs, {self.agreed} agree ({100 * self.agreement:.1f}%), "
            f"{self.gaps} stopped at a PyTorch kernel gap, {len(self.groups)} distinct divergences",
            *(f"HARNESS ERROR {error}" for error in self.harness_errors),
            "",
        ]
        ordered = sorted(self.groups.items(), key=lambda item: -item[1].count)
        for number, (signature, group) in enumerate(ordered, 1):
            status = "known" if signature in known else "NEW"
            program = group.minimal or group.smallest
            lines += [
                f"## {number}. [{status}] {signature}",
                f"{group.count} programs (e.g. seed {group.seed}); {group.divergence.describe()}",
                "```python",
                program.source(header=False),
                "```",
                "",
            ]
        return "\n".join(lines)


def run_campaign(
    seeds: Iterable[int], ember: Any, torch: Any, time_limit: float | None = None, shrink_groups: bool = True
) -> Campaign:
    """Generate and run the program of every seed (until `time_limit` seconds have passed), then shrink
    the smallest program of each signature."""
    campaign = Campaign()
    start = time.monotonic()
    for seed in seeds:
        if time_limit is not None and time.monotonic() - start > time_limit:
            break
        program = generate(seed, torch)
        campaign.programs += 1
        try:
            outcome = run_program(program, ember, torch)
        except Exception as error:  # noqa: BLE001 - a bug of the harness: reported, the campaign goes on
            campaign.harness_errors.append(f"seed {seed}: {type(error).__name__}: {error}")
            continue
        campaign.gaps += outcome.gap
        divergence = outcome.divergence
        if divergence is None:
            campaign.agreed += 1
            continue
        group = campaign.groups.get(divergence.signature)
        if group is None:
            campaign.groups[divergence.signature] = Group(1, seed, program, divergence)
            continue
        group.count += 1
        if len(program) < len(group.smallest):
            group.seed, group.smallest, group.divergence = seed, program, divergence
    if shrink_groups:
        for signature, group in campaign.groups.items():
            group.minimal = shrink(group.smallest, ember, torch, signature)
            group.divergence = run_program(group.minimal, ember, torch).divergence or group.divergence
    return campaign
