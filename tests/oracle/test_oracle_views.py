"""Shape and view ops against PyTorch: view reshape flatten squeeze unsqueeze transpose permute expand
expand_as contiguous, cat and stack, clone and detach; values, gradients, strides and storage sharing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

FLOAT_DTYPES = st.sampled_from(["float32", "float64"])
SEEDS = st.integers(0, 2**16)
SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)


def _signed(dim, ndim):
    return st.sampled_from([dim, dim - ndim])


@st.composite
def view_cases(draw, oracle_layouts):
    """(shape, layout, name, op): a view op with arguments that are valid for `shape`."""
    shape = draw(SHAPES)
    ndim = len(shape)
    layout = draw(st.sampled_from(oracle_layouts))
    kind = draw(
        st.sampled_from(["reshape", "flatten", "squeeze", "unsqueeze", "transpose", "permute", "expand"])
    )
    if kind == "reshape":
        # Regroup the dims in a shuffled order, with some 1s added and one size left to -1.
        target = list(draw(st.permutations(shape))) + [1] * draw(st.integers(0, 2))
        target = draw(st.permutations(target))
        if target and math.prod(target) > 0:
            target[draw(st.integers(0, len(target) - 1))] = -1
        return shape, layout, f"reshape{tuple(target)}", lambda t: t.reshape(tuple(target))
    if kind == "flatten":
        if ndim == 0:
            return shape, layout, "flatten()", lambda t: t.flatten()
        start = draw(st.integers(0, ndim - 1))
        end = draw(st.integers(start, ndim - 1))
        start_arg, end_arg = draw(_signed(start, ndim)), draw(_signed(end, ndim))
        return shape, layout, f"flatten({start_arg},{end_arg})", lambda t: t.flatten(start_arg, end_arg)
    if kind == "squeeze":
        shape = tuple(draw(st.sampled_from([1, size])) for size in shape)
        if ndim == 0 or draw(st.booleans()):
            return shape, layout, "squeeze()", lambda t: t.squeeze()
        dim = draw(st.integers(0, ndim - 1).flatmap(lambda d: _signed(d, ndim)))
        return shape, layout, f"squeeze({dim})", lambda t: t.squeeze(dim)
    if kind == "unsqueeze":
        dim = draw(st.integers(-ndim - 1, ndim))
        return shape, layout, f"unsqueeze({dim})", lambda t: t.unsqueeze(dim)
    if kind == "transpose":
        if ndim == 0:
            return shape, layout, "transpose(0,-1)", lambda t: t.transpose(0, -1)
        dims = [draw(st.integers(0, ndim - 1).flatmap(lambda d: _signed(d, ndim))) for _ in range(2)]
        return shape, layout, f"transpose{tuple(dims)}", lambda t: t.transpose(*dims)
    if kind == "permute":
        order = [draw(_signed(d, ndim)) for d in draw(st.permutations(range(ndim)))]
        return shape, layout, f"permute{tuple(order)}", lambda t: t.permute(tuple(order))
    # expand: size-1 dims grow, others are kept (or given as -1), new leading dims are added.
    shape = tuple(draw(st.sampled_from([1, size])) for size in shape)
    kept = [draw(st.sampled_from([size, -1])) if size != 1 else draw(st.integers(1, 3)) for size in shape]
    target = [draw(st.integers(0, 3)) for _ in range(draw(st.integers(0, 2)))] + kept
    return shape, layout, f"expand{tuple(target)}", lambda t: t.expand(tuple(target))


FIXED_VIEWS = {
    "view(-1)": ((2, 3, 4), lambda lib, x: x.view(-1)),
    "view(4,-1)": ((2, 3, 4), lambda lib, x: x.view(4, -1)),
    "view(shape tuple)": ((2, 3, 4), lambda lib, x: x.view((6, 4))),
    "view of 0-d": ((), lambda lib, x: x.view(1, 1)),
    "view to 0-d": ((1,), lambda lib, x: x.view(())),
    "view of empty": ((2, 0, 3), lambda lib, x: x.view(-1, 3)),
    "reshape non-contiguous": ((3, 4), lambda lib, x: x.t().reshape(12)),
    "reshape offset view": ((3, 4, 2), lambda lib, x: x[1:].permute(2, 0, 1).reshape(2, -1)),
    "lib.reshape": ((3, 4), lambda lib, x: lib.reshape(x, (2, 6))),
    "reshape empty": ((0, 3), lambda lib, x: x.reshape(3, 0)),
    "flatten()": ((2, 3, 4), lambda lib, x: x.flatten()),
    "lib.flatten(x,1)": ((2, 3, 4), lambda lib, x: lib.flatten(x, 1)),
    "flatten 0-d": ((), lambda lib, x: x.flatten()),
    "squeeze non-1 dim": ((2, 3), lambda lib, x: x.squeeze(0)),
    "squeeze dims tuple": ((1, 3, 1, 2), lambda lib, x: x.squeeze((0, 2))),
    "lib.squeeze": ((1, 3, 1), lambda lib, x: lib.squeeze(x)),
    "lib.unsqueeze": ((3,), lambda lib, x: lib.unsqueeze(x, 1)),
    "t() 2-d": ((3, 4), lambda lib, x: x.t()),
    "t() 1-d": ((3,), lambda lib, x: x.t()),
    ".T": ((3, 4), lambda lib, x: x.T),
    "lib.transpose": ((2, 3, 4), lambda lib, x: lib.transpose(x, 0, 2)),
    "permute(tuple)": ((2, 3, 4), lambda lib, x: x.permute((2, 0, 1))),
    "lib.permute": ((2, 3, 4), lambda lib, x: lib.permute(x, (1, 2, 0))),
    "expand(tuple)": ((3, 1), lambda lib, x: x.expand((2, 3, 4))),
    "expand 0-d": ((), lambda lib, x: x.expand(2, 3)),
    "expand to empty": ((1, 3), lambda lib, x: x.expand(0, 3)),
    "expand_as": ((3, 1), lambda lib, x: x.expand_as(lib.ones(2, 3, 5))),
    "contiguous of transposed": ((3, 4), lambda lib, x: x.t().contiguous()),
    "contiguous of stepped": ((3, 8), lambda lib, x: x[:, ::2].contiguous()),
    "view of contiguous()": ((3, 4), lambda lib, x: x.t().contiguous().view(-1)),
    "clone": ((3, 4), lambda lib, x: x.clone()),
    "clone of transposed": ((3, 4), lambda lib, x: x.t().clone()),
    "detach used twice": ((3, 4), lambda lib, x: x.detach() * x),
}

VIEW_ERRORS = {
    "view of non-contiguous": lambda lib, x: x.transpose(0, 1).view(-1),
    "view with a wrong size": lambda lib, x: x.view(5, -1),
    "two -1 in reshape": lambda lib, x: x.reshape(-1, -1),
    "permute with too few dims": lambda lib, x: x.permute(0, 1),
    "expand of a non-1 dim": lambda lib, x: x.expand(3, 3, 4),
    "squeeze dim out of range": lambda lib, x: x.squeeze(5),
    "unsqueeze dim out of range": lambda lib, x: x.unsqueeze(4),
    "transpose dim out of range": lambda lib, x: x.transpose(0, 3),
    "flatten start after end": lambda lib, x: x.flatten(2, 1),
    "cat of mismatched shapes": lambda lib, x: lib.cat([x, x[:, :2]]),
    "stack of different shapes": lambda lib, x: lib.stack([x, x[:, :2]]),
    "cat of an empty list": lambda lib, x: lib.cat([]),
    "in-place write to an expanded tensor": lambda lib, x: x.expand(2, 2, 3, 4).mul_(2),
}


@settings(max_examples=150, deadline=None)
@given(dtype=FLOAT_DTYPES, seed=SEEDS, data=st.data())
def test_view_op_matches_torch(oracle, dtype, seed, data):
    shape, layout, name, op = data.draw(view_cases(oracle.layouts), label="shape, layout, op")
    x = oracle.layout_array(oracle.rng(seed), shape, layout, dtype, "any")
    ember_result, torch_result = oracle.check(
        lambda lib, t: op(oracle.view_as_layout(t, layout)), x, seed=seed
    )
    assert ember_result.is_contiguous() == torch_result.is_contiguous(), name


@pytest.mark.parametrize("name", list(FIXED_VIEWS))
def test_fixed_view_case_matches_torch(oracle, name):
    shape, op = FIXED_VIEWS[name]
    oracle.check(op, oracle.array(oracle.rng(0), shape, "float32", "any"))


STRIDED_VIEWS = {
    "transpose": lambda t: t.transpose(0, 2),
    "permute": lambda t: t.permute(1, 2, 0),
    "slice with offset, permuted": lambda t: t[1:].permute(2, 0, 1),
    "stepped slice": lambda t: t[:, ::2],
    "expand": lambda t: t[:, :1].expand(2, 5, 4),
    "unsqueeze of transposed": lambda t: t.transpose(0, 1).unsqueeze(1),
    "squeeze of sliced": lambda t: t[:, 1:2].squeeze(1),
    "view of sliced": lambda t: t[1].view(12),
    "reshape that can view": lambda t: t.transpose(1, 2).reshape(2, 4, 3),
    "flatten of a view": lambda t: t[:, :, 1:3].flatten(0, 1),
    "select": lambda t: t[:, 1],
}


@pytest.mark.parametrize("name", list(STRIDED_VIEWS))
def test_view_strides_and_storage_sharing_match_torch(oracle, name):
    """Views have torch's strides (ignoring size-1 dims), and writing through the base shows in the view."""
    op = STRIDED_VIEWS[name]
    array = np.arange(24, dtype="float32").reshape(2, 3, 4)
    base_e, base_t = oracle.pair(array, requires_grad=False)
    view_e, view_t = op(base_e), op(base_t)
    assert view_e.is_contiguous() == view_t.is_contiguous()
    significant = [i for i, size in enumerate(view_t.shape) if size > 1]
    assert [view_e.stride()[i] for i in significant] == [view_t.stride()[i] for i in significant]
    base_e.add_(100)
    base_t.add_(100)
    oracle.assert_same(view_e, view_t)


