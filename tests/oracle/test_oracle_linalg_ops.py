"""PyTorch's matrix products against PyTorch: bmm, the beta/alpha family (addmm, addmv, addr, baddbmm,
addbmm) in every form (function, method, in-place, out=), dot/vdot/mv/mm/outer/ger; values, dtypes,
broadcast inputs, gradients, grad_fn names and the exact errors."""

from __future__ import annotations

import numpy as np
import pytest
from outcomes import same_message

torch = pytest.importorskip("torch")

pytestmark = [pytest.mark.oracle, pytest.mark.filterwarnings("ignore:torch.ger is deprecated")]

# name -> (the op's call on lib, the shapes of its operands)
CASES = {
    "bmm": (lambda lib, a, b: lib.bmm(a, b), [(2, 3, 4), (2, 4, 5)]),
    "bmm empty batch": (lambda lib, a, b: lib.bmm(a, b), [(0, 3, 4), (0, 4, 5)]),
    "bmm empty inner": (lambda lib, a, b: lib.bmm(a, b), [(2, 3, 0), (2, 0, 5)]),
    "Tensor.bmm": (lambda lib, a, b: a.bmm(b), [(2, 3, 4), (2, 4, 5)]),
    "addmm": (lambda lib, i, a, b: lib.addmm(i, a, b), [(2, 4), (2, 3), (3, 4)]),
    "addmm broadcast row": (lambda lib, i, a, b: lib.addmm(i, a, b), [(4,), (2, 3), (3, 4)]),
    "addmm broadcast column": (lambda lib, i, a, b: lib.addmm(i, a, b), [(2, 1), (2, 3), (3, 4)]),
    "addmm 0-d input": (lambda lib, i, a, b: lib.addmm(i, a, b), [(), (2, 3), (3, 4)]),
    "addmm beta alpha": (lambda lib, i, a, b: lib.addmm(i, a, b, beta=0.5, alpha=-2), [(2, 4), (2, 3), (3, 4)]),
    "addmm beta=0": (lambda lib, i, a, b: lib.addmm(i, a, b, beta=0), [(2, 4), (2, 3), (3, 4)]),
    "addmm alpha=0": (lambda lib, i, a, b: lib.addmm(i, a, b, alpha=0), [(2, 4), (2, 3), (3, 4)]),
    "Tensor.addmm": (lambda lib, i, a, b: i.addmm(a, b, beta=2), [(2, 4), (2, 3), (3, 4)]),
    "addmm_": (lambda lib, i, a, b: (i * 1).addmm_(a, b, alpha=3), [(2, 4), (2, 3), (3, 4)]),
    "addmm empty inner": (lambda lib, i, a, b: lib.addmm(i, a, b), [(2, 4), (2, 0), (0, 4)]),
    "addmv": (lambda lib, i, m, v: lib.addmv(i, m, v, beta=2, alpha=0.5), [(2,), (2, 3), (3,)]),
    "addmv broadcast": (lambda lib, i, m, v: lib.addmv(i, m, v), [(1,), (2, 3), (3,)]),
    "addmv 0-d": (lambda lib, i, m, v: lib.addmv(i, m, v), [(), (2, 3), (3,)]),
    "addmv_": (lambda lib, i, m, v: (i * 1).addmv_(m, v), [(2,), (2, 3), (3,)]),
    "addr": (lambda lib, i, a, b: lib.addr(i, a, b, beta=-1, alpha=2), [(2, 3), (2,), (3,)]),
    "addr broadcast": (lambda lib, i, a, b: lib.addr(i, a, b), [(3,), (2,), (3,)]),
    "Tensor.addr_": (lambda lib, i, a, b: (i * 1).addr_(a, b), [(2, 3), (2,), (3,)]),
    "baddbmm": (lambda lib, i, a, b: lib.baddbmm(i, a, b, beta=0.5), [(2, 3, 5), (2, 3, 4), (2, 4, 5)]),
    "baddbmm broadcast": (lambda lib, i, a, b: lib.baddbmm(i, a, b, alpha=2), [(3, 1), (2, 3, 4), (2, 4, 5)]),
    "baddbmm_": (lambda lib, i, a, b: (i * 1).baddbmm_(a, b), [(2, 3, 5), (2, 3, 4), (2, 4, 5)]),
    "addbmm": (lambda lib, i, a, b: lib.addbmm(i, a, b, beta=2, alpha=0.5), [(3, 5), (2, 3, 4), (2, 4, 5)]),
    "addbmm broadcast": (lambda lib, i, a, b: lib.addbmm(i, a, b), [(5,), (2, 3, 4), (2, 4, 5)]),
    "addbmm empty batch": (lambda lib, i, a, b: lib.addbmm(i, a, b), [(3, 5), (0, 3, 4), (0, 4, 5)]),
    "addbmm_": (lambda lib, i, a, b: (i * 1).addbmm_(a, b), [(3, 5), (2, 3, 4), (2, 4, 5)]),
    "dot": (lambda lib, a, b: lib.dot(a, b), [(3,), (3,)]),
    "vdot": (lambda lib, a, b: lib.vdot(a, b), [(3,), (3,)]),
    "Tensor.vdot": (lambda lib, a, b: a.vdot(b), [(3,), (3,)]),
    "mv": (lambda lib, a, b: lib.mv(a, b), [(2, 3), (3,)]),
    "mm": (lambda lib, a, b: lib.mm(a, b), [(2, 3), (3, 4)]),
    "outer": (lambda lib, a, b: lib.outer(a, b), [(2,), (3,)]),
    "ger": (lambda lib, a, b: lib.ger(a, b), [(2,), (3,)]),
    "Tensor.ger": (lambda lib, a, b: a.ger(b), [(2,), (3,)]),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(CASES))
