"""torch.linalg's LU/Cholesky family against PyTorch: det, slogdet, logdet, inv(_ex), inverse, solve(_ex),
cholesky(_ex), solve_triangular, cholesky_solve, lu_factor(_ex), lu, lu_solve and matrix_power's negative
powers; values (batched, broadcast, vector right-hand sides, wide and tall LU), gradients, grad_fn names, second
derivatives (gradgradcheck in float64), the info of the _ex forms and the errors (LinAlgError for singular and
not positive-definite input, with PyTorch's messages)."""

from __future__ import annotations

import numpy as np
import pytest
from outcomes import same_message, settled

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle


def invertible(rng, shape, dtype):
    """Well-conditioned matrices: normal entries plus n on the diagonal."""
    n = shape[-1]
    return (rng.standard_normal(shape) + n * np.eye(n)).astype(dtype)


def positive_definite(rng, shape, dtype):
    m = rng.standard_normal(shape)
    return (m @ np.swapaxes(m, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def normal(rng, shape, dtype):
    return rng.standard_normal(shape).astype(dtype)


# name -> (the call on lib, [(maker, shape)] of its operands)
CASES = {
    "linalg.det": (lambda lib, a: lib.linalg.det(a), [(invertible, (3, 3))]),
    "linalg.det batched": (lambda lib, a: lib.linalg.det(a), [(invertible, (2, 3, 4, 4))]),
    "linalg.det 1x1": (lambda lib, a: lib.linalg.det(a), [(invertible, (1, 1))]),
    "torch.det": (lambda lib, a: lib.det(a), [(invertible, (2, 3, 3))]),
    "Tensor.det": (lambda lib, a: a.det(), [(invertible, (3, 3))]),
    "linalg.slogdet": (lambda lib, a: tuple(lib.linalg.slogdet(a)), [(normal, (2, 4, 4))]),
    "torch.slogdet": (lambda lib, a: tuple(lib.slogdet(a)), [(normal, (3, 3))]),
    "Tensor.slogdet": (lambda lib, a: tuple(a.slogdet()), [(normal, (3, 3))]),
    "logdet": (lambda lib, a: lib.logdet(a), [(positive_definite, (2, 3, 3))]),
    "logdet negative determinant": (lambda lib, a: lib.logdet(-a), [(positive_definite, (3, 3))]),
    "Tensor.logdet": (lambda lib, a: a.logdet(), [(positive_definite, (3, 3))]),
    "linalg.inv": (lambda lib, a: lib.linalg.inv(a), [(invertible, (2, 4, 4))]),
    "linalg.inv_ex": (lambda lib, a: tuple(lib.linalg.inv_ex(a)), [(invertible, (3, 3))]),
    "inverse": (lambda lib, a: lib.inverse(a), [(invertible, (3, 3))]),
    "Tensor.inverse": (lambda lib, a: a.inverse(), [(invertible, (2, 3, 3))]),
    "linalg.solve": (lambda lib, a, b: lib.linalg.solve(a, b), [(invertible, (3, 3)), (normal, (3, 2))]),
    "linalg.solve vector": (lambda lib, a, b: lib.linalg.solve(a, b), [(invertible, (3, 3)), (normal, (3,))]),
    "linalg.solve batch of vectors": (lambda lib, a, b: lib.linalg.solve(a, b),
                                      [(invertible, (4, 3, 3)), (normal, (4, 3))]),
    "linalg.solve vector broadcast": (lambda lib, a, b: lib.linalg.solve(a, b),
                                      [(invertible, (4, 3, 3)), (normal, (3,))]),
    "linalg.solve broadcast batch": (lambda lib, a, b: lib.linalg.solve(a, b),
                                     [(invertible, (2, 1, 3, 3)), (normal, (4, 3, 2))]),
    "linalg.solve left=False": (lambda lib, a, b: lib.linalg.solve(a, b, left=False),
                                [(invertible, (2, 3, 3)), (normal, (2, 4, 3))]),
    "linalg.solve_ex": (lambda lib, a, b: tuple(lib.linalg.solve_ex(a, b)),
                        [(invertible, (2, 3, 3)), (normal, (3, 1))]),
    "linalg.cholesky": (lambda lib, a: lib.linalg.cholesky(a), [(positive_definite, (2, 4, 4))]),
    "linalg.cholesky upper": (lambda lib, a: lib.linalg.cholesky(a, upper=True), [(positive_definite, (3, 3))]),
    "linalg.cholesky_ex": (lambda lib, a: tuple(lib.linalg.cholesky_ex(a)), [(positive_definite, (2, 3, 3))]),
    "linalg.solve_triangular upper": (lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=True),
                                      [(invertible, (2, 3, 3)), (normal, (2, 3, 2))]),
    "linalg.solve_triangular lower, right": (
        lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=False, left=False),
        [(invertible, (3, 3)), (normal, (2, 4, 3))]),
    "linalg.solve_triangular unitriangular": (
        lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=False, unitriangular=True),
        [(invertible, (3, 3)), (normal, (3, 2))]),
    "cholesky_solve": (lambda lib, b, a: lib.cholesky_solve(b, lib.linalg.cholesky(a)),
                       [(normal, (2, 3, 2)), (positive_definite, (3, 3))]),
    "cholesky_solve upper": (lambda lib, b, a: lib.cholesky_solve(b, lib.linalg.cholesky(a, upper=True), upper=True),
                             [(normal, (3, 2)), (positive_definite, (2, 3, 3))]),
    "Tensor.cholesky_solve": (lambda lib, b, a: b.cholesky_solve(lib.linalg.cholesky(a)),
                              [(normal, (3, 1)), (positive_definite, (3, 3))]),
    "linalg.matrix_power -1": (lambda lib, a: lib.linalg.matrix_power(a, -1), [(invertible, (3, 3))]),
    "linalg.matrix_power -3 batched": (lambda lib, a: lib.linalg.matrix_power(a, -3), [(invertible, (2, 3, 3))]),
    "Tensor.matrix_power -2": (lambda lib, a: a.matrix_power(-2), [(invertible, (3, 3))]),
    "linalg.lu_factor": (lambda lib, a: tuple(lib.linalg.lu_factor(a)), [(normal, (2, 4, 4))]),
    "linalg.lu_factor wide": (lambda lib, a: tuple(lib.linalg.lu_factor(a)), [(normal, (3, 5))]),
    "linalg.lu_factor tall": (lambda lib, a: tuple(lib.linalg.lu_factor(a)), [(normal, (2, 5, 3))]),
    "linalg.lu_factor_ex": (lambda lib, a: tuple(lib.linalg.lu_factor_ex(a)), [(normal, (3, 3))]),
    "linalg.lu": (lambda lib, a: tuple(lib.linalg.lu(a)), [(normal, (2, 4, 4))]),
    "linalg.lu wide": (lambda lib, a: tuple(lib.linalg.lu(a)), [(normal, (2, 3, 5))]),
    "linalg.lu tall": (lambda lib, a: tuple(lib.linalg.lu(a)), [(normal, (5, 3))]),
    "linalg.lu U only": (lambda lib, a: lib.linalg.lu(a).U, [(normal, (4, 4))]),
    "linalg.lu_solve": (lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b),
                        [(invertible, (2, 3, 3)), (normal, (2, 3, 2))]),
    "linalg.lu_solve adjoint": (lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b, adjoint=True),
                                [(invertible, (3, 3)), (normal, (2, 3, 2))]),
    "linalg.lu_solve left=False": (lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b, left=False),
                                   [(invertible, (2, 3, 3)), (normal, (2, 4, 3))]),
    "linalg.lu_solve left=False adjoint": (
        lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b, left=False, adjoint=True),
        [(invertible, (3, 3)), (normal, (4, 3))]),
    "linalg.lu_solve of a leaf LU": (
        lambda lib, lu, b: lib.linalg.lu_solve(lu, lib.tensor([2, 3, 3], dtype=lib.int32), b),
        [(invertible, (3, 3)), (normal, (3, 2))]),
}


