"""torch.linalg's SVD family against PyTorch: linalg.svd, linalg.svdvals, torch.svd and Tensor.svd (singular
values exact to tolerance, singular vectors up to the sign of each pair, the full_matrices completion up to its
span), pinv/pinverse, matrix_rank, cond, matrix_norm/linalg.norm/torch.norm with 'nuc' and ±2, and lstsq with
PyTorch's results per driver; gradients of gauge-invariant functions and grad_fn names as PyTorch's, second
derivatives (gradcheck and gradgradcheck in float64, distinct singular values) and PyTorch's errors."""

from __future__ import annotations

import re

import numpy as np
import pytest
from outcomes import raised, same_message

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

INF = float("inf")


def normal(shape, dtype="float64", seed=0):
    """Standard normal matrices: distinct singular values (almost surely)."""
    return np.random.default_rng(seed + len(shape) * 7 + sum(shape)).standard_normal(shape).astype(dtype)


def _numpy(t):
    return t.detach().cpu().numpy().astype(np.float64)


def _assert_factors_match(ember_factors, torch_factors, a, full_matrices, tolerance):
    """U, S, Vh (V for torch.svd: `vh` below is its transpose) as PyTorch's: S to tolerance; the first k
    columns of U and rows of Vh up to one sign per singular pair; the columns beyond k spanning the same space."""
    (u, s, vh), (tu, ts, tvh) = ([_numpy(t) for t in f] for f in (ember_factors, torch_factors))
    assert u.shape == tu.shape and s.shape == ts.shape and vh.shape == tvh.shape
    np.testing.assert_allclose(s, ts, **tolerance)
    k = s.shape[-1]
    signs = np.sign(np.einsum("...ij,...ij->...j", u[..., :k], tu[..., :k]))
    np.testing.assert_allclose(u[..., :k] * signs[..., None, :], tu[..., :k], **tolerance)
    np.testing.assert_allclose(vh[..., :k, :] * signs[..., :, None], tvh[..., :k, :], **tolerance)
    if full_matrices:
        rest_u, rest_tu = u[..., k:], tu[..., k:]
        np.testing.assert_allclose(rest_u @ np.swapaxes(rest_u, -1, -2), rest_tu @ np.swapaxes(rest_tu, -1, -2),
                                   **tolerance)
        rest_v, rest_tv = vh[..., k:, :], tvh[..., k:, :]
        np.testing.assert_allclose(np.swapaxes(rest_v, -1, -2) @ rest_v, np.swapaxes(rest_tv, -1, -2) @ rest_tv,
                                   **tolerance)


def _tolerance(dtype):
    return {"rtol": 1e-4, "atol": 1e-5} if dtype == "float32" else {"rtol": 1e-9, "atol": 1e-11}


SHAPES = [(3, 3), (4, 3), (3, 5), (2, 4, 3), (2, 1, 3, 4), (1, 1), (0, 3), (3, 0), (2, 0, 0)]


@pytest.mark.parametrize("full_matrices", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_linalg_svd_matches_torch_up_to_signs(oracle, shape, dtype, full_matrices):
    a = normal(shape, dtype)
    ember_factors = oracle.ember.linalg.svd(oracle.ember.tensor(a), full_matrices=full_matrices)
    torch_factors = torch.linalg.svd(torch.tensor(a), full_matrices=full_matrices)
    assert type(ember_factors).__name__ == "linalg_svd" and ember_factors._fields == ("U", "S", "Vh")
    for e, t in zip(ember_factors, torch_factors):
        assert str(e.dtype).rsplit(".")[-1] == str(t.dtype).rsplit(".")[-1]
    _assert_factors_match(ember_factors, torch_factors, a, full_matrices, _tolerance(dtype))


@pytest.mark.parametrize("some", [True, False])
@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3)], ids=str)
def test_torch_svd_returns_v(oracle, shape, some):
    a = normal(shape)
    for call in (lambda lib, x: lib.svd(x, some=some), lambda lib, x: x.svd(some)):
        ember_factors = call(oracle.ember, oracle.ember.tensor(a))
        torch_factors = call(torch, torch.tensor(a))
        assert type(ember_factors).__name__ == "svd" and ember_factors._fields == ("U", "S", "V")
        _assert_factors_match([ember_factors.U, ember_factors.S, ember_factors.V.mT],
                              [torch_factors.U, torch_factors.S, torch_factors.V.mT], a, not some,
                              _tolerance("float64"))