def test_values_and_gradients_match_torch(oracle, name, dtype):
    fn, shapes = CASES[name]
    rng = oracle.rng(len(name))
    ember_result, torch_result = oracle.check(fn, *(oracle.array(rng, s, dtype, "any") for s in shapes))
    assert oracle.grad_fn_name(ember_result) == oracle.grad_fn_name(torch_result)


@pytest.mark.parametrize("dtype", ["int64", "int32"])
@pytest.mark.parametrize("name", [n for n in CASES if "_" not in n.replace("grad_", "")])
def test_integer_operands_match_torch(oracle, name, dtype):
    fn, shapes = CASES[name]
    rng = oracle.rng(len(name))
    oracle.check_forward(fn, *(oracle.array(rng, s, dtype, "small_int") for s in shapes))


@pytest.mark.parametrize(("beta", "alpha"), [(0.5, 1), (1, 0.5), (2.7, 1.5)])
@pytest.mark.parametrize("op", ["addmm", "addmv", "baddbmm", "addbmm", "addr"])
def test_float_scalars_on_integer_tensors_match_torch(oracle, op, beta, alpha):
    """addmm and its siblings truncate beta and alpha for integer tensors; addr refuses them."""
    shapes = {"addmm": [(2, 4), (2, 3), (3, 4)], "addmv": [(2,), (2, 3), (3,)], "addr": [(2, 3), (2,), (3,)],
              "baddbmm": [(2, 3, 5), (2, 3, 4), (2, 4, 5)], "addbmm": [(3, 5), (2, 3, 4), (2, 4, 5)]}[op]
    rng = oracle.rng(1)

    def fn(lib, *tensors):
        return getattr(lib, op)(*tensors, beta=beta, alpha=alpha)
    oracle.check_forward(fn, *(oracle.array(rng, s, "int64", "small_int") for s in shapes))


def test_beta_zero_ignores_nan_in_input(oracle):
    nan = np.full((2, 2), np.nan, dtype=np.float32)
    ones = np.ones((2, 2), dtype=np.float32)
    oracle.check(lambda lib, i, a, b: lib.addmm(i, a, b, beta=0), nan, ones, ones, grad=False)


