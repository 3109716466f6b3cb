"""`ember.random`: seeding and saving the default generators (PyTorch's ``torch.random``)."""
from __future__ import annotations

from ._generator import fork_rng, get_rng_state, initial_seed, manual_seed, seed, set_rng_state

__all__ = ["fork_rng", "get_rng_state", "initial_seed", "manual_seed", "seed", "set_rng_state"]
