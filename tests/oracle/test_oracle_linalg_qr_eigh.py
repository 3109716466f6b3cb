"""torch.linalg's QR and symmetric eigen family against PyTorch: linalg.qr (reduced, complete, 'r'), torch.qr,
Tensor.qr, geqrf, linalg.householder_product (orgqr), linalg.eigh and eigvalsh (lower and upper triangle); values
(batched, tall, wide, transposed inputs, empty matrices), gradients, grad_fn names, second derivatives (gradcheck
and gradgradcheck in float64), out= and the errors (integer, half, shapes, modes, UPLO, the backward of mode='r',
of a complete tall QR and of geqrf, torch.symeig's removal). QR and geqrf are compared as they are: both give
LAPACK's factors (R's diagonal signs included); eigenvectors are compared with each column's sign fixed by its
sum, as any two eigensolvers may differ there."""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest
from outcomes import assert_same_error

torch = pytest.importorskip("torch")

# torch.qr's deprecation warning (ember's included) is checked once, below
pytestmark = [pytest.mark.oracle, pytest.mark.filterwarnings("ignore:torch.qr is deprecated"),
              pytest.mark.filterwarnings("ignore:ember.qr is deprecated")]


def normal(rng, shape, dtype):
    return rng.standard_normal(shape).astype(dtype)


def symmetric(rng, shape, dtype):
    m = rng.standard_normal(shape)
    return (m + np.swapaxes(m, -1, -2)).astype(dtype)


def signed(lib, vectors):
    """The eigenvectors with each column's sign fixed (its sum made positive): sign-invariant, and
    differentiable as the vectors are (sign's derivative is 0)."""
    return vectors * lib.sign(vectors.sum(-2, keepdim=True))


def eigh_signed(lib, a, UPLO="L"):
    values, vectors = lib.linalg.eigh(a, UPLO)
    return values, signed(lib, vectors)


# name -> (the call on lib, [(maker, shape)] of its operand)
CASES = {
    "linalg.qr square": (lambda lib, a: tuple(lib.linalg.qr(a)), (normal, (3, 3))),
    "linalg.qr tall batched": (lambda lib, a: tuple(lib.linalg.qr(a)), (normal, (2, 5, 3))),
    "linalg.qr wide": (lambda lib, a: tuple(lib.linalg.qr(a)), (normal, (3, 5))),
    "linalg.qr complete square": (lambda lib, a: tuple(lib.linalg.qr(a, mode="complete")), (normal, (2, 3, 3))),
    "linalg.qr complete wide": (lambda lib, a: tuple(lib.linalg.qr(a, "complete")), (normal, (2, 3, 5))),
    "linalg.qr of a transposed view": (lambda lib, a: tuple(lib.linalg.qr(a.mT)), (normal, (2, 3, 4))),
    "linalg.qr Q only": (lambda lib, a: lib.linalg.qr(a).Q, (normal, (4, 3))),
    "linalg.qr R only": (lambda lib, a: lib.linalg.qr(a).R, (normal, (4, 3))),
    "torch.qr": (lambda lib, a: tuple(lib.qr(a)), (normal, (4, 3))),
    "torch.qr some=False": (lambda lib, a: tuple(lib.qr(a, some=False)), (normal, (3, 4))),
    "Tensor.qr": (lambda lib, a: tuple(a.qr()), (normal, (2, 3, 3))),
    "linalg.eigh": (eigh_signed, (symmetric, (3, 3))),
    "linalg.eigh batched upper": (lambda lib, a: eigh_signed(lib, a, "U"), (symmetric, (2, 4, 4))),
    "linalg.eigh lower triangle of a nonsymmetric input": (eigh_signed, (normal, (4, 4))),
    "linalg.eigh upper triangle of a nonsymmetric input": (lambda lib, a: eigh_signed(lib, a, UPLO="U"),
                                                           (normal, (2, 3, 3))),
    "linalg.eigh eigenvalues only": (lambda lib, a: lib.linalg.eigh(a).eigenvalues, (symmetric, (4, 4))),
    "linalg.eigh eigenvectors only": (lambda lib, a: signed(lib, lib.linalg.eigh(a).eigenvectors),
                                      (symmetric, (2, 3, 3))),
    "linalg.eigvalsh": (lambda lib, a: lib.linalg.eigvalsh(a), (symmetric, (3, 3))),
    "linalg.eigvalsh upper batched": (lambda lib, a: lib.linalg.eigvalsh(a, UPLO="U"), (normal, (2, 2, 4, 4))),
}


