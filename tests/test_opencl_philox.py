"""The OpenCL backend's random numbers are Philox4x32-10 (issue 8): the kernel's bijection reproduces
Random123's published known answers, `uniform` is exactly the documented function of the stream, draws
have the right mean and variance, repeat per seed and continue from a saved state. Skipped without
ember-opencl or a working OpenCL device."""
from __future__ import annotations

import numpy as np
import opencl_device  # noqa: F401  (skips this module without a working OpenCL device)
import pytest
from ember_opencl import device, philox, program
from ember_opencl.buffer import allocate, download, upload

import ember

# Random123's kat_vectors for philox4x32 with 10 rounds: counter (4 words), key (2 words) -> block.
KAT = [
    ((0x00000000, 0x00000000, 0x00000000, 0x00000000), (0x00000000, 0x00000000),
     (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF),
     (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]

_KAT_KERNEL = philox.SOURCE + """
__kernel void kat(__global const uint *in, __global uint *out) {
    const int j = get_global_id(0);
    const uint4 c = vload4(0, in + 6 * j);
    const uint2 k = vload2(0, in + 6 * j + 4);
    vstore4(philox4x32_10(c, k), 0, out + 4 * j);
}"""


def _reference_blocks(seed: int, first: int, count: int) -> np.ndarray:
    """Philox4x32-10 in numpy (Random123's definition): blocks first .. first + count - 1 under key `seed`."""
    block = np.arange(first, first + count, dtype=np.uint64)
    c = [block & 0xFFFFFFFF, block >> np.uint64(32), np.zeros_like(block), np.zeros_like(block)]
    k = [np.uint64(seed & 0xFFFFFFFF), np.uint64(seed >> 32)]
    mask = np.uint64(0xFFFFFFFF)
    for r in range(10):
        if r:
            k = [(k[0] + np.uint64(0x9E3779B9)) & mask, (k[1] + np.uint64(0xBB67AE85)) & mask]
        p0, p1 = np.uint64(0xD2511F53) * c[0], np.uint64(0xCD9E8D57) * c[2]
        c = [(p1 >> np.uint64(32)) ^ c[1] ^ k[0], p1 & mask, (p0 >> np.uint64(32)) ^ c[3] ^ k[1], p0 & mask]
    return np.stack(c, axis=-1).astype(np.uint32)


def test_the_kernel_reproduces_random123_known_answers():
    dev = device.get(0)
    host = np.array([[*counter, *key] for counter, key, _ in KAT], dtype=np.uint32)
    inputs, out = upload(dev, host), allocate(dev, (len(KAT), 4), np.dtype(np.uint32))
    kernel = program.build(dev, _KAT_KERNEL, "kat", [None, None])
    kernel(dev.queue, (len(KAT),), None, inputs.base, out.base)
    assert download(out).tolist() == [list(expected) for _, _, expected in KAT]


def test_the_numpy_reference_reproduces_the_known_answers():
    """The reference the next tests compare with is Philox too (the KAT rows with high counter words 0)."""
    assert _reference_blocks(0, 0, 1)[0].tolist() == list(KAT[0][2])


@pytest.mark.parametrize("seed", [0, 2**63 + 12345])
def test_uniform_float32_is_the_documented_function_of_the_stream(seed):
    """Element i is word i % 4 of block offset + i // 4, its top 24 bits over 2**24; the offset moves on."""
    gen = philox.new_generator(seed, 0)
    a = download(philox.uniform((3, 5), 0.0, 1.0, ember.float32, gen))
    b = download(philox.uniform((7,), 0.0, 1.0, ember.float32, gen))
    words = _reference_blocks(seed, 0, 6).ravel()  # 15 words -> blocks 0-3, then 7 words -> blocks 4-5
    assert np.array_equal(a.ravel(), (words[:15] >> 8).astype(np.float32) * np.float32(2**-24))
    assert np.array_equal(b, (words[16:23] >> 8).astype(np.float32) * np.float32(2**-24))
    assert gen.offset == 6


def test_uniform_float64_takes_53_bits_of_two_words():
    gen = philox.new_generator(5, 0)
    values = download(philox.uniform((6,), 0.0, 1.0, ember.float64, gen))
    words = _reference_blocks(5, 0, 3).reshape(-1, 2).astype(np.uint64)
    expected = ((words[:, 0] << np.uint64(21)) | (words[:, 1] >> np.uint64(11))).astype(np.float64) * 2.0**-53
    assert np.array_equal(values, expected)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_million_draws_have_the_mean_and_variance_of_their_distribution(dtype):
    """Bounds at about 5 standard errors of the sample mean and variance (1M draws)."""
    gen = ember.Generator("opencl").manual_seed(2024)
    n = 1_000_000
    u = ember.rand(n, device="opencl", dtype=getattr(ember, dtype), generator=gen).cpu().numpy().astype(np.float64)
    z = ember.randn(n, device="opencl", dtype=getattr(ember, dtype), generator=gen).cpu().numpy().astype(np.float64)
    assert 0.0 <= u.min() and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 5 * (1 / 12 / n) ** 0.5
    assert abs(u.var() - 1 / 12) < 5 * ((1 / 80 - 1 / 144) / n) ** 0.5
    assert abs(z.mean()) < 5 / n ** 0.5
    assert abs(z.var() - 1) < 5 * (2 / n) ** 0.5
    assert abs(z.std()) > 0 and abs(((z - z.mean()) ** 3).mean()) < 5 * (15 / n) ** 0.5  # no skew


def test_manual_seed_repeats_every_random_function_on_opencl():
    def draws():
        return [t.cpu().numpy() for t in (
            ember.rand(100, device="opencl"), ember.randn(100, device="opencl"),
            ember.randint(0, 10, (100,), device="opencl"),
            ember.bernoulli(ember.full((100,), 0.3, device="opencl")),
            ember.nn.functional.dropout(ember.ones(100, device="opencl"), 0.5))]

    ember.manual_seed(11)
    first = draws()
    ember.manual_seed(11)
    again = draws()
    ember.manual_seed(12)
    other = draws()
    for a, b, c in zip(first, again, other):
        assert np.array_equal(a, b)
        assert not np.array_equal(a, c)


def test_generator_state_round_trips_on_opencl():
    gen = ember.Generator("opencl").manual_seed(3)
    ember.randn(10, device="opencl", generator=gen)
    state = gen.get_state()
    expected = [ember.rand(7, device="opencl", generator=gen).cpu().numpy(),
                ember.randn(9, device="opencl", generator=gen, dtype=ember.float64).cpu().numpy()]
    other = ember.Generator("opencl").manual_seed(99)
    other.set_state(state)
    assert other.initial_seed() == 3
    assert np.array_equal(ember.rand(7, device="opencl", generator=other).cpu().numpy(), expected[0])
    assert np.array_equal(ember.randn(9, device="opencl", generator=other, dtype=ember.float64).cpu().numpy(),
                          expected[1])


def test_a_state_that_is_not_philox_is_refused():
    gen = philox.new_generator(0, 0)
    with pytest.raises(ValueError, match="not an OpenCL Philox generator state"):
        philox.set_state(gen, b"\x00" * 24)
    assert philox.set_state(gen, philox.get_state(philox.new_generator(9, 0))).seed == 9


def test_a_draw_reads_nothing_back_from_the_device():
    """The offset lives on the host: drawing never waits for the device."""
    from ember_opencl.counters import COUNTS

    gen = ember.Generator("opencl").manual_seed(1)
    ember.rand(10, device="opencl", generator=gen)  # kernel built
    before = COUNTS.round_trips
    for _ in range(5):
        ember.randn(1000, device="opencl", generator=gen)
    assert COUNTS.round_trips == before


def test_drawing_from_one_generator_leaves_another_where_it_was():
    a, b = ember.Generator("opencl").manual_seed(4), ember.Generator("opencl").manual_seed(4)
    ember.rand(50, device="opencl", generator=a)
    assert b.engine().offset == 0 and a.engine().offset == 13


def test_new_bounds_and_deviations_build_no_new_program():
    """Bounds, means and deviations are kernel arguments: initialising layers of many sizes builds once."""
    from ember_opencl.counters import COUNTS

    gen = ember.Generator("opencl").manual_seed(1)
    ember.empty(10, device="opencl").uniform_(-1, 1, generator=gen).normal_(0, 1, generator=gen)
    before = COUNTS.builds
    for n in (3, 7, 11):
        values = ember.empty(1000, device="opencl").uniform_(-1 / n, 2 / n, generator=gen).cpu().numpy()
        assert -1 / n <= values.min() and values.max() < 2 / n
        ember.empty(10, device="opencl").normal_(n, 1 / n, generator=gen)
    assert COUNTS.builds == before