@pytest.mark.parametrize(
    "op",
    [
        pytest.param(lambda t: t.transpose(0, 1), id="transpose"),
        pytest.param(lambda t: t.view(4, 3), id="view"),
        pytest.param(lambda t: t.reshape(12), id="reshape (a view)"),
        pytest.param(lambda t: t.t().reshape(12), id="reshape (a copy)"),
        pytest.param(lambda t: t.unsqueeze(0), id="unsqueeze"),
        pytest.param(lambda t: t.detach(), id="detach"),
        pytest.param(lambda t: t.clone(), id="clone"),
        pytest.param(lambda t: t.contiguous(), id="contiguous"),
        pytest.param(lambda t: t.t().contiguous(), id="contiguous (a copy)"),
    ],
)
def test_write_through_a_view_reaches_the_base_like_torch(oracle, op):
    base_e, base_t = oracle.pair(np.arange(12, dtype="float32").reshape(3, 4), requires_grad=False)
    op(base_e).mul_(-1)
    op(base_t).mul_(-1)
    oracle.assert_same(base_e, base_t)


def test_contiguous_of_a_contiguous_tensor_is_itself(oracle):
    x = oracle.ember.ones(2, 3)
    assert x.contiguous() is x


def test_detach_shares_storage_and_stops_gradient(oracle):
    x_e, _ = oracle.pair(np.ones((2, 2), dtype="float32"))
    detached = x_e.detach()
    assert not detached.requires_grad and detached.grad_fn is None and detached.is_leaf
    detached.zero_()
    assert (x_e.detach().cpu().numpy() == 0).all()