def test_addr_promotes_mixed_dtypes(oracle):
    oracle.check_forward(lambda lib, i, a, b: lib.addr(i, a, b), np.ones((2, 3), np.int64), np.ones(2, bool),
                         np.ones(3, bool))
    oracle.check_forward(lambda lib, i, a, b: lib.addr(i, a, b), np.ones((2, 3), np.float32),
                         np.ones(2, np.float32), np.ones(3, np.float64))
    oracle.check_forward(lambda lib, i, a, b: lib.addr(i, a, b, beta=2), np.ones((2, 3), bool), np.ones(2, bool),
                         np.ones(3, bool))


OUT_FORMS = {
    "addmm": (lambda lib, i, a, b, out: lib.addmm(i, a, b, beta=2, out=out), [(2, 4), (2, 3), (3, 4)]),
    "addmv": (lambda lib, i, a, b, out: lib.addmv(i, a, b, out=out), [(2,), (2, 3), (3,)]),
    "addr": (lambda lib, i, a, b, out: lib.addr(i, a, b, out=out), [(2, 3), (2,), (3,)]),
    "baddbmm": (lambda lib, i, a, b, out: lib.baddbmm(i, a, b, out=out), [(2, 3, 5), (2, 3, 4), (2, 4, 5)]),
    "addbmm": (lambda lib, i, a, b, out: lib.addbmm(i, a, b, out=out), [(3, 5), (2, 3, 4), (2, 4, 5)]),
    "bmm": (lambda lib, a, b, out: lib.bmm(a, b, out=out), [(2, 3, 4), (2, 4, 5)]),
    "mm": (lambda lib, a, b, out: lib.mm(a, b, out=out), [(2, 3), (3, 4)]),
    "mv": (lambda lib, a, b, out: lib.mv(a, b, out=out), [(2, 3), (3,)]),
    "dot": (lambda lib, a, b, out: lib.dot(a, b, out=out), [(3,), (3,)]),
    "vdot": (lambda lib, a, b, out: lib.vdot(a, b, out=out), [(3,), (3,)]),
    "outer": (lambda lib, a, b, out: lib.outer(a, b, out=out), [(2,), (3,)]),
    "ger": (lambda lib, a, b, out: lib.ger(a, b, out=out), [(2,), (3,)]),
    "matmul": (lambda lib, a, b, out: lib.matmul(a, b, out=out), [(2, 2, 3), (3, 4)]),
}


@pytest.mark.parametrize("name", list(OUT_FORMS))
def test_out_writes_the_result(oracle, name):
    fn, shapes = OUT_FORMS[name]
    rng = oracle.rng(0)
    arrays = [oracle.array(rng, s, "float64", "any") for s in shapes]
    results = []
    for lib in (oracle.ember, oracle.torch):
        expected_shape = fn(lib, *(lib.tensor(a) for a in arrays), None).shape
        out = lib.empty(expected_shape, dtype=lib.float64)
        assert fn(lib, *(lib.tensor(a) for a in arrays), out) is out
        results.append(out.cpu().numpy())
    np.testing.assert_allclose(*results)


def _f(*shape, dtype="float32"):
    return np.ones(shape, dtype=dtype)