def test_torch_svd_without_vectors_gives_zeros(oracle):
    """compute_uv=False: U (m, m) and V (n, n) zeros whatever `some`, S the singular values with its gradient."""
    oracle.check(lambda lib, x: tuple(lib.svd(x, compute_uv=False)), normal((2, 3, 4)))
    oracle.check(lambda lib, x: tuple(lib.svd(x, some=False, compute_uv=False)), normal((2, 4, 3)))


# Gauge-invariant functions of the factors (the same whichever sign LAPACK or Jacobi gives each pair), so values
# and gradients compare with PyTorch's directly.
def _signed(u, vh):
    """U and Vh with each singular pair's sign fixed by the sign of U's first row (differentiable a.e.)."""
    k = min(u.shape[-2], vh.shape[-1])
    sign = u[..., :1, :k].sign()
    return u[..., :k] * sign, vh[..., :k, :] * sign.mT


def _svd_functions(lib, a, full_matrices):
    u, s, vh = lib.linalg.svd(a, full_matrices=full_matrices)
    k = s.shape[-1]
    signed_u, signed_vh = _signed(u, vh)
    return s, (u[..., :k] * s[..., None, :]) @ vh[..., :k, :], signed_u, signed_vh


GAUGE_INVARIANT = {
    "linalg.svd": lambda lib, a: _svd_functions(lib, a, True),
    "linalg.svd reduced": lambda lib, a: _svd_functions(lib, a, False),
    "linalg.svdvals": lambda lib, a: lib.linalg.svdvals(a),
    "torch.svd": lambda lib, a: (lambda r: (r.S, *_signed(r.U, r.V.mT)))(lib.svd(a)),
    "torch.svd some=False": lambda lib, a: (lambda r: (r.S, *_signed(r.U, r.V.mT)))(lib.svd(a, some=False)),
    "Tensor.svd values": lambda lib, a: a.svd(compute_uv=False).S,
    "U's projector": lambda lib, a: (lambda u: u[..., :2] @ u[..., :2].mT)(lib.linalg.svd(a).U),
    "linalg.pinv": lambda lib, a: lib.linalg.pinv(a),
    "linalg.pinv rtol": lambda lib, a: lib.linalg.pinv(a, rtol=0.3),
    "linalg.pinv atol": lambda lib, a: lib.linalg.pinv(a, atol=1.0),
    "linalg.pinv rcond": lambda lib, a: lib.linalg.pinv(a, 0.3),
    "linalg.pinv hermitian": lambda lib, a: lib.linalg.pinv(a[..., :3, :3] + a[..., :3, :3].mT, hermitian=True),
    "linalg.pinv hermitian reads the lower triangle": lambda lib, a: lib.linalg.pinv(a[..., :3, :3], hermitian=True),
    "pinverse": lambda lib, a: lib.pinverse(a),
    "Tensor.pinverse": lambda lib, a: a.pinverse(rcond=0.3),
    "matrix_norm nuc": lambda lib, a: lib.linalg.matrix_norm(a, "nuc"),
    "matrix_norm 2": lambda lib, a: lib.linalg.matrix_norm(a, 2),
    "matrix_norm -2": lambda lib, a: lib.linalg.matrix_norm(a, -2),
    "matrix_norm 2 dims keepdim": lambda lib, a: lib.linalg.matrix_norm(a, 2, dim=(-1, 0), keepdim=True),
    "matrix_norm nuc dims": lambda lib, a: lib.linalg.matrix_norm(a, "nuc", dim=(0, -1)),
    "matrix_norm -2 dtype": lambda lib, a: lib.linalg.matrix_norm(a.float(), -2, dtype=lib.float64),
    "linalg.norm 2": lambda lib, a: lib.linalg.norm(a[0], 2),
    "linalg.norm nuc": lambda lib, a: lib.linalg.norm(a, "nuc", dim=(1, 2)),
    "torch.norm nuc": lambda lib, a: lib.norm(a[0], "nuc"),
    "Tensor.norm nuc": lambda lib, a: a.norm("nuc", dim=(0, 1)),
    "linalg.cond": lambda lib, a: lib.linalg.cond(a),
    "linalg.cond -2": lambda lib, a: lib.linalg.cond(a, -2),
    "linalg.cond nuc": lambda lib, a: lib.linalg.cond(a[..., :3, :3], "nuc"),
}
# operand shapes: every case takes one (2, 4, 3) batch unless named here
SQUARE = {"linalg.cond nuc"}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(GAUGE_INVARIANT))
def test_values_gradients_and_grad_fn_match_torch(oracle, name, dtype):
    tolerance = {"rtol": 2e-3, "atol": 1e-4} if dtype == "float32" else {"rtol": 1e-7, "atol": 1e-9}
    ember_result, torch_result = oracle.check(GAUGE_INVARIANT[name], normal((2, 4, 3), dtype), **tolerance)
    for e, t in zip(*(r if isinstance(r, tuple) else (r,) for r in (ember_result, torch_result))):
        assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t), name