def _arrays(name, dtype):
    rng = np.random.default_rng(len(name))
    return [maker(rng, shape, dtype) for maker, shape in CASES[name][1]]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(CASES))
def test_values_gradients_and_grad_fn_match_torch(oracle, name, dtype):
    tolerance = {"rtol": 1e-4, "atol": 1e-4} if dtype == "float32" else {}
    ember_result, torch_result = oracle.check(CASES[name][0], *_arrays(name, dtype), **tolerance)
    for e, t in zip(*(r if isinstance(r, tuple) else (r,) for r in (ember_result, torch_result))):
        assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t), name


@pytest.mark.parametrize("name", [n for n in CASES if "_ex" not in n and "negative" not in n])
def test_second_derivatives_are_finite_differences_of_the_first(oracle, name):
    """gradcheck and gradgradcheck in float64; a positive-definite operand is symmetrised first (a Cholesky
    factorization reads one triangle, so finite differences of the other would be 0)."""
    fn, makers = CASES[name]
    symmetric = [maker is positive_definite for maker, _ in makers]

    def call(*tensors):
        return fn(oracle.ember, *((t + t.mT) / 2 if sym else t for t, sym in zip(tensors, symmetric)))
    leaves = tuple(oracle.ember.tensor(a, requires_grad=True) for a in _arrays(name, "float64"))
    assert oracle.ember.autograd.gradcheck(call, leaves)
    assert oracle.ember.autograd.gradgradcheck(call, leaves)


