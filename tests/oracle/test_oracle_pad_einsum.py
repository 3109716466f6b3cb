"""einsum, F.pad and the padding modules, Tensor.unfold, lerp and the ``*_like``/``new_*`` factories against
PyTorch: values, dtypes, gradients, grad_fn names, strides and the exact errors."""

from __future__ import annotations

import numpy as np
import pytest
from outcomes import same_message

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle


def check_error(oracle, fn, *arrays):
    """`fn` raises in PyTorch, and ember raises the same class with the same message."""
    with pytest.raises(Exception) as torch_error:
        fn(oracle.torch, *(oracle.torch.tensor(a) for a in arrays))
    with pytest.raises(torch_error.type) as ember_error:
        fn(oracle.ember, *(oracle.ember.tensor(a) for a in arrays))
    assert same_message(ember_error.value, torch_error.value), (str(ember_error.value), str(torch_error.value))


def check_with_name(oracle, fn, shapes, dtype="float64", seed=0):
    rng = oracle.rng(seed)
    ember_result, torch_result = oracle.check(fn, *(oracle.array(rng, s, dtype, "any") for s in shapes))
    assert oracle.grad_fn_name(ember_result) == oracle.grad_fn_name(torch_result)


# ----- einsum --------------------------------------------------------------------------------------
EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ij->ji", [(2, 3)]), ("ij->i", [(2, 3)]),
    ("ij->", [(2, 3)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("iij->j", [(3, 3, 2)]), ("iji->j", [(2, 3, 2)]),
    ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]), ("...ij,...jk->...ik", [(5, 2, 3), (3, 4)]),
    ("...ij,...jk", [(5, 2, 3), (1, 3, 4)]), ("i,j->ij", [(2,), (3,)]), ("i,i->", [(3,), (3,)]),
    ("i,i->i", [(3,), (3,)]), ("ba", [(2, 3)]), ("Ba->aB", [(2, 3)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("ij,j->i", [(2, 3), (1,)]), ("ab...,...c->", [(2, 3, 4), (4, 5)]), (" i j -> j i ", [(2, 3)]),
    ("...", [()]), ("", [()]), (",", [(), ()]), ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("ij,kl->", [(2, 3), (4, 5)]), ("ij,kl->ijkl", [(2, 3), (4, 5)]), ("ijj,jk->ik", [(2, 3, 3), (3, 4)]),
    ("...ii->...i", [(4, 3, 3)]), ("i...i->...", [(3, 4, 3)]), ("ij,kj->ik", [(2, 3), (4, 3)]),
    ("ij->i...", [(2, 3)]), ("ij,ij->i", [(2, 3), (2, 3)]), ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("a...b,b...->a...", [(2, 3, 4, 5), (5, 4)]), ("i,i->", [(0,), (0,)]), ("ij,jk->ik", [(2, 0), (0, 3)]),
    ("ij->", [(0, 3)]),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("equation", "shapes"), EINSUM, ids=[f"{e!r}{s}" for e, s in EINSUM])
def test_einsum_matches_torch(oracle, equation, shapes, dtype):
    check_with_name(oracle, lambda lib, *ops: lib.einsum(equation, *ops), shapes, dtype)


@pytest.mark.parametrize("layout", ["transposed", "stepped", "offset_permuted"])
@pytest.mark.parametrize(("equation", "shapes"), [("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("ii->i", [(3, 3)]),
                                                 ("i,i->", [(1,), (3,)]), ("ijk->kj", [(2, 3, 4)])])
def test_einsum_of_strided_views_matches_torch(oracle, equation, shapes, layout):
    rng = oracle.rng(5)
    arrays = [oracle.layout_array(rng, s, layout, "float64", "any") for s in shapes]
    oracle.check(lambda lib, *ops: lib.einsum(equation, *(oracle.view_as_layout(t, layout) for t in ops)), *arrays)


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
@pytest.mark.parametrize("equation", ["ij,jk->ik", "ij->i", "i,j->ij", "ii->i", "i,i->i"])
def test_einsum_on_integers_and_bools_matches_torch(oracle, equation, dtype):
    shapes = {"ij,jk->ik": [(2, 3), (3, 4)], "ij->i": [(2, 3)], "i,j->ij": [(2,), (3,)], "ii->i": [(3, 3)],
              "i,i->i": [(3,), (3,)]}[equation]
    rng = oracle.rng(0)
    domain = "bool" if dtype == "bool" else "small_int"
    oracle.check_forward(lambda lib, *ops: lib.einsum(equation, *ops),
                         *(oracle.array(rng, s, dtype, domain) for s in shapes))


def test_einsum_takes_a_list_of_operands_and_the_sublist_form(oracle):
    check_with_name(oracle, lambda lib, a, b: lib.einsum("ij,jk", [a, b]), [(2, 3), (3, 4)])
    check_with_name(oracle, lambda lib, a, b: lib.einsum(a, [0, 1], b, [1, 2], [0, 2]), [(2, 3), (3, 4)])
    check_with_name(oracle, lambda lib, a, b: lib.einsum(a, [0, 1], b, [1, 2]), [(2, 3), (3, 4)])
    check_with_name(oracle, lambda lib, a, b: lib.einsum(a, [Ellipsis, 1], b, [1]), [(2, 3, 4), (4,)])


def test_einsum_promotes_for_products_without_contraction(oracle):
    oracle.check_forward(lambda lib, a, b: lib.einsum("i,i->i", a, b), np.ones(3, np.float32), np.ones(3))


EINSUM_ERRORS = [
    ("ij->jj", [(3, 3)]), ("ij->k", [(3, 3)]), ("ij,jk->ik", [(2, 3), (4, 4)]), ("ij,jk->ik", [(2, 3)]),
    ("ij", [(2, 3), (2,)]), ("ij->ii", [(2, 3)]), ("i->i->", [(2,)]), ("ijk->ij", [(2, 3)]),
    ("ij,j->i", [(2, 3), (2,)]), ("i.j->ij", [(2, 3)]), ("i1->i", [(2, 3)]), ("...ij->", [(2,)]),
    ("i......->", [(2,)]), ("ii", [(2, 3)]), ("ij-->i", [(2, 3)]), ("i,i", [(3,), (3,)]),
    ("...i,...i", [(2, 3), (4, 3)]),
]


@pytest.mark.parametrize(("equation", "shapes"), EINSUM_ERRORS, ids=[f"{e!r}{s}" for e, s in EINSUM_ERRORS])
def test_einsum_errors_match_torch(oracle, equation, shapes):
    arrays = [np.ones(s, np.float32) for s in shapes]
    if equation == "i,i":  # bmm's dtype error, from operands of two dtypes
        arrays[1] = arrays[1].astype(np.float64)
    check_error(oracle, lambda lib, *ops: lib.einsum(equation, *ops), *arrays)


def test_einsum_argument_types_are_checked_as_torch(oracle):
    for lib in (oracle.ember, oracle.torch):
        with pytest.raises(TypeError):
            lib.einsum(1, lib.ones(2))
        with pytest.raises(TypeError, match="expected Tensor as element 0 in argument 1, but got float"):
            lib.einsum("i", 1.0)
        with pytest.raises(ValueError, match="must specify the equation string and at least one operand"):
            lib.einsum("i")
        with pytest.raises(ValueError, match="not within the valid range \\[0, 52\\)"):
            lib.einsum(lib.ones(2), [60])


# ----- F.pad ---------------------------------------------------------------------------------------
PADS = [
    ((2, 3), (1, 2), "constant", None), ((2, 3), (1, 2, 0, 1), "constant", 2.0), ((2, 3), (-1, 2), "constant", None),
    ((2, 3), (-1, -2), "constant", None), ((), (), "constant", None), ((2, 3), (), "constant", None),
    ((0, 2), (1, 2), "constant", None), ((2, 3), [1, 1], "constant", None),
    ((2, 3), (1, 2), "reflect", None), ((1, 2, 3), (1, 2), "reflect", None), ((2, 3, 4), (1, 2, 1, 1), "reflect", None),
    ((1, 2, 3, 4), (1, 2, 1, 1), "reflect", None), ((1, 1, 3, 3, 3), (1, 1, 1, 1, 1, 1), "reflect", None),
    ((1, 3, 3, 3), (1, 1, 2, 1, 1, 1), "reflect", None), ((1, 2, 5), (-1, 2), "reflect", None),
    ((0, 2, 5), (1, 2), "reflect", None),
    ((2, 3), (1, 5), "replicate", None), ((1, 2, 3), (1, 5, 2, 2), "replicate", None),
    ((1, 2, 3, 3), (1, 5, 2, 2, 1, 1), "replicate", None), ((2, 3), (-1, 5), "replicate", None),
    ((1, 2, 3), (1, 2), "circular", None), ((2, 3), (1, 2), "circular", None),
    ((1, 2, 3, 4), (1, 2, 3, 0), "circular", None), ((1, 2, 5), (-1, 2), "circular", None),
    ((1, 2, 3, 4), (3, 3, 3, 3), "circular", None), ((1, 2, 3, 4, 2), (1, 2, 0, 1, 2, 1), "circular", None),
    ((2, 3, 4), (-1, -1, 1, 1), "circular", None),
]


@pytest.mark.parametrize(("shape", "pad", "mode", "value"), PADS, ids=[f"{m}{s}{p}" for s, p, m, _ in PADS])
def test_pad_matches_torch(oracle, shape, pad, mode, value):
    check_with_name(oracle, lambda lib, x: lib.nn.functional.pad(x, pad, mode=mode, value=value), [shape])


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_pad_of_integers_and_bools_matches_torch(oracle, mode, dtype):
    rng = oracle.rng(0)
    x = oracle.array(rng, (1, 2, 4), dtype, "bool" if dtype == "bool" else "small_int")
    oracle.check_forward(lambda lib, t: lib.nn.functional.pad(t, (1, 2), mode=mode), x)


def test_constant_pad_value_is_cast_to_integer_dtypes(oracle):
    oracle.check_forward(lambda lib, t: lib.nn.functional.pad(t, (1, 1), value=2.5), np.ones((2, 3), np.int64))
    oracle.check_forward(lambda lib, t: lib.constant_pad_nd(t, (1, 1), 3), np.ones((2, 3), np.float32))


PAD_ERRORS = [
    ((2, 3), (-2, -2), "constant", None), ((2, 3), (1,), "constant", None),
    ((2, 3), (1, 1, 1, 1, 1, 1), "constant", None), ((3,), (1, 2), "reflect", None), ((2, 3), (3, 0), "reflect", None),
    ((3, 4), (1, 2, 1, 1), "reflect", None), ((1, 1, 1, 2, 3), (1, 2), "reflect", None),
    ((1, 2, 3), (4, 2), "circular", None), ((1, 2, 5), (1, 2), "foo", None),
    ((1, 2, 5), (1, 2), "reflect", 1.0), ((1, 0, 5), (1, 2), "reflect", None), ((1, 2, 0), (1, 2), "replicate", None),
    ((1, 2, 5), (1, 2, 1, 1, 1, 1), "reflect", None),
]


@pytest.mark.parametrize(("shape", "pad", "mode", "value"), PAD_ERRORS, ids=[f"{m}{s}{p}" for s, p, m, _ in PAD_ERRORS])
def test_pad_errors_match_torch(oracle, shape, pad, mode, value):
    check_error(oracle, lambda lib, x: lib.nn.functional.pad(x, pad, mode=mode, value=value),
                np.ones(shape, np.float32))


@pytest.mark.parametrize(("dtype", "value"), [("int32", 2**40), ("int32", float("nan")), ("float16", 1e6)])
def test_pad_values_that_overflow_the_dtype_are_refused_as_torch(oracle, dtype, value):
    check_error(oracle, lambda lib, x: lib.nn.functional.pad(x, (1, 1), value=value), np.ones(2, dtype))


@pytest.mark.parametrize(("dtype", "value"), [("int64", -2.7), ("bool", 2), ("float32", True)])
def test_pad_values_convert_to_the_dtype_as_torch(oracle, dtype, value):
    oracle.check_forward(lambda lib, x: lib.nn.functional.pad(x, (1, 1), value=value), np.ones(2, dtype))


def test_pad_of_a_bool_tensor_by_reflection_is_refused_as_torch(oracle):
    check_error(oracle, lambda lib, x: lib.nn.functional.pad(x, (1, 2), mode="reflect"), np.ones((1, 2, 5), bool))


def test_pad_argument_types_are_checked_as_torch(oracle):
    for lib in (oracle.ember, oracle.torch):
        with pytest.raises(TypeError, match="must be tuple of ints, but found element of type float at pos 0"):
            lib.nn.functional.pad(lib.ones(2, 3), (1.0, 1.0))
        with pytest.raises(TypeError, match="argument 'input' \\(position 1\\) must be Tensor, not list"):
            lib.nn.functional.pad([1, 2], (1, 1))
        with pytest.raises(TypeError, match="argument 'mode' \\(position 3\\) must be str, not int"):
            lib.nn.functional.pad(lib.ones(2), (1, 1), mode=3)
        with pytest.raises(TypeError, match="argument 'value' \\(position 4\\) must be float, not str"):
            lib.nn.functional.pad(lib.ones(2), (1, 1), value="a")


MODULES = [
    ("ConstantPad1d", (2, 1.5), (1, 2, 3)), ("ConstantPad2d", ((1, 2, 0, 1), 3.5), (1, 2, 2)),
    ("ConstantPad3d", (1, -1.0), (1, 2, 2, 2)), ("ZeroPad1d", ((1, 2),), (1, 2, 2)), ("ZeroPad2d", (1,), (1, 2, 2)),
    ("ZeroPad3d", ((1, 0, 1, 0, 0, 1),), (1, 2, 2, 2)), ("ReflectionPad1d", (1,), (1, 2, 3)),
    ("ReflectionPad2d", ((1, 0, 2, 1),), (1, 3, 3)), ("ReflectionPad3d", (1,), (1, 1, 2, 2, 2)),
    ("ReplicationPad1d", ((3, 1),), (1, 2, 3)), ("ReplicationPad2d", (1,), (1, 2, 2)),
    ("ReplicationPad3d", (2,), (1, 2, 2, 2)), ("CircularPad1d", (1,), (1, 2, 3)),
    ("CircularPad2d", ((1, 2, 2, 1),), (1, 3, 3)), ("CircularPad3d", (1,), (1, 1, 2, 2, 2)),
]


@pytest.mark.parametrize(("name", "args", "shape"), MODULES, ids=[m[0] for m in MODULES])
def test_padding_modules_match_torch(oracle, name, args, shape):
    check_with_name(oracle, lambda lib, x: getattr(lib.nn, name)(*args)(x), [shape])
    assert repr(getattr(oracle.ember.nn, name)(*args)) == repr(getattr(oracle.torch.nn, name)(*args))
    assert getattr(oracle.ember.nn, name)(*args).padding == getattr(oracle.torch.nn, name)(*args).padding


# ----- Tensor.unfold ------------------------------------------------------------------------------
UNFOLDS = [(1, 3, 2), (0, 2, 1), (-1, 3, 3), (1, 0, 1), (1, 7, 1), (1, 1, 1), (1, 2, 5)]


@pytest.mark.parametrize("args", UNFOLDS, ids=str)
def test_unfold_matches_torch(oracle, args):
    check_with_name(oracle, lambda lib, x: x.unfold(*args), [(2, 7)])
    e, t = oracle.ember.ones(2, 7).unfold(*args), oracle.torch.ones(2, 7).unfold(*args)
    assert e.stride() == t.stride() and e._base is not None


@pytest.mark.parametrize("case", ["0-d", "transposed", "twice", "keywords"])
def test_unfold_of_views_and_scalars_matches_torch(oracle, case):
    fn, shape = {
        "0-d": (lambda lib, x: x.unfold(0, 1, 1), ()),
        "transposed": (lambda lib, x: x.T.unfold(0, 2, 2), (2, 7)),
        "twice": (lambda lib, x: x.unfold(1, 3, 1).unfold(0, 2, 1), (3, 7)),
        "keywords": (lambda lib, x: x.unfold(dimension=1, size=2, step=2), (2, 7)),
    }[case]
    check_with_name(oracle, fn, [shape])


def test_writes_through_unfold_reach_the_base_as_torch(oracle):
    results = []
    for lib in (oracle.ember, oracle.torch):
        x = lib.arange(6.0, requires_grad=True)
        y = x * 1
        y.unfold(0, 2, 2).mul_(3)
        y.sum().backward()
        results.append((y.detach().cpu().numpy(), x.grad.cpu().numpy(), type(y.grad_fn).__name__))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    assert results[0][2] == results[1][2]


@pytest.mark.parametrize("args", [(1, 8, 1), (1, 2, 0), (1, 2, -1), (1, -1, 1), (2, 2, 1)], ids=str)
def test_unfold_errors_match_torch(oracle, args):
    check_error(oracle, lambda lib, x: x.unfold(*args), np.ones((2, 7), np.float32))


@pytest.mark.parametrize("args", [(1, 2.0, 1), (1, 2, 1.5), (1.0, 2, 1), (1, True, 1)], ids=str)
def test_unfold_argument_types_are_checked_as_torch(oracle, args):
    check_error(oracle, lambda lib, x: x.unfold(*args), np.ones((2, 7), np.float32))


# ----- lerp --------------------------------------------------------------------------------------
LERPS = {
    "number weight": (lambda lib, a, b: lib.lerp(a, b, 0.3), [(3,), (3,)]),
    "number weight above 0.5": (lambda lib, a, b: lib.lerp(a, b, 0.7), [(3,), (3,)]),
    "tensor weight": (lambda lib, a, b, w: lib.lerp(a, b, w), [(3,), (3,), (3,)]),
    "broadcast": (lambda lib, a, b, w: lib.lerp(a, b, w), [(2, 3), (3,), (2, 1)]),
    "broadcast by weight": (lambda lib, a, b, w: lib.lerp(a, b, w), [(3,), (3,), (2, 3)]),
    "method": (lambda lib, a, b, w: a.lerp(b, w), [(3,), (3,), (3,)]),
    "lerp_": (lambda lib, a, b: (a * 1).lerp_(b, 0.5), [(3,), (3,)]),
    "lerp_ tensor": (lambda lib, a, b, w: (a * 1).lerp_(b, w), [(2, 3), (3,), (3,)]),
    "0-d weight of another dtype": (lambda lib, a, b, w: lib.lerp(a, b, w.double()), [(3,), (3,), ()]),
    "0-d input": (lambda lib, a, b: lib.lerp(a, b, 0.25), [(), (3,)]),
    "bool weight": (lambda lib, a, b: lib.lerp(a, b, True), [(3,), (3,)]),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(LERPS))
def test_lerp_matches_torch(oracle, name, dtype):
    fn, shapes = LERPS[name]
    check_with_name(oracle, fn, shapes, dtype)


def test_lerp_is_exact_at_both_ends_as_torch(oracle):
    """Weights 0 and 1 give start and end exactly (``a + w * (b - a)`` misses end at 3e8); weights between are an
    ulp from this machine's PyTorch at most: it fuses the multiply-add or not by its CPU capability
    (test_oracle_lerp_rounding.py compares them bitwise with its unfused rounding)."""
    start, end = np.array([1.0, 2.0, 3e8], np.float32), np.array([3.0, -1.0, 1.0], np.float32)
    exact, ulp = {"rtol": 0, "atol": 0}, {"rtol": float(np.finfo(np.float32).eps), "atol": 0}
    for weight in (0.0, 0.2, 0.7, 1.0):
        oracle.check_forward(lambda lib, a, b, w=weight: lib.lerp(a, b, w), start, end,
                             **(exact if weight in (0.0, 1.0) else ulp))
    for weights, tolerance in (([0.0, 1.0, 1.0], exact), ([0.7, 0.2, 1.0], ulp)):
        oracle.check_forward(lambda lib, a, b, w: lib.lerp(a, b, w), start, end, np.array(weights, np.float32),
                             **tolerance)


def test_lerp_out_writes_the_result(oracle):
    results = []
    for lib in (oracle.ember, oracle.torch):
        out = lib.empty(3)
        assert lib.lerp(lib.zeros(3), lib.ones(3), 0.25, out=out) is out
        results.append(out.cpu().numpy())
    np.testing.assert_array_equal(*results)


@pytest.mark.parametrize("case", ["integers", "end dtype", "weight dtype", "shapes", "lerp_ broadcast"])
def test_lerp_errors_match_torch(oracle, case):
    ones = np.ones(3, np.float32)
    fn, arrays = {
        "integers": (lambda lib, a, b: lib.lerp(a, b, 0.5), [np.ones(3, np.int64)] * 2),
        "end dtype": (lambda lib, a, b: lib.lerp(a, b, 0.5), [ones, np.ones(3)]),
        "weight dtype": (lambda lib, a, b, w: lib.lerp(a, b, w), [ones, ones, np.ones(3)]),
        "shapes": (lambda lib, a, b: lib.lerp(a, b, 0.5), [ones, np.ones(4, np.float32)]),
        "lerp_ broadcast": (lambda lib, a, b: a.lerp_(b, 0.5), [ones, np.ones((2, 3), np.float32)]),
    }[case]
    check_error(oracle, fn, *arrays)


# ----- *_like and new_* ----------------------------------------------------------------------------
FACTORIES = {
    "zeros_like layout pin_memory": lambda lib: lib.zeros_like(lib.ones(2, 3), layout=None, pin_memory=False),
    "zeros_like transposed": lambda lib: lib.zeros_like(lib.ones(2, 3).T),
    "zeros_like contiguous_format": lambda lib: lib.zeros_like(lib.ones(2, 3).T, memory_format=lib.contiguous_format),
    "ones_like dtype requires_grad": lambda lib: lib.ones_like(lib.ones(2), dtype=lib.float64, requires_grad=True),
    "full_like int": lambda lib: lib.full_like(lib.ones(2, 3, dtype=lib.int64), 2.5),
    "empty_like device": lambda lib: lib.empty_like(lib.ones(2, 3), device="cpu").fill_(1),
    "rand_like integers": lambda lib: lib.rand_like(lib.ones(2, 3, dtype=lib.int64)),
    "randn_like dtype": lambda lib: lib.randn_like(lib.ones(2, 3), dtype=lib.float64).zero_(),
    "randint_like high": lambda lib: lib.randint_like(lib.ones(2, 3), 1),
    "randint_like low high": lambda lib: lib.randint_like(lib.ones(2, 3), 2, 3),
    "randint_like high keyword": lambda lib: lib.randint_like(lib.ones(2, 3), high=1),
    "randint_like no high": lambda lib: lib.randint_like(lib.ones(2, 3)),
    "new_zeros size keyword": lambda lib: lib.ones(2, 3).new_zeros(size=(4, 5)),
    "new_zeros layout pin_memory": lambda lib: lib.ones(2, 3).new_zeros(2, layout=None, pin_memory=False),
    "new_ones dtype": lambda lib: lib.ones(2, 3).new_ones(4, dtype=lib.float64),
    "new_ones requires_grad on integers": lambda lib: lib.ones(2, dtype=lib.int64).new_ones(4, requires_grad=True),
    "new_empty": lambda lib: lib.ones(2, 3, dtype=lib.int32).new_empty(4, 2).fill_(0),
    "new_full integer source": lambda lib: lib.ones(2, 3, dtype=lib.int64).new_full((2,), 3.5),
    "new_full keywords": lambda lib: lib.ones(2, 3).new_full(size=(2,), fill_value=3),
    "new_tensor float data on integers": lambda lib: lib.ones(2, 3, dtype=lib.int64).new_tensor([1.5, 2]),
    "new_tensor requires_grad": lambda lib: lib.ones(2, 3).new_tensor([1.0, 2], requires_grad=True),
}


@pytest.mark.parametrize("name", list(FACTORIES))
def test_factories_match_torch(oracle, name):
    def summary(lib):
        try:
            r = FACTORIES[name](lib)
        except Exception as error:
            return type(error).__name__
        # ember's tests may run on opencl, torch's on the CPU: a result on the default device counts as "cpu"
        device = "cpu" if r.device == lib.empty(0).device else r.device.type
        return tuple(r.shape), repr(r.dtype).rsplit(".", 1)[-1], r.requires_grad, r.stride(), device
    assert summary(oracle.ember) == summary(oracle.torch)
