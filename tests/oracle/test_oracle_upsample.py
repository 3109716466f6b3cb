"""F.interpolate, Upsample and Unflatten against PyTorch: nearest/linear/bilinear/bicubic/trilinear/area by size or
scale factor (align_corners, recompute_scale_factor), values, gradients and grad_fn names in float32 and float64,
reprs, argument errors; gradcheck and gradgradcheck."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle

CASES = [
    ((1, 2, 5), {"scale_factor": 2}),
    ((1, 2, 5), {"size": 7}),
    ((1, 2, 5), {"size": 3}),
    ((2, 1, 6), {"scale_factor": 1.7}),
    ((2, 1, 6), {"scale_factor": 0.45}),
    ((1, 2, 5), {"scale_factor": 1.7, "mode": "linear"}),
    ((1, 2, 5), {"scale_factor": 0.3, "mode": "linear"}),
    ((1, 2, 5), {"size": 8, "mode": "linear", "align_corners": True}),
    ((1, 2, 5), {"size": 1, "mode": "linear", "align_corners": True}),
    ((2, 3, 4, 5), {"scale_factor": 2}),
    ((2, 3, 4, 5), {"scale_factor": 2.3}),
    ((2, 3, 4, 5), {"size": (3, 9)}),
    ((2, 3, 4, 5), {"size": (7, 3), "mode": "bilinear"}),
    ((2, 3, 4, 5), {"size": 6, "mode": "bilinear", "align_corners": False}),
    ((2, 3, 4, 5), {"scale_factor": (1.5, 0.6), "mode": "bilinear"}),
    ((2, 3, 4, 5), {"scale_factor": 2.3, "mode": "bilinear", "align_corners": True}),
    ((2, 3, 4, 5), {"scale_factor": 1.3, "mode": "bilinear", "recompute_scale_factor": True}),
    ((2, 3, 5, 7), {"size": (9, 12), "mode": "bicubic"}),
    ((2, 3, 5, 7), {"size": (9, 12), "mode": "bicubic", "align_corners": True}),
    ((2, 3, 5, 7), {"size": (3, 4), "mode": "bicubic"}),
    ((2, 3, 5, 7), {"size": (2, 13), "mode": "bicubic", "align_corners": True}),
    ((1, 2, 5, 7), {"size": (1, 1), "mode": "bicubic", "align_corners": True}),
    ((1, 2, 4, 5), {"scale_factor": 2, "mode": "bicubic"}),
    ((1, 2, 4, 5), {"scale_factor": (1.7, 2.3), "mode": "bicubic", "align_corners": False}),
    ((1, 2, 4, 5), {"scale_factor": 0.6, "mode": "bicubic", "align_corners": True}),
    ((1, 2, 4, 5), {"scale_factor": 1.3, "mode": "bicubic", "recompute_scale_factor": True}),
    ((1, 1, 1, 3), {"size": (4, 2), "mode": "bicubic"}),
    ((1, 1, 2, 3, 4), {"scale_factor": 1.5}),
    ((1, 1, 2, 3, 4), {"size": (3, 2, 5), "mode": "trilinear", "align_corners": True}),
    ((1, 1, 2, 3, 4), {"scale_factor": 1.5, "mode": "trilinear"}),
    ((1, 2, 7), {"size": 3, "mode": "area"}),
    ((2, 3, 4, 5), {"size": (2, 3), "mode": "area"}),
    ((2, 3, 4, 6), {"scale_factor": 0.5, "mode": "area"}),
    ((2, 3, 4, 5), {"scale_factor": 1.5, "mode": "area"}),
    ((1, 1, 4, 3, 5), {"size": (2, 3, 2), "mode": "area"}),
]


@pytest.mark.parametrize("shape, options", CASES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_interpolate_matches_torch(oracle, shape, options, dtype):
    x = oracle.rng(len(shape)).standard_normal(shape).astype(dtype)
    e, t = oracle.check(lambda lib, a: lib.nn.functional.interpolate(a, **options), x)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t)


@pytest.mark.parametrize("shape, options", CASES[::4], ids=str)
def test_upsample_module_matches_torch(oracle, shape, options):
    x = oracle.rng(1).standard_normal(shape)
    e, t = ember.nn.Upsample(**options), torch.nn.Upsample(**options)
    assert repr(e) == repr(t)
    oracle.check(lambda lib, a: (e if lib is ember else t)(a), x)


@pytest.mark.parametrize("options", [{"scale_factor": 2}, {"size": (3, 4), "mode": "bilinear", "align_corners": True},
                                     {"scale_factor": (2, 3), "mode": "bilinear"}], ids=str)
def test_upsample_repr_matches_torch(options):
    assert repr(ember.nn.Upsample(**options)) == repr(torch.nn.Upsample(**options))


X3, X4 = (1, 2, 5), (1, 2, 3, 4)
INTERPOLATE_ERRORS = [
    (X4, {}),
    (X4, {"size": 3, "scale_factor": 2}),
    (X4, {"size": (3, 4, 5)}),
    (X4, {"scale_factor": (2, 2, 2)}),
    (X4, {"scale_factor": 2, "mode": "linear"}),
    (X3, {"scale_factor": 2, "mode": "bilinear"}),
    (X4, {"scale_factor": 2, "align_corners": True}),
    (X4, {"scale_factor": 2, "mode": "foo"}),
    (X4, {"size": (0, 3)}),
    (X4, {"scale_factor": 0.1}),
    ((3,), {"scale_factor": 2}),
    (X4, {"size": (3, 4), "recompute_scale_factor": True}),
    (X4, {"scale_factor": 2, "antialias": True}),
    (X4, {"size": (3.5, 2)}),
    (X4, {"size": 2, "mode": "area", "align_corners": False}),
    (X3, {"scale_factor": 2, "mode": "bicubic"}),
    ((1, 1, 2, 3, 4), {"scale_factor": 2, "mode": "bicubic"}),
    (X4, {"size": (0, 3), "mode": "bicubic"}),
    (X3, {"scale_factor": 2, "mode": "bicubic", "antialias": True}),
]


@pytest.mark.parametrize("shape, options", INTERPOLATE_ERRORS, ids=str)
def test_interpolate_errors_match_torch(shape, options):
    with pytest.raises(Exception) as expected:
        torch.nn.functional.interpolate(torch.zeros(shape), **options)
    with pytest.raises(expected.type) as got:
        ember.nn.functional.interpolate(ember.zeros(shape), **options)
    assert str(got.value) == str(expected.value).replace("torch.", "ember.")


def test_interpolate_refuses_integer_input():
    """Bicubic's error is PyTorch's (it names its CPU kernel); nearest's names ember's op (PyTorch's kernel name
    depends on the memory format it picks)."""
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        ember.nn.functional.interpolate(ember.zeros(1, 1, 2, 2, dtype=ember.long), scale_factor=2)
    with pytest.raises(NotImplementedError) as expected:
        torch.nn.functional.interpolate(torch.zeros(1, 1, 2, 2, dtype=torch.long), scale_factor=2, mode="bicubic")
    with pytest.raises(NotImplementedError) as got:
        ember.nn.functional.interpolate(ember.zeros(1, 1, 2, 2, dtype=ember.long), scale_factor=2, mode="bicubic")
    assert str(got.value) == str(expected.value)


def test_interpolate_refuses_the_unimplemented_modes():
    with pytest.raises(NotImplementedError, match="'lanczos' is not implemented in ember"):
        ember.nn.functional.interpolate(ember.zeros(1, 1, 2, 2), scale_factor=2, mode="lanczos")
    with pytest.raises(NotImplementedError, match="antialias=True is not implemented in ember"):
        ember.nn.functional.interpolate(ember.zeros(1, 1, 2, 2), scale_factor=2, mode="bicubic", antialias=True)


@pytest.mark.parametrize("shape, options", [
    ((1, 2, 4), {"scale_factor": 1.6, "mode": "linear"}),
    ((1, 1, 3, 4), {"size": (5, 3), "mode": "bilinear", "align_corners": True}),
    ((1, 1, 3, 4), {"scale_factor": 1.5}),
    ((1, 2, 3, 4), {"size": (5, 3), "mode": "bicubic"}),
    ((1, 1, 3, 4), {"scale_factor": 1.7, "mode": "bicubic", "align_corners": True}),
], ids=str)
def test_interpolate_gradcheck_and_gradgradcheck(shape, options):
    x = ember.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)

    def fn(a):
        return ember.nn.functional.interpolate(a, **options)

    assert ember.autograd.gradcheck(fn, (x,))
    assert ember.autograd.gradgradcheck(fn, (x,))


@pytest.mark.parametrize("dim, sizes, shape", [(1, (2, 3), (4, 6)), (-1, [2, -1], (2, 3, 8)), (0, (1, 2), (2, 5))],
                         ids=str)
def test_unflatten_matches_torch(oracle, dim, sizes, shape):
    e, t = ember.nn.Unflatten(dim, sizes), torch.nn.Unflatten(dim, sizes)
    assert repr(e) == repr(t)
    oracle.check(lambda lib, a: (e if lib is ember else t)(a), oracle.rng(0).standard_normal(shape))


@pytest.mark.parametrize("sizes", [2, (2, 3.0), ((2, 3),)], ids=str)
def test_unflatten_argument_errors_match_torch(sizes):
    with pytest.raises(TypeError) as expected:
        torch.nn.Unflatten(1, sizes)
    with pytest.raises(TypeError) as got:
        ember.nn.Unflatten(1, sizes)
    assert str(got.value) == str(expected.value)


def test_unflatten_size_mismatch_is_a_runtime_error():
    with pytest.raises(RuntimeError):
        torch.nn.Unflatten(1, (2, 3))(torch.zeros(2, 5))
    with pytest.raises(RuntimeError):
        ember.nn.Unflatten(1, (2, 3))(ember.zeros(2, 5))