def _array(name, dtype):
    maker, shape = CASES[name][1]
    return maker(np.random.default_rng(len(name)), shape, dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(CASES))
def test_values_gradients_and_grad_fn_match_torch(oracle, name, dtype):
    tolerance = {"rtol": 1e-4, "atol": 1e-4} if dtype == "float32" else {}
    ember_result, torch_result = oracle.check(CASES[name][0], _array(name, dtype), **tolerance)
    for e, t in zip(*(r if isinstance(r, tuple) else (r,) for r in (ember_result, torch_result))):
        if t.grad_fn is not None and type(t.grad_fn).__name__ in ("LinalgQrBackward0", "LinalgEighBackward0"):
            assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t), name


@pytest.mark.parametrize("name", list(CASES))
def test_second_derivatives_are_finite_differences_of_the_first(oracle, name):
    """gradcheck and gradgradcheck in float64; eigh's input is symmetrised first (it reads one triangle, so
    finite differences of the other would be 0 where PyTorch's gradient is not)."""
    fn, (maker, _) = CASES[name]
    eigen = "eig" in name

    def call(t):
        return fn(oracle.ember, (t + t.mT) / 2 if eigen else t)
    leaf = oracle.ember.tensor(_array(name, "float64"), requires_grad=True)
    assert oracle.ember.autograd.gradcheck(call, (leaf,))
    assert oracle.ember.autograd.gradgradcheck(call, (leaf,))


# name -> (the call on lib, shapes of input and tau)
HOUSEHOLDER = {
    "linalg.householder_product": (lambda lib, a, tau: lib.linalg.householder_product(a, tau), ((4, 3), (2,))),
    "linalg.householder_product batched, every column": (
        lambda lib, a, tau: lib.linalg.householder_product(a, tau), ((2, 5, 3), (2, 3))),
    "linalg.householder_product square": (lambda lib, a, tau: lib.linalg.householder_product(a, tau), ((3, 3), (3,))),
    "orgqr": (lambda lib, a, tau: lib.orgqr(a, tau), ((2, 4, 2), (2, 2))),
    "Tensor.orgqr": (lambda lib, a, tau: a.orgqr(tau), ((4, 4), (1,))),
}


def _householder_arrays(name, dtype):
    rng = np.random.default_rng(len(name))
    return [normal(rng, shape, dtype) for shape in HOUSEHOLDER[name][1]]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(HOUSEHOLDER))
def test_householder_product_matches_torch(oracle, name, dtype):
    tolerance = {"rtol": 1e-4, "atol": 1e-4} if dtype == "float32" else {}
    ember_result, torch_result = oracle.check(HOUSEHOLDER[name][0], *_householder_arrays(name, dtype), **tolerance)
    assert oracle.grad_fn_name(ember_result) == oracle.grad_fn_name(torch_result) == \
        "LinalgHouseholderProductBackward0"


@pytest.mark.parametrize("name", list(HOUSEHOLDER))
def test_householder_product_second_derivatives(oracle, name):
    leaves = tuple(oracle.ember.tensor(a, requires_grad=True) for a in _householder_arrays(name, "float64"))
    call = lambda *tensors: HOUSEHOLDER[name][0](oracle.ember, *tensors)  # noqa: E731
    assert oracle.ember.autograd.gradcheck(call, leaves)
    assert oracle.ember.autograd.gradgradcheck(call, leaves)