# pinv's derivative is that of the exact pseudo-inverse of A: with singular values cut by the tolerance, or of a
# matrix that is not symmetric read as its lower triangle, it is not the derivative of the function computed (in
# PyTorch too); a float32 computation is not a float64 function. Finite differences check the others.
NOT_DIFFERENTIATED_AS_COMPUTED = {"linalg.pinv rtol", "linalg.pinv atol", "linalg.pinv rcond", "Tensor.pinverse",
                                  "linalg.pinv hermitian reads the lower triangle", "matrix_norm -2 dtype"}


@pytest.mark.parametrize("name", [name for name in GAUGE_INVARIANT if name not in NOT_DIFFERENTIATED_AS_COMPUTED])
def test_second_derivatives_are_finite_differences_of_the_first(oracle, name):
    a = oracle.ember.tensor(normal((2, 4, 3)), requires_grad=True)
    assert oracle.ember.autograd.gradcheck(lambda x: GAUGE_INVARIANT[name](oracle.ember, x), (a,))
    assert oracle.ember.autograd.gradgradcheck(lambda x: GAUGE_INVARIANT[name](oracle.ember, x), (a,))


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4)], ids=str)
def test_svd_gradients_of_wide_and_tall_matrices(oracle, shape):
    """svd_backward's three branches (m > n, m < n, square) from each factor's gradient alone."""
    a = oracle.ember.tensor(normal(shape), requires_grad=True)
    for index in range(4):  # S, U diag(S) Vh, U, Vh
        def call(x, index=index):
            return _svd_functions(oracle.ember, x, True)[index]
        assert oracle.ember.autograd.gradcheck(call, (a,))
        assert oracle.ember.autograd.gradgradcheck(call, (a,))
    oracle.check(lambda lib, x: _svd_functions(lib, x, True), normal(shape))


def test_every_factor_records_linalg_svd_backward(oracle):
    a = oracle.ember.tensor(normal((3, 4)), requires_grad=True)
    u, s, vh = oracle.ember.linalg.svd(a)
    assert {oracle.grad_fn_name(t) for t in (u, s, vh)} == {"LinalgSvdBackward0"}
    assert u.grad_fn is s.grad_fn is vh.grad_fn and (u.output_nr, s.output_nr, vh.output_nr) == (0, 1, 2)
    result = oracle.ember.svd(a)
    assert oracle.grad_fn_name(result.V) == "TransposeBackward0" == type(torch.svd(torch.ones(2, 2,
                                                                                  requires_grad=True)).V.grad_fn).__name__
    assert oracle.grad_fn_name(oracle.ember.linalg.svdvals(a)) == "LinalgSvdBackward0"
    with oracle.ember.no_grad():
        assert oracle.ember.linalg.svd(a).U.grad_fn is None


def test_a_gauge_variant_loss_is_differentiated_as_torch(oracle):
    """PyTorch checks gauge invariance only for complex input: a real loss of U's signs is differentiated as it
    is. With ember's signs made PyTorch's (constants), the gradients are PyTorch's."""
    array = normal((4, 3))
    t = torch.tensor(array, requires_grad=True)
    tu = torch.linalg.svd(t, full_matrices=False).U
    tu.sum().backward()
    e = oracle.ember.tensor(array, requires_grad=True)
    eu = oracle.ember.linalg.svd(e, full_matrices=False).U
    signs = np.sign((_numpy(eu) * _numpy(tu)).sum(0))
    (eu * oracle.ember.tensor(signs)).sum().backward()
    np.testing.assert_allclose(_numpy(e.grad), _numpy(t.grad), rtol=1e-7, atol=1e-9)