SINGULAR = np.array([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 2.0], [2.0, 4.0]]])
NOT_POSITIVE = np.array([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 2.0], [2.0, 1.0]]])


def test_lu_factor_of_a_singular_matrix_keeps_its_zero_pivot(oracle):
    oracle.check(lambda lib, a: tuple(lib.linalg.lu_factor_ex(a)), SINGULAR, grad=False)
    oracle.check(lambda lib, a: tuple(lib.linalg.lu(a)), SINGULAR, grad=False)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_singular_matrices_have_zero_determinant_and_report_info(oracle, dtype):
    a = SINGULAR.astype(dtype)
    oracle.check(lambda lib, a: lib.linalg.det(a), a, grad=False)
    oracle.check(lambda lib, a: tuple(lib.linalg.slogdet(a)), a, grad=False)
    oracle.check(lambda lib, a: lib.linalg.inv_ex(a).info, a, grad=False)
    oracle.check(lambda lib, a: lib.linalg.solve_ex(a, a[0]).info, a, grad=False)
    oracle.check(lambda lib, a: lib.linalg.cholesky_ex(a).info, NOT_POSITIVE.astype(dtype), grad=False)
    oracle.check(lambda lib, a: lib.linalg.cholesky_ex(a[1]).info, NOT_POSITIVE.astype(dtype), grad=False)


def test_linalg_error_is_a_runtime_error(oracle):
    assert issubclass(oracle.ember.linalg.LinAlgError, RuntimeError)
    with pytest.raises(oracle.ember.linalg.LinAlgError):
        settled(oracle.ember.linalg.inv(oracle.ember.tensor(SINGULAR)))