def test_householder_product_without_reflectors_is_the_identity_without_gradients(oracle):
    oracle.check(lambda lib, a, tau: lib.linalg.householder_product(a, tau), np.ones((4, 3)), np.ones(0))


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (1, 1), (3, 0), (0, 2, 2)])
def test_geqrf_matches_torch(oracle, shape):
    a = normal(np.random.default_rng(5), shape, "float64")
    oracle.check(lambda lib, a: tuple(lib.geqrf(a)), a, grad=False)
    oracle.check(lambda lib, a: tuple(a.geqrf()), a.astype(np.float32), grad=False, rtol=1e-4, atol=1e-5)


def test_householder_product_of_geqrf_is_the_q_of_qr(oracle):
    a = normal(np.random.default_rng(6), (2, 5, 3), "float64")
    oracle.check(lambda lib, a: (lib.linalg.householder_product(*lib.geqrf(a)), lib.linalg.qr(a).Q), a, grad=False)


def test_geqrf_records_a_node_that_refuses_to_differentiate(oracle):
    a = oracle.ember.randn(3, 2, dtype=oracle.ember.float64, requires_grad=True)
    result = oracle.ember.geqrf(a)
    assert oracle.grad_fn_name(result.a) == oracle.grad_fn_name(result.tau) == "GeqrfBackward0"


def test_the_results_are_the_named_tuples_of_torch(oracle):
    e, a = oracle.ember, np.eye(3)
    for lib_result, torch_result in ((e.linalg.qr(e.tensor(a)), torch.linalg.qr(torch.tensor(a))),
                                     (e.qr(e.tensor(a)), torch.qr(torch.tensor(a))),
                                     (e.linalg.eigh(e.tensor(a)), torch.linalg.eigh(torch.tensor(a))),
                                     (e.geqrf(e.tensor(a)), torch.geqrf(torch.tensor(a)))):
        assert type(lib_result).__name__ == type(torch_result).__name__
        assert lib_result._fields == tuple(torch_result._fields if hasattr(torch_result, "_fields") else
                                           type(torch_result).__match_args__)


def test_mode_r_gives_r_and_an_empty_q(oracle):
    a = normal(np.random.default_rng(0), (2, 5, 3), "float64")
    oracle.check(lambda lib, a: tuple(lib.linalg.qr(a, mode="r")), a, grad=False)


def test_torch_qr_warns_once_as_torch_does(oracle, monkeypatch):
    monkeypatch.setattr(importlib.import_module("ember._ops.qr_ops"), "_warned", False)
    with pytest.warns(UserWarning, match="ember.qr is deprecated in favor of ember.linalg.qr"):
        oracle.ember.qr(oracle.ember.eye(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        oracle.ember.eye(2).qr()


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (2, 0, 0), (0, 2, 3)])
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr_of_empty_matrices_matches_torch(oracle, shape, mode):
    oracle.check(lambda lib, a: tuple(lib.linalg.qr(a, mode=mode)), np.zeros(shape), grad=False)


@pytest.mark.parametrize("shape", [(0, 0), (2, 0, 0), (0, 3, 3)])
def test_eigh_of_empty_matrices_matches_torch(oracle, shape):
    oracle.check(lambda lib, a: tuple(lib.linalg.eigh(a)), np.zeros(shape), grad=False)
    oracle.check(lambda lib, a: lib.linalg.eigvalsh(a), np.zeros(shape), grad=False)


def test_repeated_eigenvalues_keep_their_values(oracle):
    a = np.diag([2.0, 2.0, -1.0])
    oracle.check(lambda lib, a: lib.linalg.eigvalsh(a), a, grad=False)
    oracle.check(lambda lib, a: lib.linalg.eigh(a).eigenvalues, a, grad=False)


def test_eigenvalues_do_not_need_grad_to_record_eigenvectors(oracle):
    """eigvalsh of an input that requires grad records LinalgEighBackward0; under no_grad, nothing."""
    a = oracle.ember.tensor(symmetric(np.random.default_rng(2), (3, 3), "float64"), requires_grad=True)
    assert type(oracle.ember.linalg.eigvalsh(a).grad_fn).__name__ == "LinalgEighBackward0"
    with oracle.ember.no_grad():
        assert oracle.ember.linalg.eigvalsh(a).grad_fn is None


def _out(lib, like):
    return lib.empty(tuple(like.shape), dtype=like.dtype)