# --- matrix_rank --------------------------------------------------------------------------------------------

def _rank_deficient(shape, rank, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((*shape[:-1], rank)) @ rng.standard_normal((*shape[:-2], rank, shape[-1]))


RANKS = {
    "default": lambda lib, a: lib.linalg.matrix_rank(a),
    "tol": lambda lib, a: lib.linalg.matrix_rank(a, 1.0),
    "atol": lambda lib, a: lib.linalg.matrix_rank(a, atol=2.0),
    "rtol": lambda lib, a: lib.linalg.matrix_rank(a, rtol=0.2),
    "atol and rtol": lambda lib, a: lib.linalg.matrix_rank(a, atol=0.5, rtol=0.1),
    "tensor atol": lambda lib, a: lib.linalg.matrix_rank(a, atol=lib.tensor([0.5, 5.0], dtype=lib.float64)),
    "hermitian": lambda lib, a: lib.linalg.matrix_rank(a[..., :4, :4] + a[..., :4, :4].mT, hermitian=True),
    "hermitian reads the lower triangle": lambda lib, a: lib.linalg.matrix_rank(a[..., :4, :4].tril(), hermitian=True),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(RANKS))
def test_matrix_rank_matches_torch(oracle, name, dtype):
    a = np.concatenate([_rank_deficient((1, 5, 4), 2), _rank_deficient((1, 5, 4), 3, seed=1)]).astype(dtype)
    ember_rank, torch_rank = oracle.check(RANKS[name], a, grad=False)
    assert str(ember_rank.dtype) == "ember.int64"


def test_matrix_rank_of_empty_and_batched_matrices(oracle):
    for shape in ((0, 3), (3, 0), (2, 0, 0), (2, 3, 3)):
        oracle.check(lambda lib, a: lib.linalg.matrix_rank(a), np.ones(shape), grad=False)


# --- cond ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [None, 2, -2, "nuc"], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cond_from_singular_values_matches_torch(oracle, p, dtype):
    tolerance = {"rtol": 1e-3, "atol": 1e-4} if dtype == "float32" else {"rtol": 1e-7, "atol": 1e-9}
    oracle.check(lambda lib, x: lib.linalg.cond(x, p), normal((2, 3, 3), dtype), **tolerance)


@pytest.mark.parametrize("p", ["fro", 1, -1, INF, -INF], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cond_from_the_inverse_matches_torch_and_fails_backward_as_it(oracle, p, dtype):
    """norm(A) * norm(inv(A)): PyTorch fills the inverse of a singular matrix with inf in place, after its
    LinalgInvExBackward0 saved it, so its backward fails; ember's graph is the same and fails the same way."""
    tolerance = {"rtol": 1e-4, "atol": 1e-5} if dtype == "float32" else {}
    ember_result, torch_result = oracle.check(lambda lib, x: lib.linalg.cond(x, p), normal((2, 3, 3), dtype),
                                              grad=False, **tolerance)
    errors = []
    for lib in (torch, oracle.ember):
        a = lib.tensor(normal((2, 3, 3), dtype), requires_grad=True)
        result = lib.linalg.cond(a, p)
        assert oracle.grad_fn_name(result) in ("NanToNumBackward0", "WhereBackward0")  # ember's nan_to_num: where
        with pytest.raises(RuntimeError) as error:
            result.sum().backward()
        errors.append(error.value)
    # the versions counted differ where ember composes the inverse in place (a device without LU kernels)
    versionless = [re.sub(r"version \d+", "version N", str(error)).replace("torch.", "ember.") for error in errors]
    assert versionless[1] == versionless[0]


@pytest.mark.parametrize("p", [None, "fro", "nuc", 1, -INF, -2], ids=str)
def test_cond_of_singular_and_empty_matrices(oracle, p):
    """A singular matrix's condition number is inf (0 for p=-2), NaN for 'nuc' of a zero matrix; 0 for empty
    matrices."""
    exactly_singular = np.array([[[1.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 2.0]], [[0.0, 0.0], [0.0, 0.0]]])
    oracle.check(lambda lib, x: lib.linalg.cond(x, p), exactly_singular, grad=False)
    if p not in (None, "nuc", -2):  # LAPACK's smallest singular value of [[1, 2], [2, 4]] is not exactly 0
        oracle.check(lambda lib, x: lib.linalg.cond(x, p), np.array([[1.0, 2.0], [2.0, 4.0]]), grad=False)
    oracle.check(lambda lib, x: lib.linalg.cond(x, p), np.zeros((2, 0, 0)), grad=False)


# --- lstsq --------------------------------------------------------------------------------------------------

DRIVERS = [None, "gelsy", "gels", "gelsd", "gelss"]
LSTSQ_SHAPES = {
    "tall": ((5, 3), (5, 2)),
    "wide": ((3, 5), (3, 2)),
    "square": ((4, 4), (4, 1)),
    "vector": ((5, 3), (5,)),
    "batch of vectors": ((2, 5, 3), (2, 5)),
    "broadcast batch": ((1, 5, 3), (2, 5, 2)),
    "batched": ((2, 4, 3), (2, 4, 2)),
}


@pytest.mark.parametrize("driver", DRIVERS, ids=str)
@pytest.mark.parametrize("name", list(LSTSQ_SHAPES))
def test_lstsq_matches_torch(oracle, name, driver):
    """solution, residuals, rank and singular_values with PyTorch's per-driver rules, and the gradients of the
    solution and the residuals."""
    a_shape, b_shape = LSTSQ_SHAPES[name]
    ember_result, torch_result = oracle.check(lambda lib, a, b: tuple(lib.linalg.lstsq(a, b, driver=driver)),
                                              normal(a_shape), normal(b_shape, seed=1))
    assert type(oracle.ember.linalg.lstsq(oracle.ember.ones(3, 2), oracle.ember.ones(3, 1))).__name__ == "linalg_lstsq"
    for e, t in zip(ember_result, torch_result):
        assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t)


@pytest.mark.parametrize("driver", DRIVERS, ids=str)
def test_lstsq_of_rank_deficient_and_float32_matrices(oracle, driver):
    """The minimum-norm solution of a rank-deficient A (rank 2 of 3 columns), residuals only where A is full-rank
    (gels: always), and rcond cutting a small singular value (gelsd/gelss's rule)."""
    rank_two = _rank_deficient((6, 3), 2)
    b = normal((6, 2), seed=2)
    if driver != "gels":  # LAPACK's gels (QR without pivoting) has no answer for a rank-deficient A: see below
        oracle.check(lambda lib, a, y: tuple(lib.linalg.lstsq(a, y, driver=driver)), rank_two, b, grad=False,
                     rtol=1e-6, atol=1e-9)
    if driver in ("gelsd", "gelss"):
        oracle.check(lambda lib, a, y: tuple(lib.linalg.lstsq(a, y, rcond=0.5, driver=driver)), normal((5, 3)),
                     normal((5, 2)), grad=False)
    oracle.check(lambda lib, a, y: tuple(lib.linalg.lstsq(a, y, driver=driver)), normal((5, 3), "float32"),
                 normal((5, 2), "float32"), rtol=1e-4, atol=1e-4)


def test_lstsq_of_empty_matrices(oracle):
    for a_shape, b_shape in (((0, 3), (0, 2)), ((3, 0), (3, 2)), ((2, 0, 0), (2, 0, 1))):
        oracle.check(lambda lib, a, y: tuple(lib.linalg.lstsq(a, y, driver="gelsd")), np.ones(a_shape),
                     np.ones(b_shape), grad=False)


@pytest.mark.parametrize("driver", ["gelsy", "gelsd"])
def test_lstsq_second_derivatives(oracle, driver):
    leaves = (oracle.ember.tensor(normal((5, 3)), requires_grad=True),
              oracle.ember.tensor(normal((5, 2), seed=1), requires_grad=True))

    def call(a, b):
        solution, residuals, _, _ = oracle.ember.linalg.lstsq(a, b, driver=driver)
        return (solution, residuals) if residuals.numel() else solution
    assert oracle.ember.autograd.gradcheck(call, leaves)
    assert oracle.ember.autograd.gradgradcheck(call, leaves)


# --- errors -------------------------------------------------------------------------------------------------

NAN = np.array([[[1.0, 2.0], [3.0, 4.0]], [[1.0, np.nan], [0.0, 1.0]]])
ERRORS = {
    "svd integer": (lambda lib, a: lib.linalg.svd(a), [np.ones((3, 3), np.int64)]),
    "svd bool": (lambda lib, a: lib.linalg.svd(a), [np.ones((3, 3), bool)]),
    "svd vector": (lambda lib, a: lib.linalg.svd(a), [np.ones(3)]),
    "svd half": (lambda lib, a: lib.linalg.svd(a), [np.ones((3, 3), np.float16)]),
    "svd driver": (lambda lib, a: lib.linalg.svd(a, driver="gesvd"), [np.ones((3, 3))]),
    "svd NaN": (lambda lib, a: lib.linalg.svd(a), [NAN]),
    "svd NaN unbatched": (lambda lib, a: lib.linalg.svd(a), [NAN[1]]),
    "svdvals NaN": (lambda lib, a: lib.linalg.svdvals(a), [NAN]),
    "svdvals integer": (lambda lib, a: lib.linalg.svdvals(a), [np.ones((3, 3), np.int32)]),
    "svdvals vector": (lambda lib, a: lib.linalg.svdvals(a), [np.ones(3)]),
    "torch.svd vector": (lambda lib, a: lib.svd(a), [np.ones(3)]),
    "torch.svd integer": (lambda lib, a: lib.svd(a), [np.ones((3, 3), np.int64)]),
    "pinv integer": (lambda lib, a: lib.linalg.pinv(a), [np.ones((3, 3), np.int64)]),
    "pinv vector": (lambda lib, a: lib.linalg.pinv(a), [np.ones(3, np.float32)]),
    "pinv half": (lambda lib, a: lib.linalg.pinv(a), [np.ones((2, 2), np.float16)]),
    "pinv hermitian not square": (lambda lib, a: lib.linalg.pinv(a, hermitian=True), [np.ones((3, 4))]),
    "pinverse vector": (lambda lib, a: lib.pinverse(a), [np.ones(3, np.float32)]),
    "matrix_rank vector": (lambda lib, a: lib.linalg.matrix_rank(a), [np.ones(3)]),
    "matrix_rank integer": (lambda lib, a: lib.linalg.matrix_rank(a), [np.ones((3, 3), np.int64)]),
    "matrix_rank hermitian not square": (lambda lib, a: lib.linalg.matrix_rank(a, hermitian=True), [np.ones((2, 3))]),
    "cond vector": (lambda lib, a: lib.linalg.cond(a), [np.ones(3)]),
    "cond order": (lambda lib, a: lib.linalg.cond(a, 3), [np.ones((3, 3))]),
    "cond string": (lambda lib, a: lib.linalg.cond(a, "foo"), [np.ones((3, 3))]),
    "cond string not square": (lambda lib, a: lib.linalg.cond(a, "foo"), [np.ones((2, 3))]),
    "cond fro not square": (lambda lib, a: lib.linalg.cond(a, "fro"), [np.ones((2, 3))]),
    "cond 1 not square": (lambda lib, a: lib.linalg.cond(a, 1), [np.ones((2, 3))]),
    "cond inf not square": (lambda lib, a: lib.linalg.cond(a, INF), [np.ones((2, 3))]),
    "cond integer": (lambda lib, a: lib.linalg.cond(a), [np.ones((3, 3), np.int64)]),
    "cond integer 1": (lambda lib, a: lib.linalg.cond(a, 1), [np.ones((3, 3), np.int64)]),
    "cond half": (lambda lib, a: lib.linalg.cond(a), [np.ones((3, 3), np.float16)]),
    "matrix_norm nuc half": (lambda lib, a: lib.linalg.matrix_norm(a, "nuc"), [np.ones((3, 3), np.float16)]),
    "lstsq vector A": (lambda lib, a, b: lib.linalg.lstsq(a, b), [np.ones(5), np.ones((5, 2))]),
    "lstsq 0-d B": (lambda lib, a, b: lib.linalg.lstsq(a, b), [np.ones((3, 3)), np.array(1.0)]),
    "lstsq dtypes": (lambda lib, a, b: lib.linalg.lstsq(a, b), [np.ones((3, 3)), np.ones((3, 2), np.float32)]),
    "lstsq integers": (lambda lib, a, b: lib.linalg.lstsq(a, b),
                       [np.ones((3, 3), np.int64), np.ones((3, 2), np.int64)]),
    "lstsq rows": (lambda lib, a, b: lib.linalg.lstsq(a, b), [np.ones((5, 3)), np.ones((4, 2))]),
    "lstsq driver": (lambda lib, a, b: lib.linalg.lstsq(a, b, driver="foo"), [np.ones((5, 3)), np.ones((5, 2))]),
    "lstsq dims": (lambda lib, a, b: lib.linalg.lstsq(a, b), [np.ones((5, 3)), np.ones((2, 2, 5, 2))]),
    "lstsq batches": (lambda lib, a, b: lib.linalg.lstsq(a, b), [np.ones((2, 5, 3)), np.ones((3, 5, 2))]),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(oracle, name):
    fn, arrays = ERRORS[name]
    expected, got = (raised(lib, lambda lib: fn(lib, *(lib.tensor(a) for a in arrays)))
                     for lib in (torch, oracle.ember))
    assert expected is not None and got is not None, f"{name}: PyTorch raised {expected!r}, ember {got!r}"
    assert type(got).__name__.strip("_") == type(expected).__name__.strip("_"), name
    assert isinstance(got, RuntimeError) == isinstance(expected, RuntimeError), name
    assert same_message(got, expected), f"{got} != {expected}"


def test_spectral_norms_of_empty_matrices(oracle):
    """2 and 'nuc' are 0 for an empty matrix; -2 is refused as amin over nothing (ember's amin names the dim
    it reduced, not -1)."""
    for p in (2, "nuc"):
        oracle.check(lambda lib, a, p=p: lib.linalg.matrix_norm(a, p), np.ones((2, 0, 3)), grad=False)
    assert oracle.check_raises(lambda lib, a: lib.linalg.matrix_norm(a, -2), np.ones((0, 3))) is IndexError


def test_type_errors_name_the_argument(oracle):
    for call in (lambda lib: lib.linalg.svd([[1.0]]), lambda lib: lib.linalg.lstsq(lib.ones(3, 3), 1.0)):
        with pytest.raises(TypeError) as expected:
            call(torch)
        with pytest.raises(TypeError) as got:
            call(oracle.ember)
        assert same_message(got.value, expected.value), f"{got.value} != {expected.value}"


def test_non_finite_entries_other_than_nan_give_nan(oracle):
    """PyTorch's svd raises for NaN but gives NaN for an infinity."""
    oracle.check(lambda lib, a: tuple(lib.linalg.svd(a)), np.array([[1.0, INF], [0.0, 1.0]]), grad=False)


def test_out_writes_each_factor(oracle):
    a = normal((3, 3))
    out = tuple(oracle.ember.empty(0, dtype=oracle.ember.float64) for _ in range(3))
    result = oracle.ember.linalg.svd(oracle.ember.tensor(a), out=out)
    assert all(r is o for r, o in zip(result, out))
    np.testing.assert_allclose(_numpy(out[1]), np.linalg.svd(a, compute_uv=False), rtol=1e-12)
    values = oracle.ember.empty(0, dtype=oracle.ember.float64)
    assert oracle.ember.linalg.svdvals(oracle.ember.tensor(a), out=values) is values
    np.testing.assert_allclose(_numpy(values), np.linalg.svd(a, compute_uv=False), rtol=1e-12)


def test_a_device_without_the_kernel_refuses_by_name(oracle, monkeypatch):
    """A backend without the optional `svd` kernel: NotImplementedError naming the op and the device."""
    a = oracle.ember.ones(2, 2)
    monkeypatch.delitem(a._device.kernels._kernels, "svd")
    with pytest.raises(NotImplementedError, match=rf"linalg.svd: device '{a.device}' has no 'svd' kernel"):
        oracle.ember.linalg.svd(a)