@st.composite
def cat_cases(draw, stack):
    """Shapes that agree everywhere except (for cat) along `dim`, and a valid, possibly negative dim."""
    base = list(draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=3)))
    ndim = len(base)
    count = draw(st.integers(1, 3))
    if stack:
        dim = draw(st.integers(-ndim - 1, ndim))
        return [tuple(base)] * count, dim
    axis = draw(st.integers(0, ndim - 1))
    shapes = [tuple(base[:axis] + [draw(st.integers(0, 3))] + base[axis + 1 :]) for _ in range(count)]
    return shapes, draw(_signed(axis, ndim))


@pytest.mark.parametrize("which", ["cat", "stack"])
@settings(max_examples=25, deadline=None)
@given(dtype=FLOAT_DTYPES, seed=SEEDS, data=st.data())
def test_cat_and_stack_match_torch(oracle, which, dtype, seed, data):
    shapes, dim = data.draw(cat_cases(which == "stack"), label="shapes, dim")
    layouts = [data.draw(st.sampled_from(oracle.layouts), label="layout") for _ in shapes]
    rng = oracle.rng(seed)
    arrays = [oracle.layout_array(rng, shape, layout, dtype, "any") for shape, layout in zip(shapes, layouts)]

    def op(lib, *leaves):
        views = [oracle.view_as_layout(leaf, layout) for leaf, layout in zip(leaves, layouts)]
        return getattr(lib, which)(views, dim=dim)

    oracle.check(op, *arrays, seed=seed)


