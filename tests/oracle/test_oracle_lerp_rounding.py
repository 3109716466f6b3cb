"""lerp rounds as PyTorch's CPU kernel at its default capability, each step rounded (its AVX2/AVX512 kernels fuse
the multiply-add, an ulp away: default_capability.py): bitwise equal on 100k random elements (weights on both
sides of 0.5), special values, broadcasting, strided, in place and out=, and through Adam (whose exp_avg.lerp_
takes the same kernel), with the device's optional `lerp` kernel and with core's composition without it."""
from __future__ import annotations

import numpy as np
import pytest
from default_capability import at_default_capability

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

DTYPES = ("float16", "float32", "float64")
NUMBER_WEIGHTS = (0.3, -0.2, 0.49999997, 0.5, 0.7, 0.9, 1.3, 1e-3, 3.5, -2.0)
_SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-40, -1e-45, 3e38, -3e38, 1e-310, 65504.0,
                     6e-8], np.float64)


def _random(dtype, n, seed):
    """start, end (magnitudes 1e-3 to 1e3) and a tensor weight in [-1, 2)."""
    rng = np.random.default_rng(seed)
    start, end = ((rng.standard_normal(n) * rng.choice([1e-3, 1.0, 1e3], n)).astype(dtype) for _ in range(2))
    return start, end, rng.uniform(-1.0, 2.0, n).astype(dtype)


def _cases():
    """name -> (start, end, weight): weight a number or an array; a transposed array stays a transposed view."""
    cases = {}
    for dtype in DTYPES:
        start, end, weight = _random(dtype, 100_000, 0)
        cases[f"{dtype} tensor weight"] = start, end, weight
        for number in NUMBER_WEIGHTS:
            cases[f"{dtype} weight {number}"] = start, end, number
        with np.errstate(over="ignore"):  # the float32/float16 casts of the large values are infinities
            cases[f"{dtype} special values"] = tuple(
                a.ravel().astype(dtype) for a in np.meshgrid(_SPECIAL, _SPECIAL, _SPECIAL, indexing="ij"))
            ends = tuple(a.ravel().astype(dtype) for a in np.meshgrid(_SPECIAL, _SPECIAL, indexing="ij"))
        for number in (0.0, 0.25, 1.0, -1.0, 2.0):
            cases[f"{dtype} special values, weight {number}"] = (*ends, number)
        grid = [x[:600].reshape(20, 30) for x in (start, end, weight)]
        cases[f"{dtype} broadcast"] = grid[0], end[:30], weight[:20, None]
        cases[f"{dtype} broadcast by weight"] = start[:30], end[:30], grid[2]
        cases[f"{dtype} transposed start"] = grid[0].T, np.ascontiguousarray(grid[1].T), weight[:20]
    return cases


CASES = _cases()


def _torch_references(torch, lerps, adam_runs):
    """PyTorch's lerp of each case, and Adam's exp_avg after each run of gradients (numpy arrays)."""
    results = [torch.lerp(torch.from_numpy(start), torch.from_numpy(end),
                          weight if isinstance(weight, float) else torch.from_numpy(weight)).numpy()
               for start, end, weight in lerps]
    exp_avgs = []
    for init, grads in adam_runs:
        param = torch.nn.Parameter(torch.from_numpy(init.copy()))
        optimizer = torch.optim.Adam([param], lr=1e-2, betas=(0.7, 0.99), foreach=False)
        for grad in grads:
            param.grad = torch.from_numpy(grad.copy())
            optimizer.step()
        exp_avgs.append(optimizer.state[param]["exp_avg"].detach().numpy())
    return results, exp_avgs


def _adam_run(dtype):
    rng = np.random.default_rng(3)
    return rng.standard_normal((64, 33)).astype(dtype), [rng.standard_normal((64, 33)).astype(dtype) for _ in range(5)]


ADAM_DTYPES = ("float32", "float64")


@pytest.fixture(scope="module")
def default_torch():
    """(lerp of each case by name, Adam's exp_avg by dtype), from PyTorch at its default capability."""
    lerps, exp_avgs = at_default_capability(_torch_references, list(CASES.values()),
                                            [_adam_run(dtype) for dtype in ADAM_DTYPES])
    return dict(zip(CASES, lerps)), dict(zip(ADAM_DTYPES, exp_avgs))


def _tensor(array):
    """`array` on the default device; a transposed array as a transposed view (the kernel sees its strides)."""
    if array.ndim == 2 and not array.flags.c_contiguous:
        return ember.tensor(np.ascontiguousarray(array.T)).t()
    return ember.tensor(array)


def _lerp(start, end, weight, **kwargs):
    return ember.lerp(_tensor(start), _tensor(end), weight if isinstance(weight, float) else _tensor(weight),
                      **kwargs)


def _assert_bitwise(mine, theirs, what):
    """Equal bits (the sign of zero included), any NaN matching any NaN; same dtype and shape."""
    mine = mine.detach().cpu().numpy()
    assert mine.dtype == theirs.dtype and mine.shape == theirs.shape, f"{what}: {mine.dtype}{mine.shape}"
    mine_nan, theirs_nan = np.isnan(mine).ravel(), np.isnan(theirs).ravel()
    bits = f"u{mine.dtype.itemsize}"
    unequal = np.where(mine_nan | theirs_nan, mine_nan != theirs_nan,
                       np.ascontiguousarray(mine).view(bits).ravel() != np.ascontiguousarray(theirs).view(bits).ravel())
    mismatched = np.flatnonzero(unequal)
    first = mismatched[:1]
    assert mismatched.size == 0, (f"{what}: {mismatched.size} elements differ, first at {first}: "
                                  f"{mine.ravel()[first]!r} vs {theirs.ravel()[first]!r}")


