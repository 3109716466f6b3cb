"""ember.Generator and the random functions: the Generator API, reproducibility (same seed, same numbers;
a Generator's stream independent of the default one), states, and the distributions of every sampler,
checked by moments and chi-square statistics on fixed seeds (deterministic, never flaky)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember.nn import init


def _chi_square(counts, expected) -> float:
    counts, expected = np.asarray(counts, dtype=float), np.asarray(expected, dtype=float)
    return float(((counts - expected) ** 2 / expected).sum())


def _fits(counts, expected) -> bool:
    """A chi-square statistic far below what a wrong distribution gives (df + 6 sd of the chi-square)."""
    df = len(counts) - 1
    return _chi_square(counts, expected) < df + 6 * math.sqrt(2 * df)


# ----- the Generator API -----------------------------------------------------------------------------------
def test_generator_api():
    g = ember.Generator()
    assert g.device == ember.device("cpu")
    assert g.initial_seed() == 67280421310721
    assert g.manual_seed(5) is g and g.initial_seed() == 5
    assert g.manual_seed(-1).initial_seed() == 2**64 - 1  # wrapped into uint64, as PyTorch
    s = g.seed()
    assert isinstance(s, int) and g.initial_seed() == s
    assert "Generator" in repr(g)
    assert isinstance(ember.default_generator, ember.Generator)
    assert ember.manual_seed(7) is ember.default_generator and ember.initial_seed() == 7


def test_an_unseeded_program_draws_other_numbers_on_each_run():
    """As PyTorch's default CPU generator (seeded from the OS's entropy), unlike a new Generator (its default seed)
    and the default generators of other devices."""
    import subprocess
    import sys
    program = ("import ember; print(ember.initial_seed(), ember.rand(2).tolist(), ember.Generator().initial_seed(), "
               "ember.manual_seed(3).initial_seed(), ember.rand(2).tolist())")
    runs = [subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True).stdout.split()
            for _ in range(2)]
    assert runs[0][:3] != runs[1][:3]  # the seed and the draws
    assert runs[0][3] == runs[1][3] == "67280421310721" and runs[0][4:] == runs[1][4:]  # then seeded: the same


def test_same_seed_same_numbers_for_every_random_function():
    def draws(seed):
        g = ember.Generator().manual_seed(seed)
        p = ember.tensor([0.2, 0.3, 0.5])
        return [ember.rand(5, generator=g), ember.randn(5, generator=g), ember.randint(0, 9, (5,), generator=g),
                ember.randperm(7, generator=g), ember.rand_like(ember.zeros(3), generator=g),
                ember.randn_like(ember.zeros(3), generator=g), ember.randint_like(ember.zeros(3), 4, generator=g),
                ember.multinomial(p, 2, generator=g), ember.multinomial(p, 6, True, generator=g),
                ember.bernoulli(ember.full((6,), 0.5), generator=g), ember.normal(ember.zeros(4), 1.0, generator=g),
                ember.normal(0.0, ember.ones(4), generator=g), ember.normal(ember.zeros(4), ember.ones(4), generator=g),
                ember.normal(2.0, 3.0, (4,), generator=g), ember.poisson(ember.full((4,), 3.0), generator=g),
                *(getattr(ember.zeros(5), name)(*args, generator=g) for name, args in (
                    ("uniform_", ()), ("normal_", ()), ("bernoulli_", (0.3,)), ("random_", (10,)),
                    ("exponential_", ()), ("geometric_", (0.4,)), ("log_normal_", ()), ("cauchy_", ())))]
    first, again, other = draws(11), draws(11), draws(12)
    for a, b in zip(first, again):
        assert a.tolist() == b.tolist()
    assert sum(a.tolist() != b.tolist() for a, b in zip(first, other)) >= len(first) - 3


def test_a_generator_stream_is_independent_of_the_default_one():
    ember.manual_seed(3)
    expected = ember.rand(4).tolist() + ember.randperm(6).tolist()
    ember.manual_seed(3)
    g = ember.Generator().manual_seed(3)
    ember.rand(100, generator=g)
    ember.randperm(50, generator=g)
    assert ember.rand(4).tolist() + ember.randperm(6).tolist() == expected


def test_manual_seed_reseeds_the_default_stream():
    ember.manual_seed(21)
    a = ember.randn(3).tolist()
    ember.manual_seed(21)
    assert ember.randn(3).tolist() == a


def test_state_round_trip():
    g = ember.Generator().manual_seed(1)
    ember.rand(3, generator=g)
    ember.randperm(4, generator=g)
    state = g.get_state()
    assert state.dtype == ember.uint8 and state.dim() == 1
    after = (ember.rand(5, generator=g).tolist(), ember.randperm(8, generator=g).tolist())
    other = ember.Generator().set_state(state)
    assert (ember.rand(5, generator=other).tolist(), ember.randperm(8, generator=other).tolist()) == after
    assert g.set_state(state) is g
    assert (ember.rand(5, generator=g).tolist(), ember.randperm(8, generator=g).tolist()) == after


def test_set_state_errors():
    g = ember.Generator()
    with pytest.raises(TypeError, match="ByteTensor"):
        g.set_state(ember.zeros(5))
    with pytest.raises(RuntimeError, match="Expected a CPUGeneratorImplState of size 5056 but found the input RNG "
                                           "state size to be 5"):
        g.set_state(ember.zeros(5, dtype=ember.uint8))
    before = g.get_state().tolist()
    with pytest.raises(RuntimeError):
        g.set_state(ember.tensor(list(b'{"seed": 1, "host": {}, "device": ""}'), dtype=ember.uint8))
    assert g.get_state().tolist() == before  # nothing changed


def test_rng_state_and_fork_rng():
    ember.manual_seed(4)
    state = ember.get_rng_state()
    a = ember.rand(3).tolist()
    ember.set_rng_state(state)
    assert ember.rand(3).tolist() == a
    ember.manual_seed(4)
    with ember.random.fork_rng():
        ember.rand(10)
        ember.manual_seed(99)
    assert ember.rand(3).tolist() == a and ember.initial_seed() == 4


def test_generator_argument_type():
    with pytest.raises(TypeError, match="Generator"):
        ember.rand(3, generator=5)
    with pytest.raises(TypeError, match="generator"):
        ember.zeros_like(ember.zeros(2), generator=ember.Generator())


# ----- distributions -----------------------------------------------------------------------------------------
N = 40_000


def _sample(name, *args, dtype=ember.float64, seed=0):
    return getattr(ember.empty(N, dtype=dtype), name)(*args, generator=ember.Generator().manual_seed(seed)).numpy()


def test_uniform_and_normal_moments():
    u = _sample("uniform_", -1.0, 3.0)
    assert u.min() >= -1 and u.max() < 3
    assert abs(u.mean() - 1) < 0.03 and abs(u.var() - 16 / 12) < 0.05
    assert _fits(np.histogram(u, bins=20, range=(-1, 3))[0], [N / 20] * 20)
    x = _sample("normal_", 2.0, 0.5)
    assert abs(x.mean() - 2) < 0.01 and abs(x.std() - 0.5) < 0.01
    assert abs(np.mean(np.abs(x - 2) < 0.5) - 0.6827) < 0.01


def test_exponential_geometric_log_normal_cauchy():
    e = _sample("exponential_", 2.0)
    assert e.min() >= 0 and abs(e.mean() - 0.5) < 0.01 and abs(e.var() - 0.25) < 0.02
    geo = _sample("geometric_", 0.25)
    assert geo.min() == 1 and abs(geo.mean() - 4) < 0.06
    counts = np.bincount(geo.astype(int))[1:6]
    assert _fits(counts, [N * 0.25 * 0.75 ** (k - 1) for k in range(1, 6)])
    ln = _sample("log_normal_", 1.0, 0.5)
    assert abs(np.median(ln) - math.e) < 0.05 and abs(np.log(ln).std() - 0.5) < 0.01
    c = _sample("cauchy_", 1.0, 2.0)
    assert abs(np.median(c) - 1) < 0.05 and abs(np.percentile(c, 75) - 3) < 0.1


def test_bernoulli_forms():
    b = _sample("bernoulli_", 0.3)
    assert set(np.unique(b)) <= {0.0, 1.0} and abs(b.mean() - 0.3) < 0.01
    p = ember.tensor([0.0, 0.25, 1.0]).repeat(N // 3)
    drawn = ember.bernoulli(p, generator=ember.Generator().manual_seed(1)).numpy().reshape(-1, 3)
    assert drawn[:, 0].max() == 0 and drawn[:, 2].min() == 1 and abs(drawn[:, 1].mean() - 0.25) < 0.015
    t = ember.zeros(N // 3, 3).bernoulli_(ember.tensor([0.5, 0.1, 0.9])).numpy()
    assert np.allclose(t.mean(0), [0.5, 0.1, 0.9], atol=0.02)
    ints = ember.zeros(1000, dtype=ember.int64).bernoulli_(0.5)
    assert ints.dtype == ember.int64 and set(ints.tolist()) == {0, 1}


def test_random_ranges_and_uniformity():
    r = _sample("random_", 10, dtype=ember.int64)
    assert r.min() == 0 and r.max() == 9 and _fits(np.bincount(r, minlength=10), [N / 10] * 10)
    r = _sample("random_", -3, 3, dtype=ember.float32)
    assert r.min() == -3 and r.max() == 2 and _fits(np.bincount((r + 3).astype(int)), [N / 6] * 6)
    assert 0 <= _sample("random_", dtype=ember.uint8).min() and _sample("random_", dtype=ember.uint8).max() == 255
    big = _sample("random_", dtype=ember.int64)
    assert big.min() >= 0 and big.max() > 2**62
    f = _sample("random_", dtype=ember.float32)
    assert f.min() >= 0 and f.max() <= 2**24 and f.max() > 2**23
    assert set(_sample("random_", dtype=ember.bool).tolist()) == {False, True}


def test_randint_and_randperm_distributions():
    g = ember.Generator().manual_seed(2)
    r = ember.randint(5, 12, (N,), generator=g).numpy()
    assert _fits(np.bincount(r - 5, minlength=7), [N / 7] * 7)
    first = [ember.randperm(4, generator=g)[0].item() for _ in range(4000)]
    assert _fits(np.bincount(first, minlength=4), [1000] * 4)


def test_poisson_moments():
    rates = ember.full((N,), 3.5, dtype=ember.float64)
    k = ember.poisson(rates, generator=ember.Generator().manual_seed(0)).numpy()
    assert abs(k.mean() - 3.5) < 0.05 and abs(k.var() - 3.5) < 0.1
    assert ember.poisson(ember.zeros(3)).tolist() == [0.0, 0.0, 0.0]


def test_multinomial_with_replacement_frequencies():
    p = ember.tensor([0.1, 0.0, 0.6, 0.3])
    s = ember.multinomial(p, N, replacement=True, generator=ember.Generator().manual_seed(0)).numpy()
    counts = np.bincount(s, minlength=4)
    assert counts[1] == 0
    assert _fits(counts[[0, 2, 3]], [N * 0.1, N * 0.6, N * 0.3])
    rows = ember.multinomial(ember.tensor([[1.0, 0.0], [0.0, 2.0]]), 50, True)
    assert rows.shape == (2, 50) and rows.dtype == ember.int64
    assert set(rows[0].tolist()) == {0} and set(rows[1].tolist()) == {1}


def test_multinomial_without_replacement():
    p = ember.tensor([0.5, 0.2, 0.2, 0.1])
    g = ember.Generator().manual_seed(0)
    firsts, seconds = [], []
    for _ in range(3000):
        s = ember.multinomial(p, 4, generator=g).tolist()
        assert sorted(s) == [0, 1, 2, 3]
        firsts.append(s[0])
        seconds.append(s[1])
    assert _fits(np.bincount(firsts, minlength=4), [1500, 600, 600, 300])
    # P(second = 0) = sum over j != 0 of p_j * p_0 / (1 - p_j)
    second_zero = sum(pj * 0.5 / (1 - pj) for pj in (0.2, 0.2, 0.1))
    assert abs(np.mean(np.array(seconds) == 0) - second_zero) < 0.03
    assert ember.multinomial(ember.tensor([1.0, 0.0, 0.0]), 2).tolist()[0] == 0
    batch = ember.multinomial(ember.rand(5, 6), 3)
    assert batch.shape == (5, 3) and all(len(set(r)) == 3 for r in batch.tolist())


@pytest.mark.parametrize("call, error, message", [
    (lambda: ember.multinomial(ember.zeros(2, 2, 2), 1), RuntimeError, "prob_dist must be 1 or 2 dim"),
    (lambda: ember.multinomial(ember.tensor([1, 2]), 1), RuntimeError,
     "multinomial only supports floating-point dtypes for input, got: Long"),
    (lambda: ember.multinomial(ember.ones(3), 0), RuntimeError, "cannot sample n_sample <= 0 samples"),
    (lambda: ember.multinomial(ember.ones(3), 4), RuntimeError,
     "cannot sample n_sample > prob_dist.size\\(-1\\) samples without replacement"),
    (lambda: ember.multinomial(ember.tensor([1.0, -1.0]), 1), RuntimeError, "`inf`, `nan` or element < 0"),
    (lambda: ember.multinomial(ember.tensor([1.0, math.nan]), 1), RuntimeError, "`inf`, `nan` or element < 0"),
    (lambda: ember.multinomial(ember.tensor([[1.0, 1.0], [0.0, 0.0]]), 1), RuntimeError,
     "invalid multinomial distribution \\(sum of probabilities <= 0\\)"),
    (lambda: ember.multinomial(ember.ones(3), 1.0), TypeError, "must be int, not float"),
    (lambda: ember.bernoulli(ember.tensor([0.5, 2.0])), RuntimeError, "Expected p_in >= 0 && p_in <= 1"),
    (lambda: ember.zeros(3).bernoulli_(1.2), RuntimeError, "bernoulli_ expects p to be in \\[0, 1\\], but got p=1.2"),
    (lambda: ember.normal(ember.zeros(3), -1.0), RuntimeError, "normal expects std >= 0.0, but found std -1"),
    (lambda: ember.normal(ember.zeros(3), ember.tensor([1.0, -1.0, 1.0])), RuntimeError,
     "normal expects all elements of std >= 0.0"),
    (lambda: ember.normal(ember.zeros(3), ember.ones(2)), RuntimeError, "The size of tensor a \\(3\\) must match"),
    (lambda: ember.normal(0.0, 1.0), TypeError, "invalid combination of arguments"),
    (lambda: ember.zeros(3).exponential_(0), RuntimeError, "exponential_ expects lambda > 0.0, but found lambda=0"),
    (lambda: ember.zeros(3, dtype=ember.int64).exponential_(), RuntimeError, "you specified Long"),
    (lambda: ember.zeros(3).geometric_(1), RuntimeError, "geometric_ expects p to be in \\(0, 1\\), but got p=1"),
    (lambda: ember.zeros(3).log_normal_(1, 0), RuntimeError, "log_normal_ expects std > 0.0, but found std=0"),
    (lambda: ember.zeros(3).cauchy_(0, -1), RuntimeError, "cauchy_ expects sigma > 0.0, but found sigma=-1"),
    (lambda: ember.zeros(3).uniform_(2, 1), RuntimeError, "found from=2 > to=1"),
    (lambda: ember.zeros(3, dtype=ember.int64).uniform_(), NotImplementedError, "check_uniform_bounds"),
    (lambda: ember.zeros(3).random_(2, 1), RuntimeError, "random_ expects 'from' to be less than 'to'"),
    (lambda: ember.zeros(3, dtype=ember.uint8).random_(300), RuntimeError, "to - 1 is out of bounds for unsigned char"),
    (lambda: ember.poisson(ember.tensor([-1.0])), RuntimeError, "invalid Poisson rate"),
    (lambda: ember.poisson(ember.tensor([1])), NotImplementedError, "poisson_cpu"),
])
def test_errors_are_pytorchs(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_samples_have_zero_gradients():
    mean = ember.zeros(3, requires_grad=True)
    std = ember.ones(3, requires_grad=True)
    out = ember.normal(mean, std)
    assert out.grad_fn.name() == "NormalBackward3"
    out.sum().backward()
    assert mean.grad.tolist() == [0.0] * 3 and std.grad.tolist() == [0.0] * 3
    p = ember.full((3,), 0.5, requires_grad=True)
    ember.bernoulli(p).sum().backward()
    assert p.grad.tolist() == [0.0] * 3
    with pytest.raises(RuntimeError, match="leaf Variable"):
        ember.zeros(2, requires_grad=True).uniform_()


def test_nn_init_takes_a_generator():
    def filled(fn, *args):
        w = ember.empty(4, 5)
        fn(w, *args, generator=ember.Generator().manual_seed(9))
        return w.tolist()
    for fn in (init.uniform_, init.normal_, init.trunc_normal_, init.xavier_uniform_, init.xavier_normal_,
               init.kaiming_uniform_, init.kaiming_normal_):
        assert filled(fn) == filled(fn)
    ember.manual_seed(0)
    a = init.normal_(ember.empty(3), generator=ember.Generator().manual_seed(1))
    assert ember.rand(2).tolist() == (ember.manual_seed(0), ember.rand(2))[1].tolist()  # default untouched
    assert a.tolist() == init.normal_(ember.empty(3), generator=ember.Generator().manual_seed(1)).tolist()


# ----- per device --------------------------------------------------------------------------------------------
@pytest.fixture
def two_cuda_devices(without_installed_cuda):
    """test_queued_device's fake backend: "cuda" with two devices, the CPU backend's generators, no state
    export; forgotten after the test."""
    from test_queued_device import _register, _reset_for_tests
    yield _register(peer_copies=False)
    assert not ember._checks.pending
    for placed in ember.device._interned.values():
        if placed.type in ("queued", "cuda"):
            placed.kernels = placed.device_type = None
    for placed in [d for d in ember._generator._defaults if d.type in ("queued", "cuda")]:
        del ember._generator._defaults[placed]
    _reset_for_tests()  # the plugins found again, without the fake one (the next test may expect no CUDA)


def test_each_device_has_its_own_default_generator(two_cuda_devices):
    ember.manual_seed(5)
    on_cpu = ember.rand(4).tolist()
    ember.manual_seed(5)
    first = ember.rand(4, device="cuda:0").tolist()
    assert ember.rand(4, device="cuda:1").tolist() == first == on_cpu  # seeded alike, drawn apart
    assert ember.rand(4).tolist() == on_cpu  # the CPU's stream did not move
    ember.manual_seed(5)
    assert ember.randperm(6, device="cuda:1").tolist() == ember.randperm(6).tolist()


def test_a_generator_belongs_to_a_device_type(two_cuda_devices):
    g = ember.Generator(device="cuda").manual_seed(2)
    assert g.device.type == "cuda"
    a = ember.randn(3, device="cuda", generator=g).tolist()
    assert ember.randn(3, device="cuda", generator=g.manual_seed(2)).tolist() == a
    drawn = ember.multinomial(ember.ones(3, device="cuda"), 2, generator=g)
    assert drawn.device.type == "cuda" and len(set(drawn.tolist())) == 2  # tolist: the pending checks run
    with pytest.raises(RuntimeError, match="Expected a 'cuda' device type for generator but found 'cpu'"):
        ember.rand(2, device="cuda", generator=ember.Generator())
    with pytest.raises(RuntimeError, match="Expected a 'cpu' device type for generator but found 'cuda'"):
        ember.zeros(2).uniform_(generator=g)
    with pytest.raises(RuntimeError, match="cannot export"):
        g.get_state()
