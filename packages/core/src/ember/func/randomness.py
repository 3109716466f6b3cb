"""vmap's ``randomness`` modes: ``'error'`` refuses any random draw in the mapped function, ``'different'``
lets each sample draw its own numbers, ``'same'`` replays the first sample's draws for every other one (the
generators' states are restored between samples)."""
from __future__ import annotations

from .. import _generator

_MODES = ("error", "different", "same")
_REFUSED = ("vmap: called random operation while in randomness error mode. Please either use the 'same' or "
            "'different' randomness flags on vmap or perform the randomness operation out of vmap")


def check_randomness(randomness: str) -> None:
    if randomness not in _MODES:
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. Got {randomness}")


class Randomness:
    """The mode in force while the mapped function runs (``with Randomness(mode):``), told of each draw."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self._first_states: dict = {}  # generator -> its state before the first sample drew from it

    def __enter__(self) -> Randomness:
        if self.mode != "different":
            _generator.draw_hooks.append(self._on_draw)
        return self

    def __exit__(self, *exc_info) -> None:
        if self.mode != "different":
            _generator.draw_hooks.remove(self._on_draw)

    def _on_draw(self, generator: _generator.Generator) -> None:
        if self.mode == "error":
            raise RuntimeError(_REFUSED)
        if generator not in self._first_states:
            self._first_states[generator] = generator.get_state()

    def next_sample(self) -> None:
        """Before each sample after the first: under ``'same'``, rewind the generators drawn from."""
        for generator, state in self._first_states.items():
            generator.set_state(state)