ERRORS = {
    "inv singular batch": (lambda lib, a: lib.linalg.inv(a), [SINGULAR]),
    "inv singular": (lambda lib, a: lib.linalg.inv(a[1]), [SINGULAR]),
    "inv_ex check_errors": (lambda lib, a: lib.linalg.inv_ex(a, check_errors=True), [SINGULAR]),
    "solve singular": (lambda lib, a: lib.linalg.solve(a, a[0]), [SINGULAR]),
    "solve singular vector": (lambda lib, a: lib.linalg.solve(a[1], a[0, 0]), [SINGULAR]),
    "solve_ex check_errors": (lambda lib, a: lib.linalg.solve_ex(a, a, check_errors=True), [SINGULAR]),
    "cholesky not positive-definite": (lambda lib, a: lib.linalg.cholesky(a), [NOT_POSITIVE]),
    "cholesky upper reads the upper triangle": (lambda lib, a: lib.linalg.cholesky(a, upper=True),
                                                [np.array([[4.0, 100.0], [1.0, 3.0]])]),
    "cholesky_ex check_errors": (lambda lib, a: lib.linalg.cholesky_ex(-a, check_errors=True), [NOT_POSITIVE]),
    "det integer": (lambda lib, a: lib.linalg.det(a), [np.eye(2, dtype=np.int64)]),
    "det bool": (lambda lib, a: lib.linalg.det(a), [np.eye(2, dtype=bool)]),
    "det not square": (lambda lib, a: lib.linalg.det(a), [np.ones((2, 3))]),
    "det 1-d": (lambda lib, a: lib.linalg.det(a), [np.ones(3)]),
    "slogdet integer": (lambda lib, a: lib.linalg.slogdet(a), [np.eye(2, dtype=np.int64)]),
    "logdet not square": (lambda lib, a: lib.logdet(a), [np.ones((2, 3))]),
    "inv integer": (lambda lib, a: lib.linalg.inv(a), [np.eye(2, dtype=np.int64)]),
    "inverse integer": (lambda lib, a: lib.inverse(a), [np.eye(2, dtype=np.int32)]),
    "inv half": (lambda lib, a: lib.linalg.inv(a), [np.eye(2, dtype=np.float16)]),
    "matrix_power -2 integer": (lambda lib, a: lib.linalg.matrix_power(a, -2), [np.eye(2, dtype=np.int64)]),
    "matrix_power -1 singular": (lambda lib, a: lib.linalg.matrix_power(a, -1), [SINGULAR]),
    "det half": (lambda lib, a: lib.linalg.det(a), [np.eye(2, dtype=np.float16)]),
    "solve half": (lambda lib, a: lib.linalg.solve(a, a), [np.eye(2, dtype=np.float16)]),
    "cholesky half": (lambda lib, a: lib.linalg.cholesky(a), [np.eye(2, dtype=np.float16)]),
    "solve_triangular half": (lambda lib, a: lib.linalg.solve_triangular(a, a, upper=True),
                              [np.eye(2, dtype=np.float16)]),
    "lu_solve half": (lambda lib, a: lib.linalg.lu_solve(a, lib.tensor([1, 2], dtype=lib.int32), a),
                      [np.eye(2, dtype=np.float16)]),
    "inv not square": (lambda lib, a: lib.linalg.inv(a), [np.ones((2, 3))]),
    "inv 1-d": (lambda lib, a: lib.linalg.inv(a), [np.ones(2)]),
    "solve integer": (lambda lib, a: lib.linalg.solve(a, a), [np.eye(2, dtype=np.int64)]),
    "solve dtypes differ": (lambda lib, a, b: lib.linalg.solve(a, b), [np.eye(2, dtype=np.float32), np.ones(2)]),
    "solve shapes": (lambda lib, a, b: lib.linalg.solve(a, b), [np.eye(2), np.ones(3)]),
    "solve shapes, right": (lambda lib, a, b: lib.linalg.solve(a, b, left=False), [np.eye(2), np.ones((3, 3))]),
    "solve vector, right": (lambda lib, a, b: lib.linalg.solve(a, b, left=False), [np.eye(2), np.ones(2)]),
    "solve batch of vectors of another batch": (lambda lib, a, b: lib.linalg.solve(a, b),
                                                [np.ones((4, 2, 2)), np.ones((3, 2))]),
    "solve batches do not broadcast": (lambda lib, a, b: lib.linalg.solve(a, b), [np.ones((3, 2, 2)),
                                                                                  np.ones((4, 2, 5))]),
    "solve 0-d B": (lambda lib, a, b: lib.linalg.solve(a, b), [np.eye(2), np.array(1.0)]),
    "solve not square": (lambda lib, a: lib.linalg.solve(a, a), [np.ones((2, 3))]),
    "cholesky integer": (lambda lib, a: lib.linalg.cholesky(a), [np.eye(2, dtype=np.int64)]),
    "cholesky not square": (lambda lib, a: lib.linalg.cholesky(a), [np.ones((2, 3))]),
    "cholesky 1-d": (lambda lib, a: lib.linalg.cholesky(a), [np.ones(2)]),
    "solve_triangular 1-d B": (lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=True),
                               [np.eye(2), np.ones(2)]),
    "solve_triangular shapes": (lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=True),
                                [np.eye(2), np.ones((3, 3))]),
    "solve_triangular shapes, right": (lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=True, left=False),
                                       [np.eye(2), np.ones((4, 2, 3))]),
    "solve_triangular not square": (lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=True),
                                    [np.ones((2, 3)), np.ones((3, 3))]),
    "cholesky_solve shapes": (lambda lib, b, a: lib.cholesky_solve(b, a), [np.ones((3, 1)), np.eye(2)]),
    "cholesky_solve dtypes differ": (lambda lib, b, a: lib.cholesky_solve(b, a),
                                     [np.ones((2, 1), dtype=np.float32), np.eye(2)]),
    "cholesky_solve 1-d B": (lambda lib, b, a: lib.cholesky_solve(b, a), [np.ones(2), np.eye(2)]),
    "cholesky_solve not square": (lambda lib, b, a: lib.cholesky_solve(b, a), [np.ones((2, 1)), np.ones((2, 3))]),
    "lu_factor singular": (lambda lib, a: lib.linalg.lu_factor(a), [SINGULAR]),
    "lu_factor_ex check_errors": (lambda lib, a: lib.linalg.lu_factor_ex(a[1], check_errors=True), [SINGULAR]),
    "lu_factor without pivoting": (lambda lib, a: lib.linalg.lu_factor(a, pivot=False), [np.eye(2)]),
    "lu without pivoting": (lambda lib, a: lib.linalg.lu(a, pivot=False), [np.eye(2)]),
    "lu_factor integer": (lambda lib, a: lib.linalg.lu_factor(a), [np.eye(2, dtype=np.int64)]),
    "lu_factor 1-d": (lambda lib, a: lib.linalg.lu_factor(a), [np.ones(3)]),
    "lu 1-d": (lambda lib, a: lib.linalg.lu(a), [np.ones(3)]),
    "lu_solve 1-d B": (lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b), [np.eye(2), np.ones(2)]),
    "lu_solve shapes": (lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b),
                        [np.eye(3), np.ones((2, 2))]),
    "lu_solve shapes, right": (lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b, left=False),
                               [np.eye(3), np.ones((2, 2))]),
    "lu_solve int64 pivots": (lambda lib, a, b: lib.linalg.lu_solve(a, lib.linalg.lu_factor(a).pivots.long(), b),
                              [np.eye(3), np.ones((3, 2))]),
    "lu_solve pivots of another size": (
        lambda lib, a, b: lib.linalg.lu_solve(a, lib.linalg.lu_factor(a).pivots[:2], b), [np.eye(3), np.ones((3, 2))]),
    "lu_solve not square": (lambda lib, a, b: lib.linalg.lu_solve(a, lib.linalg.lu_factor(a[:, :3]).pivots, b),
                            [np.eye(3, 4), np.ones((3, 2))]),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(oracle, name):
    fn, arrays = ERRORS[name]
    with pytest.raises(Exception) as expected:
        fn(torch, *(torch.tensor(a) for a in arrays))
    with pytest.raises(Exception) as got:
        settled(fn(oracle.ember, *(oracle.ember.tensor(a) for a in arrays)))
    assert isinstance(got.value, RuntimeError) == isinstance(expected.value, RuntimeError), name
    assert type(got.value).__name__.strip("_") == type(expected.value).__name__.strip("_"), name
    assert same_message(got.value, expected.value), f"{got.value} != {expected.value}"


