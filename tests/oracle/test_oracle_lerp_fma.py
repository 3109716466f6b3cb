"""lerp rounds as PyTorch's CPU kernel, whose multiply-adds are fused: bitwise equal on 100k random elements
(weights on both sides of 0.5), special values, and through Adam (whose exp_avg.lerp_ takes the same kernel),
with the device's optional `lerp` kernel and with core's composition when the device lacks it."""
from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

DTYPES = ("float16", "float32", "float64")


def _bits(array):
    array = np.ascontiguousarray(array)
    return array.view(np.dtype(f"u{array.dtype.itemsize}"))


def _assert_bitwise(mine, theirs, what):
    """Equal bits (the sign of zero included), any NaN matching any NaN."""
    mine_nan, theirs_nan = np.isnan(mine.numpy()).ravel(), np.isnan(theirs.numpy()).ravel()
    unequal = np.where(mine_nan | theirs_nan, mine_nan != theirs_nan,
                       _bits(mine.numpy()).ravel() != _bits(theirs.numpy()).ravel())
    mismatched = np.flatnonzero(unequal)
    first = mismatched[:1]
    assert mismatched.size == 0, (f"{what}: {mismatched.size} elements differ, first at {first}: "
                                  f"{mine.numpy().ravel()[first]!r} vs {theirs.numpy().ravel()[first]!r}")


def _inputs(dtype, n=100_000, seed=0):
    rng = np.random.default_rng(seed)
    start = (rng.standard_normal(n) * rng.choice([1e-3, 1.0, 1e3], n)).astype(dtype)
    end = (rng.standard_normal(n) * rng.choice([1e-3, 1.0, 1e3], n)).astype(dtype)
    weight = rng.uniform(-1.0, 2.0, n).astype(dtype)
    return start, end, weight


@pytest.mark.parametrize("dtype", DTYPES)
def test_lerp_tensor_weight_is_bitwise_pytorchs(dtype):
    start, end, weight = _inputs(dtype)
    assert (np.abs(weight) < 0.5).mean() > 0.2 and (np.abs(weight) >= 0.5).mean() > 0.2
    mine = ember.lerp(*(ember.from_numpy(x) for x in (start, end, weight)))
    _assert_bitwise(mine, torch.lerp(*(torch.from_numpy(x) for x in (start, end, weight))), f"lerp {dtype}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weight", [0.3, -0.2, 0.49999997, 0.5, 0.7, 0.9, 1.3, 1e-3])
def test_lerp_number_weight_is_bitwise_pytorchs(dtype, weight):
    start, end, _ = _inputs(dtype, seed=1)
    mine = ember.lerp(ember.from_numpy(start), ember.from_numpy(end), weight)
    _assert_bitwise(mine, torch.lerp(torch.from_numpy(start), torch.from_numpy(end), weight),
                    f"lerp {dtype} weight {weight}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_lerp_special_values_are_pytorchs(dtype):
    values = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-40, -1e-45, 3e38, -3e38, 1e-310,
                       65504.0, 6e-8], np.float64)
    with np.errstate(over="ignore"):  # the float32/float16 casts of the large values are infinities
        start, end, weight = (a.ravel().astype(dtype) for a in np.meshgrid(values, values, values, indexing="ij"))
    mine = ember.lerp(*(ember.from_numpy(x) for x in (start, end, weight)))
    theirs = torch.lerp(*(torch.from_numpy(x) for x in (start, end, weight)))
    _assert_bitwise(mine, theirs, f"lerp {dtype} special values")


@pytest.mark.parametrize("dtype", DTYPES)
def test_composed_lerp_without_the_kernel_matches_pytorch_closely(dtype, monkeypatch):
    """A device without the optional kernel composes lerp from required kernels: fused for float16/float32
    but for rare double roundings, float64 rounding each step (within a few ulps of the inputs' magnitude)."""
    start, end, weight = _inputs(dtype, n=10_000, seed=2)
    monkeypatch.setattr(ember.empty(0).device.kernels, "lerp", None)
    mine = ember.lerp(*(ember.from_numpy(x) for x in (start, end, weight))).numpy()
    theirs = torch.lerp(*(torch.from_numpy(x) for x in (start, end, weight))).numpy()
    scale = np.abs(start).astype(np.float64) + np.abs(end) + np.abs(weight) * np.abs(end - start)
    assert np.all(np.abs(mine.astype(np.float64) - theirs) <= 4 * np.finfo(dtype).eps * scale)
    assert np.mean(mine == theirs) > 0.7


@pytest.mark.parametrize("dtype", ("float32", "float64"))
def test_adam_lerp_step_is_bitwise_pytorchs(dtype):
    rng = np.random.default_rng(3)
    init = rng.standard_normal((64, 33)).astype(dtype)
    grads = [rng.standard_normal((64, 33)).astype(dtype) for _ in range(5)]
    params = ember.nn.Parameter(ember.from_numpy(init.copy())), torch.nn.Parameter(torch.from_numpy(init.copy()))
    optimizers = ember.optim.Adam([params[0]], lr=1e-2, betas=(0.7, 0.99)), \
        torch.optim.Adam([params[1]], lr=1e-2, betas=(0.7, 0.99), foreach=False)
    for grad in grads:
        params[0].grad, params[1].grad = ember.from_numpy(grad.copy()), torch.from_numpy(grad.copy())
        for optimizer in optimizers:
            optimizer.step()
    exp_avgs = [optimizer.state[param]["exp_avg"] for optimizer, param in zip(optimizers, params)]
    _assert_bitwise(exp_avgs[0], exp_avgs[1], f"Adam exp_avg {dtype}")