@pytest.mark.parametrize("name", list(CASES))
def test_lerp_is_bitwise_pytorchs_at_its_default_capability(default_torch, name):
    _assert_bitwise(_lerp(*CASES[name]), default_torch[0][name], f"lerp {name}")


def test_the_cases_take_both_sides_and_the_fused_rounding_differs():
    """Weights on both sides of 0.5; and the machine's PyTorch, where it fuses, differs from the default
    rounding on some elements (else the tests above could not tell the roundings apart)."""
    start, end, weight = CASES["float32 tensor weight"]
    assert (np.abs(weight) < 0.5).mean() > 0.2 and (np.abs(weight) >= 0.5).mean() > 0.2
    if torch.backends.cpu.get_cpu_capability() == "DEFAULT":
        pytest.skip("this machine's PyTorch runs its default kernels: nothing fused to tell apart")
    fused = torch.lerp(*(torch.from_numpy(x) for x in (start, end, weight))).numpy()
    assert np.mean(fused != _lerp(start, end, weight).cpu().numpy()) > 0.05


@pytest.mark.parametrize("dtype", DTYPES)
def test_lerp_is_within_rounding_of_the_machines_pytorch(dtype):
    """Fused or not, the two roundings of the same formula are within an ulp of the terms' magnitude."""
    start, end, weight = CASES[f"{dtype} tensor weight"]
    mine = _lerp(start, end, weight).cpu().numpy().astype(np.float64)
    theirs = torch.lerp(*(torch.from_numpy(x) for x in (start, end, weight))).numpy().astype(np.float64)
    a, b, w = (x.astype(np.float64) for x in (start, end, weight))
    scale = np.abs(a) + np.abs(b) + (np.abs(w) + 1) * np.abs(b - a)
    assert np.all(np.abs(mine - theirs) <= np.finfo(dtype).eps * scale)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weight", ["tensor weight", "weight 0.3", "weight 1.3"])
def test_lerp_in_place_and_out_are_bitwise_pytorchs(default_torch, dtype, weight):
    start, end, w = CASES[f"{dtype} {weight}"]
    expected = default_torch[0][f"{dtype} {weight}"]
    w = w if isinstance(w, float) else _tensor(w)
    moved = _tensor(start)
    assert moved.lerp_(_tensor(end), w) is moved
    _assert_bitwise(moved, expected, f"lerp_ {dtype} {weight}")
    out = ember.empty(start.shape, dtype=getattr(ember, dtype))
    assert ember.lerp(_tensor(start), _tensor(end), w, out=out) is out
    _assert_bitwise(out, expected, f"lerp out= {dtype} {weight}")


@pytest.mark.parametrize("name", [name for name in CASES if "tensor" in name or "0.3" in name or "1.3" in name
                                  or "special" in name or "broadcast" in name])
def test_composed_lerp_without_the_kernel_is_bitwise_pytorchs(default_torch, name, monkeypatch):
    """A device without the optional kernel composes lerp from required kernels, each step rounded."""
    monkeypatch.setattr(ember.empty(0).device.kernels, "lerp", None)
    _assert_bitwise(_lerp(*CASES[name]), default_torch[0][name], f"composed lerp {name}")


# Whose rounding each device's `adam_step` kernel gives: the CPU's rounds lerp_'s each step (PyTorch's default
# capability), OpenCL's and CUDA's fuse its multiply-add with the hardware fma (PyTorch's AVX2/AVX512 kernels).
_ADAM_KERNEL_FUSES = {"cpu": False, "opencl": True, "cuda": True}


def _adam_exp_avg(lib, dtype, **options):
    init, grads = _adam_run(dtype)
    param = lib.nn.Parameter(lib.tensor(init))
    optimizer = lib.optim.Adam([param], lr=1e-2, betas=(0.7, 0.99), **options)
    for grad in grads:
        param.grad = lib.tensor(grad)
        optimizer.step()
    return optimizer.state[param]["exp_avg"]


@pytest.mark.parametrize("dtype", ADAM_DTYPES)
def test_adam_composed_lerp_step_is_bitwise_pytorchs(default_torch, dtype):
    """Adam composed from ember ops (fused=False): exp_avg.lerp_ is the lerp above, on every device."""
    _assert_bitwise(_adam_exp_avg(ember, dtype, fused=False), default_torch[1][dtype], f"Adam exp_avg {dtype}")


@pytest.mark.parametrize("dtype", ADAM_DTYPES)
def test_adam_kernel_lerp_step_is_bitwise_pytorchs(default_torch, dtype):
    """The device's adam_step kernel: PyTorch's rounding at the default capability or, where the kernel fuses,
    the machine's own PyTorch when that fuses too."""
    if not _ADAM_KERNEL_FUSES[ember.get_default_device().type]:
        expected = default_torch[1][dtype]
    elif torch.backends.cpu.get_cpu_capability() == "DEFAULT":
        pytest.skip("the device's Adam fuses lerp_'s multiply-add, this machine's PyTorch does not")
    else:
        expected = _adam_exp_avg(torch, dtype, foreach=False).detach().numpy()
    _assert_bitwise(_adam_exp_avg(ember, dtype), expected, f"Adam exp_avg {dtype}")