def test_solve_triangular_requires_upper(oracle):
    with pytest.raises(TypeError):
        oracle.ember.linalg.solve_triangular(oracle.ember.eye(2), oracle.ember.ones(2, 1))


@pytest.mark.parametrize("op", ["det", "inv", "cholesky"])
def test_empty_matrices_match_torch(oracle, op):
    oracle.check(lambda lib, a: getattr(lib.linalg, op)(a), np.zeros((2, 0, 0)), grad=False)


def test_out_writes_the_result(oracle):
    a = invertible(np.random.default_rng(0), (3, 3), "float64")
    for op in ("det", "inv", "cholesky"):
        x = a @ a.T if op == "cholesky" else a
        expected = getattr(torch.linalg, op)(torch.tensor(x))
        out = oracle.ember.empty(tuple(expected.shape), dtype=oracle.ember.float64)
        assert getattr(oracle.ember.linalg, op)(oracle.ember.tensor(x), out=out) is out
        oracle.assert_same(out, expected, op)


@pytest.mark.parametrize("op", ["slogdet", "inv_ex", "cholesky_ex", "lu_factor", "lu_factor_ex", "lu", "solve_ex"])
def test_out_writes_each_result_of_a_named_tuple(oracle, op):
    a = positive_definite(np.random.default_rng(1), (2, 3, 3), "float64")
    operands = (a, a[..., :1]) if op == "solve_ex" else (a,)
    expected = getattr(torch.linalg, op)(*(torch.tensor(x) for x in operands))
    out = tuple(oracle.ember.empty(tuple(t.shape), dtype=getattr(oracle.ember, str(t.dtype).split(".")[1]))
                for t in expected)
    result = getattr(oracle.ember.linalg, op)(*(oracle.ember.tensor(x) for x in operands), out=out)
    assert type(result).__name__ == type(expected).__name__.split(".")[-1]
    assert all(r is o for r, o in zip(result, out))
    oracle.assert_same(tuple(out), tuple(expected), op)