def test_out_writes_each_result(oracle):
    e = oracle.ember
    a = symmetric(np.random.default_rng(3), (2, 3, 3), "float64")
    for op in ("qr", "eigh"):
        expected = getattr(torch.linalg, op)(torch.tensor(a))
        got = getattr(e.linalg, op)(e.tensor(a))
        out = tuple(_out(e, t) for t in got)
        result = getattr(e.linalg, op)(e.tensor(a), out=out)
        assert all(r is o for r, o in zip(result, out)), op
        if op == "qr":
            oracle.assert_same(tuple(out), tuple(expected), op)
        else:
            oracle.assert_same((out[0], signed(e, out[1])), (expected[0], signed(torch, expected[1])), op)
    out = _out(e, e.tensor(a[..., 0]))
    assert e.linalg.eigvalsh(e.tensor(a), out=out) is out
    oracle.assert_same(out, torch.linalg.eigvalsh(torch.tensor(a)), "eigvalsh")


SQUARE = np.eye(3)
ERRORS = {
    "qr integer": (lambda lib, a: lib.linalg.qr(a), [np.eye(2, dtype=np.int64)]),
    "qr bool": (lambda lib, a: lib.linalg.qr(a), [np.eye(2, dtype=bool)]),
    "qr half": (lambda lib, a: lib.linalg.qr(a), [np.eye(2, dtype=np.float16)]),
    "qr 1-d": (lambda lib, a: lib.linalg.qr(a), [np.ones(3)]),
    "qr unknown mode": (lambda lib, a: lib.linalg.qr(a, mode="R"), [SQUARE]),
    "qr integer, unknown mode": (lambda lib, a: lib.linalg.qr(a, mode="x"), [np.eye(2, dtype=np.int64)]),
    "qr half, unknown mode": (lambda lib, a: lib.linalg.qr(a, mode="x"), [np.eye(2, dtype=np.float16)]),
    "qr mode not a str": (lambda lib, a: lib.linalg.qr(a, mode=1), [SQUARE]),
    "qr of a list": (lambda lib, a: lib.linalg.qr(a.tolist()), [SQUARE]),
    "torch.qr some not a bool": (lambda lib, a: lib.qr(a, some=1), [SQUARE]),
    "torch.qr 1-d": (lambda lib, a: lib.qr(a), [np.ones(3)]),
    "qr mode='r' backward": (lambda lib, a: lib.linalg.qr(a.requires_grad_(), mode="r").R.sum().backward(),
                             [np.ones((3, 2))]),
    "qr complete tall backward": (
        lambda lib, a: lib.linalg.qr(a.requires_grad_(), mode="complete").R.sum().backward(), [np.eye(3, 2)]),
    "qr out= of another dtype": (lambda lib, a: lib.linalg.qr(a, out=(lib.empty(3, 3), lib.empty(3, 3))), [SQUARE]),
    "qr out= with grad": (lambda lib, a: lib.linalg.qr(a.requires_grad_(), out=(lib.empty(3, 3, dtype=lib.float64),
                                                                             lib.empty(3, 3, dtype=lib.float64))),
                          [SQUARE]),
    "eigh integer": (lambda lib, a: lib.linalg.eigh(a), [np.eye(2, dtype=np.int64)]),
    "eigh bool": (lambda lib, a: lib.linalg.eigh(a), [np.eye(2, dtype=bool)]),
    "eigh half": (lambda lib, a: lib.linalg.eigh(a), [np.eye(2, dtype=np.float16)]),
    "eigh 1-d": (lambda lib, a: lib.linalg.eigh(a), [np.ones(3)]),
    "eigh not square": (lambda lib, a: lib.linalg.eigh(a), [np.ones((2, 3))]),
    "eigh unknown UPLO": (lambda lib, a: lib.linalg.eigh(a, UPLO="X"), [SQUARE]),
    "eigh integer, unknown UPLO": (lambda lib, a: lib.linalg.eigh(a, "LU"), [np.eye(2, dtype=np.int64)]),
    "eigh 1-d, unknown UPLO": (lambda lib, a: lib.linalg.eigh(a, "X"), [np.ones(3)]),
    "eigh UPLO not a str": (lambda lib, a: lib.linalg.eigh(a, UPLO=1), [SQUARE]),
    "eigh of a list": (lambda lib, a: lib.linalg.eigh(a.tolist()), [SQUARE]),
    "eigh out= of another dtype": (lambda lib, a: lib.linalg.eigh(a, out=(lib.empty(3), lib.empty(3, 3))), [SQUARE]),
    "eigvalsh integer": (lambda lib, a: lib.linalg.eigvalsh(a), [np.eye(2, dtype=np.int32)]),
    "eigvalsh not square": (lambda lib, a: lib.linalg.eigvalsh(a), [np.ones((3, 2))]),
    "eigvalsh unknown UPLO": (lambda lib, a: lib.linalg.eigvalsh(a, ""), [SQUARE]),
    "eigvalsh UPLO not a str": (lambda lib, a: lib.linalg.eigvalsh(a, UPLO=None), [SQUARE]),
    "eigvalsh of a list": (lambda lib, a: lib.linalg.eigvalsh(a.tolist()), [SQUARE]),
    "eigvalsh out= of another dtype": (lambda lib, a: lib.linalg.eigvalsh(a, out=lib.empty(3)), [SQUARE]),
    "householder_product integer": (lambda lib, a: lib.linalg.householder_product(a, a[:, 0]),
                                    [np.eye(3, dtype=np.int64)]),
    "householder_product half": (lambda lib, a: lib.linalg.householder_product(a, a[:, 0]),
                                 [np.eye(3, dtype=np.float16)]),
    "householder_product 1-d": (lambda lib, a: lib.linalg.householder_product(a, a), [np.ones(3)]),
    "householder_product wide": (lambda lib, a: lib.linalg.householder_product(a, a[:, 0]), [np.ones((2, 3))]),
    "householder_product too many reflectors": (lambda lib, a: lib.linalg.householder_product(a[:, :2], a[:, 0]),
                                                [SQUARE]),
    "householder_product tau of another batch": (
        lambda lib, a: lib.linalg.householder_product(a, a[:, :, 0].mT), [np.ones((2, 3, 3))]),
    "householder_product tau of another ndim": (lambda lib, a: lib.linalg.householder_product(a, a[0, 0]),
                                                [np.ones((2, 3, 3))]),
    "householder_product dtypes differ": (lambda lib, a: lib.linalg.householder_product(a, a[:, 0].float()),
                                          [SQUARE]),
    "householder_product tau a list": (lambda lib, a: lib.linalg.householder_product(a, [1.0]), [SQUARE]),
    "householder_product out= with grad": (
        lambda lib, a: lib.linalg.householder_product(a.requires_grad_(), a[:, 0], out=lib.empty(3, 3)), [SQUARE]),
    "geqrf 1-d": (lambda lib, a: lib.geqrf(a), [np.ones(3)]),
    "geqrf integer": (lambda lib, a: lib.geqrf(a), [np.eye(2, dtype=np.int64)]),
    "geqrf half": (lambda lib, a: lib.geqrf(a), [np.eye(2, dtype=np.float16)]),
    "geqrf of a list": (lambda lib, a: lib.geqrf(a.tolist()), [SQUARE]),
    "geqrf backward": (lambda lib, a: lib.geqrf(a.requires_grad_()).a.sum().backward(), [SQUARE]),
    "symeig": (lambda lib, a: lib.symeig(a), [SQUARE]),
    "symeig with eigenvectors": (lambda lib, a: lib.symeig(a, eigenvectors=True), [SQUARE]),
    "Tensor.symeig": (lambda lib, a: a.symeig(), [SQUARE]),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(oracle, name):
    fn, arrays = ERRORS[name]
    assert_same_error(lambda lib: fn(lib, *(lib.tensor(a) for a in arrays)), oracle.ember, torch)


def test_uplo_is_case_insensitive_as_torch(oracle):
    a = normal(np.random.default_rng(4), (3, 3), "float64")
    oracle.check(lambda lib, a: lib.linalg.eigvalsh(a, UPLO="u"), a, grad=False)