# Calls that raise, as (call on lib, operands): the exception class and message must be PyTorch's.
ERRORS = {
    "bmm 2-d": (lambda lib, a, b: lib.bmm(a, b), [_f(3, 4), _f(2, 4, 5)]),
    "bmm batch2 2-d": (lambda lib, a, b: lib.bmm(a, b), [_f(2, 3, 4), _f(2, 4)]),
    "bmm batches": (lambda lib, a, b: lib.bmm(a, b), [_f(2, 3, 4), _f(3, 4, 5)]),
    "bmm inner": (lambda lib, a, b: lib.bmm(a, b), [_f(2, 3, 4), _f(2, 3, 5)]),
    "bmm dtypes": (lambda lib, a, b: lib.bmm(a, b), [_f(2, 3, 4), _f(2, 4, 5, dtype="float64")]),
    "bmm bool": (lambda lib, a, b: lib.bmm(a, b), [_f(1, 2, 2, dtype=bool), _f(1, 2, 2, dtype=bool)]),
    "addmm mat1 1-d": (lambda lib, i, a, b: lib.addmm(i, a, b), [_f(4), _f(2), _f(3, 4)]),
    "addmm mat2 1-d": (lambda lib, i, a, b: lib.addmm(i, a, b), [_f(4), _f(2, 3), _f(3)]),
    "addmm inner": (lambda lib, i, a, b: lib.addmm(i, a, b), [_f(4), _f(2, 3), _f(4, 4)]),
    "addmm input shape": (lambda lib, i, a, b: lib.addmm(i, a, b), [_f(3), _f(2, 3), _f(3, 4)]),
    "addmm input dtype": (lambda lib, i, a, b: lib.addmm(i, a, b), [_f(4, dtype="float64"), _f(2, 3), _f(3, 4)]),
    "addmm mat dtypes": (lambda lib, i, a, b: lib.addmm(i, a, b), [_f(4), _f(2, 3, dtype="float64"), _f(3, 4)]),
    "addmm bool": (lambda lib, i, a, b: lib.addmm(i, a, b), [_f(2, 2, dtype=bool)] * 3),
    "addmm_ shape": (lambda lib, i, a, b: i.addmm_(a, b), [_f(2, 1), _f(2, 3), _f(3, 3)]),
    "addmv_ shape": (lambda lib, i, m, v: i.addmv_(m, v), [_f(1), _f(2, 3), _f(3)]),
    "addr_ 1-d": (lambda lib, i, a, b: i.addr_(a, b), [_f(3), _f(2), _f(3)]),
    "baddbmm_ shape": (lambda lib, i, a, b: i.baddbmm_(a, b), [_f(3, 1), _f(2, 3, 4), _f(2, 4, 5)]),
    "addmv dims": (lambda lib, i, m, v: lib.addmv(i, m, v), [_f(2), _f(3), _f(3)]),
    "addmv input 2-d": (lambda lib, i, m, v: lib.addmv(i, m, v), [_f(1, 2), _f(2, 3), _f(3)]),
    "addmv vec size": (lambda lib, i, m, v: lib.addmv(i, m, v), [_f(2), _f(2, 3), _f(4)]),
    "addmv input size": (lambda lib, i, m, v: lib.addmv(i, m, v), [_f(3), _f(2, 3), _f(3)]),
    "addmv dtypes": (lambda lib, i, m, v: lib.addmv(i, m, v), [_f(2), _f(2, 3), _f(3, dtype="float64")]),
    "addmv bool": (lambda lib, i, m, v: lib.addmv(i, m, v), [_f(2, dtype=bool), _f(2, 3, dtype=bool),
                                                            _f(3, dtype=bool)]),
    "addr vec1 2-d": (lambda lib, i, a, b: lib.addr(i, a, b), [_f(2, 3), _f(2, 2), _f(3)]),
    "addr input shape": (lambda lib, i, a, b: lib.addr(i, a, b), [_f(3, 3), _f(2), _f(3)]),
    "addmm beta overflows int32": (lambda lib, i, a, b: lib.addmm(i, a, b, beta=2**40), [_f(2, 2, dtype="int32")] * 3),
    "addmm alpha overflows float32": (lambda lib, i, a, b: lib.addmm(i, a, b, alpha=1e40), [_f(2, 2)] * 3),
    "addr float beta on bools": (lambda lib, i, a, b: lib.addr(i, a, b, beta=0.5),
                                 [_f(2, 2, dtype=bool), _f(2, dtype=bool), _f(2, dtype=bool)]),
    "addr float beta on ints": (lambda lib, i, a, b: lib.addr(i, a, b, beta=0.5),
                                [_f(2, 3, dtype="int64"), _f(2, dtype="int64"), _f(3, dtype="int64")]),
    "baddbmm input shape": (lambda lib, i, a, b: lib.baddbmm(i, a, b), [_f(2, 3, 4), _f(2, 3, 4), _f(2, 4, 5)]),
    "baddbmm batches": (lambda lib, i, a, b: lib.baddbmm(i, a, b), [_f(2, 3, 5), _f(2, 3, 4), _f(3, 4, 5)]),
    "baddbmm input dtype": (lambda lib, i, a, b: lib.baddbmm(i, a, b), [_f(2, 3, 5, dtype="float64"), _f(2, 3, 4),
                                                                       _f(2, 4, 5)]),
    "addbmm 2-d": (lambda lib, i, a, b: lib.addbmm(i, a, b), [_f(5), _f(3, 4), _f(3, 4, 5)]),
    "addbmm batches": (lambda lib, i, a, b: lib.addbmm(i, a, b), [_f(5), _f(2, 3, 4), _f(3, 4, 5)]),
    "addbmm inner": (lambda lib, i, a, b: lib.addbmm(i, a, b), [_f(3, 5), _f(2, 3, 4), _f(2, 5, 5)]),
    "addbmm input dtype": (lambda lib, i, a, b: lib.addbmm(i, a, b), [_f(3, 5, dtype="float64"), _f(2, 3, 4),
                                                                     _f(2, 4, 5)]),
    "dot sizes": (lambda lib, a, b: lib.dot(a, b), [_f(3), _f(4)]),
    "dot dtypes": (lambda lib, a, b: lib.dot(a, b), [_f(3), _f(3, dtype="float64")]),
    "dot 2-d": (lambda lib, a, b: lib.dot(a, b), [_f(3, 1), _f(3)]),
    "dot bool": (lambda lib, a, b: lib.dot(a, b), [_f(3, dtype=bool), _f(3, dtype=bool)]),
    "vdot sizes": (lambda lib, a, b: lib.vdot(a, b), [_f(3), _f(4)]),
    "vdot 2-d": (lambda lib, a, b: lib.vdot(a, b), [_f(3, 1), _f(3)]),
    "mv sizes": (lambda lib, a, b: lib.mv(a, b), [_f(3, 1), _f(3)]),
    "mv dims": (lambda lib, a, b: lib.mv(a, b), [_f(3, 3), _f(3, 3)]),
    "mv dtypes": (lambda lib, a, b: lib.mv(a, b), [_f(3, 1), _f(1, dtype="float64")]),
    "mv bool": (lambda lib, a, b: lib.mv(a, b), [_f(2, 3, dtype=bool), _f(3, dtype=bool)]),
    "mm 1-d": (lambda lib, a, b: lib.mm(a, b), [_f(3), _f(3, 3)]),
    "mm mat2 1-d": (lambda lib, a, b: lib.mm(a, b), [_f(3, 1), _f(3)]),
    "mm sizes": (lambda lib, a, b: lib.mm(a, b), [_f(3, 1), _f(3, 2)]),
    "mm dtypes": (lambda lib, a, b: lib.mm(a, b), [_f(3, 1), _f(1, 2, dtype="float64")]),
    "mm bool": (lambda lib, a, b: lib.mm(a, b), [_f(3, 3, dtype=bool), _f(3, 3, dtype=bool)]),
    "matmul dtypes": (lambda lib, a, b: lib.matmul(a, b), [_f(2, 2, 3), _f(3, 3, dtype="float64")]),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(oracle, name):
    fn, arrays = ERRORS[name]
    with pytest.raises(Exception) as torch_error:
        fn(oracle.torch, *(oracle.torch.tensor(a) for a in arrays))
    with pytest.raises(torch_error.type) as ember_error:
        fn(oracle.ember, *(oracle.ember.tensor(a) for a in arrays))
    assert same_message(ember_error.value, torch_error.value), (str(ember_error.value), str(torch_error.value))


def test_out_with_an_input_that_requires_grad_is_refused(oracle):
    for lib in (oracle.ember, oracle.torch):
        a = lib.ones(2, 3, requires_grad=True)
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            lib.addmm(lib.ones(4), a, lib.ones(3, 4), out=lib.empty(2, 4))


@pytest.mark.parametrize("op", ["addmm", "addmv", "addr", "baddbmm", "addbmm", "bmm", "vdot"])
def test_methods_exist_as_in_torch(oracle, op):
    assert hasattr(oracle.ember.Tensor, op) == hasattr(oracle.torch.Tensor, op)
    assert hasattr(oracle.ember.Tensor, op + "_") == hasattr(oracle.torch.Tensor, op + "_")
    assert hasattr(oracle.ember, op)
