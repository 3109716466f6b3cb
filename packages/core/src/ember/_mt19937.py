"""PyTorch's CPU generator (ATen's ``CPUGeneratorImpl``): an mt19937 stream seeded by ``init_genrand``, the
normal samples Box-Muller caches, and the 5056-byte state of ``get_rng_state``, so that a seed gives
PyTorch's CPU numbers. numpy's MT19937 with its legacy seeding produces the same 32-bit words, fast.
"""
from __future__ import annotations

import struct

import numpy as np

_N = 624  # MERSENNE_STATE_N
# CPUGeneratorImplState: the legacy pod (seed, left, seeded, next, state[624], normal_x, normal_y, normal_rho,
# normal_is_valid + padding), then next_float_normal_sample and its valid flag (+ padding): 5056 bytes.
_HEAD = struct.Struct("<qiiQ")
_TAIL = struct.Struct("<dddi4xf?3x")
STATE_SIZE = _HEAD.size + 8 * _N + _TAIL.size
# below these many 32-bit (64-bit) words numpy's raw output costs less per call than its integer sampler
_FEW, _FEW_WIDE = 32768, 4096


def _high_first() -> bool:
    """Whether numpy's full-range uint64 draws from MT19937 are two words, the first the high half, as
    ``random64``'s (C leaves the order of the two draws in its expression to the compiler)."""
    bits = np.random.MT19937(0)
    bits._legacy_seeding(0)
    words = bits.random_raw(2)
    bits._legacy_seeding(0)
    pair = np.random.Generator(bits).integers(0, (1 << 64) - 1, size=1, dtype=np.uint64, endpoint=True)[0]
    return int(pair) == int(words[0]) << 32 | int(words[1])


_HIGH_FIRST = _high_first()


class MT19937Engine:
    """One CPU generator's state: the mt19937 words (numpy's `bits`), the seed it started from and the
    cached second normal samples of the double and float Box-Muller draws (None when not cached)."""

    def __init__(self, seed: int) -> None:
        self.bits = np.random.MT19937(0)
        self._words = np.random.Generator(self.bits)
        self.manual_seed(seed)

    def manual_seed(self, seed: int) -> None:
        """Restart from `seed` (a uint64; mt19937 takes its low 32 bits), as ``CPUGeneratorImpl::set_current_seed``."""
        self.initial_seed = seed
        self.bits._legacy_seeding(seed & 0xFFFF_FFFF)
        self._parked_next = 0  # PyTorch's `next_` while numpy waits to regenerate its block (pos 624)
        self.next_double_normal: float | None = None
        self.next_float_normal: float | None = None

    def random(self, n: int) -> np.ndarray:
        """`n` 32-bit words (``CPUGeneratorImpl::random``), as uint32."""
        if n > 0:
            self._parked_next = _N
        if n >= _FEW:
            return self._words.integers(0, 1 << 32, size=n, dtype=np.uint32)  # the whole range: the raw words
        return self.bits.random_raw(n).astype(np.uint32)

    def random64(self, n: int) -> np.ndarray:
        """`n` 64-bit words (``random64``): two 32-bit draws each, the first the high half."""
        if n > 0:
            self._parked_next = _N
        if n >= _FEW_WIDE and _HIGH_FIRST:
            return self._words.integers(0, (1 << 64) - 1, size=n, dtype=np.uint64, endpoint=True)
        pairs = self.bits.random_raw(2 * n)
        high = pairs[0::2] << np.uint64(32)
        high |= pairs[1::2]
        return high

    def host(self) -> np.random.Generator:
        """numpy's samplers over the same words (for draws ATen makes with samplers ember does not port)."""
        return np.random.Generator(self.bits)

    def get_state(self) -> bytes:
        """The state in ``CPUGeneratorImplState``'s layout (``torch.get_rng_state``'s bytes)."""
        state = self.bits.state["state"]
        pos = int(state["pos"])
        next_ = self._parked_next if pos == _N else pos
        double_valid, float_valid = self.next_double_normal is not None, self.next_float_normal is not None
        return b"".join((
            _HEAD.pack(np.int64(np.uint64(self.initial_seed)).item(), _N + 1 - pos, 1, next_),
            np.asarray(state["key"], dtype="<u8").tobytes(),
            _TAIL.pack(0.0, self.next_double_normal if double_valid else 0.0, 0.0, int(double_valid),
                       self.next_float_normal if float_valid else 0.0, float_valid)))

    def set_state(self, data: bytes) -> None:
        """Restore a `get_state`; ValueError for another size or an invalid mt19937 state, as
        ``CPUGeneratorImpl::set_state`` checks them."""
        if len(data) != STATE_SIZE:
            raise ValueError(f"Expected a CPUGeneratorImplState of size {STATE_SIZE} but found the input RNG "
                             f"state size to be {len(data)}")
        seed, left, seeded, next_ = _HEAD.unpack_from(data)
        if not (seeded and 0 < left <= _N and next_ <= _N):
            raise ValueError("Invalid mt19937 state")
        key = np.frombuffer(data, dtype="<u8", count=_N, offset=_HEAD.size).astype(np.uint32)
        _, normal_y, _, normal_valid, float_normal, float_valid = _TAIL.unpack_from(data, _HEAD.size + 8 * _N)
        self.bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": _N + 1 - left}}
        self.initial_seed = seed & 0xFFFF_FFFF_FFFF_FFFF
        self._parked_next = next_
        self.next_double_normal = normal_y if normal_valid else None
        self.next_float_normal = float_normal if float_valid else None