@pytest.mark.parametrize(
    "op",
    [
        pytest.param(lambda lib, a, b: lib.cat((a, b), 1), id="cat(tuple,1)"),
        pytest.param(lambda lib, a, b: lib.cat([a, b]), id="cat default dim"),
        pytest.param(lambda lib, a, b: lib.stack([a, b]), id="stack default dim"),
        pytest.param(lambda lib, a, b: lib.stack((a[0, 0], b[1, 1])), id="stack of 0-d"),
        pytest.param(lambda lib, a, b: lib.cat([a, b, a], -1).sum(0), id="cat repeated input"),
    ],
)
def test_cat_stack_signatures_match_torch(oracle, op):
    rng = oracle.rng(3)
    oracle.check(op, oracle.array(rng, (2, 3), "float64", "any"), oracle.array(rng, (2, 3), "float64", "any"))


@pytest.mark.parametrize(
    "dtypes", [("float32", "float64"), ("int32", "float32"), ("int64", "int32"), ("bool", "int64")]
)
@pytest.mark.parametrize("which", ["cat", "stack"])
def test_cat_and_stack_promote_dtypes_like_torch(oracle, dtypes, which):
    arrays = [np.ones((2, 2), dtype=dtype) for dtype in dtypes]
    oracle.check_forward(lambda lib, a, b: getattr(lib, which)([a, b]), *arrays)


@pytest.mark.parametrize("name", list(VIEW_ERRORS))
def test_invalid_view_raises_like_torch(oracle, name):
    oracle.check_raises(VIEW_ERRORS[name], np.zeros((2, 3, 4), dtype="float32"))


# Shape ops whose sizes or dims PyTorch also takes by keyword (``t.flip(dims=[1])``), as methods and functions
KEYWORD_SIZES = {
    "view(size=)": lambda lib, x: x.view(size=(3, 8)),
    "reshape(shape=)": lambda lib, x: x.reshape(shape=(-1, 4)),
    "torch.reshape(shape=)": lambda lib, x: lib.reshape(x, shape=(4, 6)),
    "permute(dims=)": lambda lib, x: x.permute(dims=(1, 0)),
    "torch.permute(dims=)": lambda lib, x: lib.permute(x, dims=[1, 0]),
    "expand(size=)": lambda lib, x: x[:1].expand(size=(3, -1)),
    "repeat(repeats=)": lambda lib, x: x.repeat(repeats=(2, 1, 1)),
    "tile(dims=)": lambda lib, x: x.tile(dims=(2,)),
    "flip(dims=)": lambda lib, x: x.flip(dims=[1]),
    "flip(dims=tuple)": lambda lib, x: x.flip(dims=(0, 1)),
    "flip(0)": lambda lib, x: x.flip(0),
    "flip([0, 1])": lambda lib, x: x.flip([0, 1]),
}
KEYWORD_SIZE_ERRORS = {
    "flip()": lambda lib, x: x.flip(),
    "flip(dims=int)": lambda lib, x: x.flip(dims=1),
    "torch.flip(x, int)": lambda lib, x: lib.flip(x, 0),
    "flip(0, dims=)": lambda lib, x: x.flip(0, dims=(1,)),
    "permute(1, 0, dims=)": lambda lib, x: x.permute(1, 0, dims=(1, 0)),
    "repeat()": lambda lib, x: x.repeat(),
    "tile()": lambda lib, x: x.tile(),
    "expand()": lambda lib, x: x.expand(),
}


@pytest.mark.parametrize("name", list(KEYWORD_SIZES))
def test_sizes_by_keyword_are_pytorchs(oracle, name):
    oracle.check(KEYWORD_SIZES[name], oracle.array(oracle.rng(), (4, 6)))


@pytest.mark.parametrize("name", list(KEYWORD_SIZE_ERRORS))
def test_sizes_given_twice_or_not_at_all_are_pytorchs_errors(oracle, name):
    from outcomes import assert_same_error

    x = np.zeros((3, 4), dtype="float32")
    assert_same_error(lambda lib: KEYWORD_SIZE_ERRORS[name](lib, lib.tensor(x)), oracle.ember, oracle.torch)
