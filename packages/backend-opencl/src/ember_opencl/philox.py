"""Random numbers from Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11;
the generator of Random123, cuRAND and PyTorch's CUDA backend), counter-based: a block of four 32-bit words
is a pure function of a 128-bit counter and a 64-bit key, so a draw keeps no state on the device.

The key is the seed; the generator's only state is its offset, the number of counter blocks used so far,
kept on the host (a draw never synchronises). A draw whose elements need `w` words each (w divides 4) gives
element i words (i * w) % 4 .. + w - 1 of block offset + (i * w) / 4 (counter words 0-1, little end first)
and moves the offset past its last block: the same seed gives the same values on every device, as PyTorch's
CUDA generators do, and each device's default generator keeps its own offset.
"""
from __future__ import annotations

import struct

import numpy as np

from . import elementwise, program
from .memory import empty

# The Philox4x32-10 bijection, as Random123's philox4x32_R(10, ...): ten rounds of two 32x32->64-bit
# multiplies, the key bumped by the Weyl constants between rounds.
SOURCE = """
uint4 philox4x32_10(uint4 c, uint2 k) {
    for (int round = 0; round < 10; round++) {
        if (round) { k.x += 0x9E3779B9u; k.y += 0xBB67AE85u; }
        const uint hi0 = mul_hi(0xD2511F53u, c.x), lo0 = 0xD2511F53u * c.x;
        const uint hi1 = mul_hi(0xCD9E8D57u, c.z), lo1 = 0xCD9E8D57u * c.z;
        c = (uint4)(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
    }
    return c;
}
"""

# Element i's `w` words as a uint4 (the first w lanes used): its block under key `seed` from counter `offset`.
_WORDS = SOURCE + """
uint4 draw_words(ulong seed, ulong offset, long i, int w) {
    const ulong block = offset + (ulong)(i * w) / 4;
    const uint2 key = (uint2)((uint)seed, (uint)(seed >> 32));
    const uint4 r = philox4x32_10((uint4)((uint)block, (uint)(block >> 32), 0, 0), key);
    const int first = (int)((i * w) % 4);
    return first == 0 ? r : first == 1 ? r.yzwx : first == 2 ? r.zwxy : r.wxyz;
}
float unitf(uint x) { return (float)(x >> 8) * 0x1.0p-24f; }
float unith(uint x) { return (float)(x >> 21) * 0x1.0p-11f; }
"""
_DOUBLE = """
double unit(uint high, uint low) { return (double)(((ulong)high << 21) | (low >> 11)) * 0x1.0p-53; }
"""

_STATE = struct.Struct("<8sQQ")
_TAG = b"philox10"


class Generator:
    """A Philox stream: the key (the seed, uint64) and the offset (counter blocks used), both on the host."""

    __slots__ = ("seed", "offset")

    def __init__(self, seed: int) -> None:
        self.seed = np.uint64(seed % 2**64)
        self.offset = 0

    def take(self, elements: int, words: int) -> np.uint64:
        """The first counter block of a draw of `elements` x `words` words, moving the offset past it."""
        first = self.offset
        self.offset = (first + -(-elements * words // 4)) % 2**64
        return np.uint64(first)


def new_generator(seed: int, index: int) -> Generator:
    """Device `index`'s generator for `seed` (the same stream on every device, as PyTorch's CUDA ones)."""
    return Generator(seed)


def get_state(gen: Generator) -> bytes:
    return _STATE.pack(_TAG, int(gen.seed), gen.offset)


def set_state(gen: Generator, state: bytes) -> Generator:
    """`gen` put at a `get_state` (seed and offset); ValueError for bytes that are not one."""
    if len(state) != _STATE.size or state[:len(_TAG)] != _TAG:
        raise ValueError(f"not an OpenCL Philox generator state ({len(state)} bytes, expected {_STATE.size} "
                         f"starting {_TAG!r})")
    _, seed, offset = _STATE.unpack(state)
    gen.seed, gen.offset = np.uint64(seed), offset
    return gen


def _draw(shape, dtype, gen: Generator, index: int, words: int, body: str, first: float, second: float):
    """A new array of `shape` whose element i is `body` over its `words` words of the stream (read by
    `body` as the lanes of `w`) and the distribution's parameters `p`, `q` (kernel arguments: one program
    for every bounds, means and deviations), all in one kernel; the offset moves past the blocks it used."""
    result = empty(shape, dtype, index=index)
    t = program.value_type(dtype.numpy)
    helpers = _WORDS + (_DOUBLE if t == "double" else "") + f"""
{t} sample(ulong seed, ulong offset, long i, {t} p, {t} q) {{
    const uint4 w = draw_words(seed, offset, i, {words});
    return {body};
}}"""
    wide, key = np.dtype(np.float64 if t == "double" else np.float32), np.dtype(np.uint64)
    return elementwise.run(result.device, "sample(a, b, i, c, d)", helpers, result,
                           [gen.seed, gen.take(result.size, words), first, second], [key, key, wide, wide])


def uniform(shape, low, high, dtype, gen, *, index=0):
    """Uniform on [low, high): 11 random bits per float16 (so that rounding to half never reaches 1),
    24 per float32, 53 per float64."""
    if dtype.numpy == np.float64:
        return _draw(shape, dtype, gen, index, 2, "p + unit(w.x, w.y) * q", low, high - low)
    unit = "unith" if dtype.numpy == np.float16 else "unitf"
    return _draw(shape, dtype, gen, index, 1, f"p + {unit}(w.x) * q", low, high - low)


def normal(shape, mean, std, dtype, gen, *, index=0):
    """Box-Muller on two uniforms per element (1 - u keeps the logarithm finite)."""
    if dtype.numpy == np.float64:
        return _draw(shape, dtype, gen, index, 4,
                     "p + q * sqrt(-2 * log(1 - unit(w.x, w.y))) * cospi(2 * unit(w.z, w.w))", mean, std)
    return _draw(shape, dtype, gen, index, 2, "p + q * sqrt(-2 * log(1 - unitf(w.x))) * cospi(2 * unitf(w.y))",
                 mean, std)
