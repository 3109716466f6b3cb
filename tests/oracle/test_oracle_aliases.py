"""PyTorch's aliases, in-place forms and torch-level forms against PyTorch: in-place view ops (squeeze_,
transpose_, as_strided_...), as_strided, the split family (tensor_split, hsplit...), comparison aliases and
in-place comparisons, torch.square/fill/rsub/detach and the torch.* in-place forms, and the torch-level
signatures of nn ops (torch.dropout(input, p, train), int reductions...): values, gradients, grad_fn names,
version counters and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest
from outcomes import same_message

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle


def _names(result):
    results = result if isinstance(result, (tuple, list)) else (result,)
    return [None if t.grad_fn is None else type(t.grad_fn).__name__ for t in results]


def _check(oracle, fn, *shapes, domain="any", dtype="float64", seed=0, names=True):
    rng = oracle.rng(seed)
    ember_result, torch_result = oracle.check(fn, *(oracle.array(rng, s, dtype, domain) for s in shapes))
    if names:
        assert _names(ember_result) == _names(torch_result)
    return ember_result, torch_result


# ----- shape ops and their in-place forms --------------------------------------------------------------
VIEWS = {
    "squeeze_": (lambda lib, x: (x * 1).squeeze_(), [(2, 1, 3)]),
    "squeeze_ dim": (lambda lib, x: (x * 1).squeeze_(1), [(2, 1, 3)]),
    "squeeze_ dims": (lambda lib, x: (x * 1).squeeze_((1, 2)), [(2, 1, 1)]),
    "unsqueeze_": (lambda lib, x: (x * 1).unsqueeze_(-1), [(2, 3)]),
    "t_": (lambda lib, x: (x * 1).t_(), [(2, 3)]),
    "transpose_": (lambda lib, x: (x * 1).transpose_(0, 2), [(2, 3, 4)]),
    "swapaxes_": (lambda lib, x: (x * 1).swapaxes_(0, 1), [(2, 3)]),
    "swapdims_": (lambda lib, x: (x * 1).swapdims_(1, 0), [(2, 3)]),
    "swapdims": (lambda lib, x: lib.swapdims(x, 0, 1), [(2, 3)]),
    "Tensor.swapdims": (lambda lib, x: x.swapdims(0, -1), [(2, 3, 4)]),
    "in-place views chained": (lambda lib, x: (x * 1).transpose_(0, 1).unsqueeze_(0).squeeze_(0).t_(), [(2, 3)]),
    "as_strided": (lambda lib, x: lib.as_strided(x, (2, 2), (1, 2)), [(6,)]),
    "as_strided offset": (lambda lib, x: lib.as_strided(x, (2, 2), (3, 1), 2), [(3, 3)]),
    "as_strided overlapping": (lambda lib, x: x.as_strided((3, 3), (1, 1), 1), [(6,)]),
    "as_strided of a view": (lambda lib, x: x[1:].as_strided((2,), (2,)), [(6,)]),
    "as_strided of a view, offset": (lambda lib, x: x[2:].as_strided((2,), (1,), 1), [(6,)]),
    "as_strided of a transposed view": (lambda lib, x: x.t().as_strided((3,), (2,)), [(2, 3)]),
    "as_strided_": (lambda lib, x: (x * 1).as_strided_((2, 2), (1, 2)), [(6,)]),
    "as_strided_ of a view": (lambda lib, x: (x * 1)[2:].as_strided_((2, 2), (1, 2), 1), [(6,)]),
    "fliplr": (lambda lib, x: lib.fliplr(x), [(2, 3, 2)]),
    "flipud": (lambda lib, x: lib.flipud(x), [(3, 2)]),
    "Tensor.fliplr": (lambda lib, x: x.fliplr(), [(2, 3)]),
    "tensor_split sections": (lambda lib, x: lib.tensor_split(x, 3), [(10,)]),
    "tensor_split more sections than elements": (lambda lib, x: lib.tensor_split(x, 5), [(3,)]),
    "tensor_split indices": (lambda lib, x: lib.tensor_split(x, [1, 4, 20]), [(7,)]),
    "tensor_split decreasing and negative indices": (lambda lib, x: lib.tensor_split(x, (5, 2, -1)), [(7,)]),
    "tensor_split dim": (lambda lib, x: x.tensor_split(2, dim=-1), [(2, 3, 5)]),
    "tensor_split 0-d tensor": (lambda lib, x: lib.tensor_split(x, lib.tensor(3), 1), [(2, 7)]),
    "tensor_split 1-d tensor": (lambda lib, x: lib.tensor_split(x, lib.tensor([1, 3]), dim=1), [(2, 7)]),
    "hsplit": (lambda lib, x: lib.hsplit(x, 2), [(2, 4, 3)]),
    "hsplit 1-d": (lambda lib, x: lib.hsplit(x, [1, 2]), [(5,)]),
    "vsplit": (lambda lib, x: x.vsplit([1]), [(3, 2)]),
    "dsplit": (lambda lib, x: lib.dsplit(x, 2), [(2, 1, 4)]),
    "split_with_sizes": (lambda lib, x: lib.split_with_sizes(x, [1, 3], 1), [(2, 4)]),
    "Tensor.split_with_sizes": (lambda lib, x: x.split_with_sizes([2, 0, 1]), [(3, 2)]),
    "tril_": (lambda lib, x: (x * 1).tril_(), [(3, 4)]),
    "triu_": (lambda lib, x: (x * 1).triu_(-1), [(2, 3, 3)]),
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_views_and_in_place_shape_ops_match_torch(oracle, name):
    fn, shapes = VIEWS[name]
    ember_result, torch_result = _check(oracle, fn, *shapes)
    for e, t in zip(*(r if isinstance(r, tuple) else (r,) for r in (ember_result, torch_result))):
        assert e.stride() == t.stride()
        if e.numel():  # ember's slices without elements start at offset 0 (slice_buffer), PyTorch's where cut
            assert e.storage_offset() == t.storage_offset()


IN_PLACE_VIEWS = {
    "squeeze_": lambda t: t.squeeze_(),
    "unsqueeze_": lambda t: t.unsqueeze_(1),
    "t_": lambda t: t.t_(),
    "transpose_": lambda t: t.transpose_(0, 1),
    "swapaxes_": lambda t: t.swapaxes_(0, 1),
    "swapdims_": lambda t: t.swapdims_(0, 1),
    "as_strided_": lambda t: t.as_strided_((2,), (2,)),
}


@pytest.mark.parametrize("name", list(IN_PLACE_VIEWS))
def test_in_place_view_ops_change_the_tensor_itself(oracle, name):
    """The tensor itself takes the view's shape, strides and node; its version counts the change."""
    op = IN_PLACE_VIEWS[name]
    for lib in (oracle.ember, oracle.torch):
        plain = lib.tensor(np.arange(6.0).reshape(2, 3))
        assert op(plain) is plain
        assert plain._version == 1 if lib is oracle.torch else plain._version_value == 1
        assert not plain.requires_grad
    e, t = (lib.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True) * 1 for lib in (oracle.ember, oracle.torch))
    assert op(e) is e and op(t) is t
    assert (tuple(e.shape), e.stride(), _names(e)) == (tuple(t.shape), t.stride(), _names(t))


@pytest.mark.parametrize("name", list(IN_PLACE_VIEWS))
def test_in_place_view_ops_refuse_a_leaf_that_requires_grad(oracle, name):
    errors = []
    for lib in (oracle.ember, oracle.torch):
        leaf = lib.ones(3, 2, requires_grad=True)
        with pytest.raises(RuntimeError) as error:
            IN_PLACE_VIEWS[name](leaf)
        assert tuple(leaf.shape) == (3, 2)
        errors.append(error.value)
    assert same_message(*errors)


def test_in_place_view_of_a_view_keeps_the_gradient_to_its_base(oracle):
    """An in-place view op on a view, then an in-place write through it: the base's gradient is PyTorch's."""
    def fn(lib, x):
        row = (x * 1)[0]
        row.squeeze_().mul_(2)
        return row
    _check(oracle, fn, (2, 1, 3))


def test_as_strided_is_differentiable_twice(oracle):
    x = oracle.ember.randn(6, dtype=oracle.ember.float64, requires_grad=True)
    assert oracle.ember.autograd.gradcheck(lambda t: t.as_strided((2, 2), (1, 2), 1), (x,))
    assert oracle.ember.autograd.gradgradcheck(lambda t: t.as_strided((3, 3), (1, 1), 1) ** 2, (x,))


def _same_error(oracle, fn, *arrays):
    errors = []
    for lib in (oracle.ember, oracle.torch):
        with pytest.raises(Exception) as error:
            fn(lib, *(lib.tensor(a) for a in arrays))
        errors.append(error.value)
    assert type(errors[0]) is type(errors[1])
    assert same_message(*errors), (str(errors[0]), str(errors[1]))


_M = np.arange(16.0, dtype=np.float32).reshape(4, 4)
_V = np.arange(10.0, dtype=np.float32)
SHAPE_ERRORS = {
    "as_strided length": (lambda lib, x: lib.as_strided(x, (2,), (1, 2)), _M),
    "as_strided negative stride": (lambda lib, x: lib.as_strided(x, (2,), (-1,)), _M),
    "as_strided negative offset": (lambda lib, x: lib.as_strided(x, (2,), (1,), -1), _M),
    "as_strided out of bounds": (lambda lib, x: lib.as_strided(x, (5, 5), (4, 1)), _M),
    "as_strided offset out of bounds": (lambda lib, x: x.as_strided((2, 2), (1, 1), 15), _M),
    "as_strided int size": (lambda lib, x: lib.as_strided(x, 3, (1,)), _M),
    "t_ 3-d": (lambda lib, x: x.reshape(2, 2, 4).t_(), _M),
    "squeeze_ dim": (lambda lib, x: x.squeeze_(2), _M),
    "transpose_ dim": (lambda lib, x: x.transpose_(0, 2), _M),
    "tensor_split zero sections": (lambda lib, x: lib.tensor_split(x, 0), _V),
    "tensor_split negative sections": (lambda lib, x: lib.tensor_split(x, -1), _V),
    "tensor_split 2-d tensor": (lambda lib, x: lib.tensor_split(x, lib.tensor([[1]])), _V),
    "tensor_split float tensor": (lambda lib, x: lib.tensor_split(x, lib.tensor([1.0])), _V),
    "tensor_split float": (lambda lib, x: lib.tensor_split(x, 2.0), _V),
    "tensor_split 0-d input": (lambda lib, x: lib.tensor_split(x.sum(), 1), _V),
    "tensor_split dim": (lambda lib, x: lib.tensor_split(x, 2, dim=3), _V),
    "hsplit indivisible": (lambda lib, x: lib.hsplit(x, 3), _V),
    "hsplit zero": (lambda lib, x: lib.hsplit(x, 0), _M),
    "hsplit 0-d": (lambda lib, x: lib.hsplit(x.sum(), 1), _V),
    "vsplit 1-d": (lambda lib, x: lib.vsplit(x, 2), _V),
    "dsplit 2-d": (lambda lib, x: lib.dsplit(x, 2), _M),
    "split_with_sizes sum": (lambda lib, x: lib.split_with_sizes(x, [3, 6]), _V),
    "fliplr 1-d": (lambda lib, x: lib.fliplr(x), _V),
    "flipud 0-d": (lambda lib, x: lib.flipud(x.sum()), _V),
}


@pytest.mark.parametrize("name", list(SHAPE_ERRORS))
def test_shape_errors_match_torch(oracle, name):
    fn, array = SHAPE_ERRORS[name]
    _same_error(oracle, fn, array)


@pytest.mark.parametrize(("indices", "shape"), [([4, 7, 0], (2, 4)), (5, (2, 3)), ([[1234], [5678]], (10, 10, 10, 10)),
                                                ([[1, 2]], 4), (0, ()), ([-9, 9], (2, 4))])
@pytest.mark.parametrize("dtype", ["int64", "int32"])
def test_unravel_index_matches_torch(oracle, indices, shape, dtype):
    oracle.check_forward(lambda lib, i: lib.unravel_index(i, shape), np.array(indices, dtype=dtype))


@pytest.mark.parametrize("call", [lambda lib: lib.unravel_index(lib.tensor([1.0]), (2, 4)),
                                  lambda lib: lib.unravel_index(lib.tensor([True]), (2, 4)),
                                  lambda lib: lib.unravel_index(lib.tensor([1]), (-2, 4)),
                                  lambda lib: lib.unravel_index(lib.tensor([1]), (2.0, 4))])
def test_unravel_index_errors_match_torch(oracle, call):
    errors = []
    for lib in (oracle.ember, oracle.torch):
        with pytest.raises(Exception) as error:
            call(lib)
        errors.append(error.value)
    assert type(errors[0]) is type(errors[1])
    assert str(errors[0]).replace("ember", "torch") == str(errors[1])


# ----- comparisons ---------------------------------------------------------------------------------
ALIASES = {"greater": "gt", "greater_equal": "ge", "less": "lt", "less_equal": "le", "not_equal": "ne"}


@pytest.mark.parametrize("alias", list(ALIASES))
def test_comparison_aliases_match_torch(oracle, alias):
    rng = oracle.rng(1)
    a, b = (oracle.array(rng, (2, 3), "float32", "small_int") for _ in range(2))
    oracle.check_forward(lambda lib, x, y: getattr(lib, alias)(x, y), a, b)
    oracle.check_forward(lambda lib, x, y: getattr(x, alias)(1), a, b)
    oracle.check_forward(lambda lib, x, y: getattr(lib, alias)(x, y[0], out=lib.empty(2, 3, dtype=lib.int64)), a, b)
    assert getattr(oracle.ember, alias) is getattr(oracle.ember, ALIASES[alias])


COMPARISONS = ["eq", "ne", "lt", "le", "gt", "ge", *ALIASES]


@pytest.mark.parametrize("name", [*COMPARISONS, "logical_and", "logical_or", "logical_xor"])
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_in_place_comparisons_and_logical_ops_write_in_self_dtype(oracle, name, dtype):
    rng = oracle.rng(2)
    a = oracle.array(rng, (2, 3), dtype, "bool" if dtype == "bool" else "small_int")
    b = oracle.array(rng, (3,), "float32", "small_int")
    oracle.check_forward(lambda lib, x, y: getattr(x, name + "_")(y), a, b)
    if not name.startswith("logical"):
        oracle.check_forward(lambda lib, x, y: getattr(x, name + "_")(0.5), a, b)


@pytest.mark.parametrize("name", COMPARISONS)
def test_in_place_comparisons_record_zero_gradients(oracle, name):
    """PyTorch records ``t.lt_(x)`` (LtBackward1 with a tensor, LtBackward0 with a number), zero gradients."""
    _check(oracle, lambda lib, x, y: getattr(x * 2, name + "_")(y), (2, 3), (3,))
    _check(oracle, lambda lib, x: getattr(x * 2, name + "_")(0.25), (2, 3))


def test_in_place_comparison_refuses_a_leaf_and_a_broadcast_self(oracle):
    _same_error(oracle, lambda lib, x: x.requires_grad_().lt_(0), _V)
    _same_error(oracle, lambda lib, x: x.gt_(lib.ones(2, 10)), _V)


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_logical_not_in_place_matches_torch(oracle, dtype):
    rng = oracle.rng(4)
    oracle.check_forward(lambda lib, x: x.logical_not_(), oracle.array(rng, (2, 3), dtype,
                                                                        "bool" if dtype == "bool" else "small_int"))


def test_in_place_logical_op_keeps_the_history_as_torch(oracle):
    """PyTorch records nothing for logical_not_ on a float tensor: its grad_fn and gradient stay the old op's."""
    _check(oracle, lambda lib, x: (x * 2).logical_not_(), (3,))


# ----- torch-level functions -----------------------------------------------------------------------
FUNCTIONS = {
    "square": (lambda lib, x: lib.square(x), [(2, 3)]),
    "square_": (lambda lib, x: lib.square_(x * 1), [(2, 3)]),
    "Tensor.square_": (lambda lib, x: (x * 1).square_(), [(3,)]),
    "clamp_min_": (lambda lib, x: lib.clamp_min_(x * 1, 0.1), [(2, 3)]),
    "clamp_max_": (lambda lib, x: lib.clamp_max_(x * 1, 0.1), [(2, 3)]),
    "clip_": (lambda lib, x: lib.clip_(x * 1, -0.5, 0.5), [(2, 3)]),
    "fill number": (lambda lib, x: lib.fill(x, 2.5), [(2, 3)]),
    "fill tensor": (lambda lib, x, v: lib.fill(x, v), [(2, 3), ()]),
    "fill transposed": (lambda lib, x: lib.fill(x.t(), 1), [(2, 3)]),
    "fill_": (lambda lib, x: lib.fill_(x * 1, 3), [(2, 3)]),
    "zero_": (lambda lib, x: lib.zero_(x * 1), [(2, 3)]),
    "detach": (lambda lib, x: lib.detach(x) * x, [(2, 3)]),
    "detach_": (lambda lib, x: lib.detach_(x * 1), [(2, 3)]),
    "rsub": (lambda lib, x, y: lib.rsub(x, y), [(2, 3), (3,)]),
    "rsub alpha": (lambda lib, x, y: lib.rsub(x, y, alpha=2.5), [(2, 3), (3,)]),
    "rsub number": (lambda lib, x: lib.rsub(x, 2), [(2, 3)]),
    "rsub number alpha": (lambda lib, x: lib.rsub(x, 2, 3), [(2, 3)]),
    "nan_to_num_": (lambda lib, x: lib.nan_to_num_(x * 1, 0.0), [(2, 3)]),
    "logit_": (lambda lib, x: lib.logit_(x.sigmoid() * 1, 0.01), [(2, 3)]),
    "xlogy_": (lambda lib, x, y: lib.xlogy_(x * 1, y.abs()), [(2, 3), (3,)]),
    "addmv_": (lambda lib, i, m, v: lib.addmv_(i * 1, m, v, beta=2), [(2,), (2, 3), (3,)]),
    "celu": (lambda lib, x: lib.celu(x, 0.5), [(2, 3)]),
    "celu_": (lambda lib, x: lib.celu_(x * 1, alpha=2.0), [(2, 3)]),
    "selu": (lambda lib, x: lib.selu(x), [(2, 3)]),
    "selu_": (lambda lib, x: lib.selu_(x * 1), [(2, 3)]),
    "hardshrink": (lambda lib, x: lib.hardshrink(x, 0.3), [(2, 3)]),
    "Tensor.hardshrink": (lambda lib, x: x.hardshrink(), [(2, 3)]),
    "dropout eval": (lambda lib, x: lib.dropout(x, 0.5, False), [(2, 3)]),
    "dropout p=0": (lambda lib, x: lib.dropout(x, 0.0, True), [(2, 3)]),
    "dropout p=1": (lambda lib, x: lib.dropout(x, 1.0, True), [(2, 3)]),
    "dropout_ p=1": (lambda lib, x: lib.dropout_(x * 1, 1.0, True), [(2, 3)]),
    "alpha_dropout eval": (lambda lib, x: lib.alpha_dropout(x, 0.5, False), [(2, 3)]),
    "alpha_dropout_ p=1": (lambda lib, x: lib.alpha_dropout_(x * 1, 1.0, True), [(2, 3)]),
    "feature_alpha_dropout eval": (lambda lib, x: lib.feature_alpha_dropout(x, 0.5, False), [(2, 3)]),
    "feature_alpha_dropout_ p=0": (lambda lib, x: lib.feature_alpha_dropout_(x * 1, 0.0, True), [(2, 3)]),
    "bilinear": (lambda lib, a, b, w, c: lib.bilinear(a, b, w, c), [(2, 3), (2, 4), (5, 3, 4), (5,)]),
    "layer_norm": (lambda lib, x, w, b: lib.layer_norm(x, [3], w, b, 1e-3, False), [(2, 3), (3,), (3,)]),
    "group_norm": (lambda lib, x, w, b: lib.group_norm(x, 2, w, b), [(2, 4, 3), (4,), (4,)]),
    "batch_norm": (lambda lib, x, w, b: lib.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, True),
                   [(4, 3), (3,), (3,)]),
}


# nan_to_num records WhereBackward0 (ember._ops.nan_reductions composes it of where), not NanToNumBackward0
_OWN_NODE = {"nan_to_num_"}


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_torch_level_functions_match_torch(oracle, name):
    fn, shapes = FUNCTIONS[name]
    _check(oracle, fn, *shapes, names=name not in _OWN_NODE)


def test_batch_norm_updates_running_stats_as_torch(oracle):
    rng = oracle.rng(5)
    x = oracle.array(rng, (4, 3), "float64", "any")
    stats = []
    for lib in (oracle.ember, oracle.torch):
        mean, var = lib.zeros(3, dtype=lib.float64), lib.ones(3, dtype=lib.float64)
        lib.batch_norm(lib.tensor(x), None, None, mean, var, True, 0.3, 1e-5, False)
        evaluated = lib.batch_norm(lib.tensor(x), None, None, mean, var, False, 0.3, 1e-5, False)
        stats.append([t.cpu().numpy() for t in (mean, var, evaluated)])
    for e, t in zip(*stats):
        np.testing.assert_allclose(e, t)


@pytest.mark.parametrize("padding_idx", [-1, -2, 2])
@pytest.mark.parametrize("scale_grad_by_freq", [False, True])
def test_embedding_takes_torch_level_arguments(oracle, padding_idx, scale_grad_by_freq):
    def fn(lib, weight):
        return lib.embedding(weight, lib.tensor([0, 2, 2, 3]), padding_idx, scale_grad_by_freq)
    _check(oracle, fn, (4, 3))


LOSSES = {
    "binary_cross_entropy_with_logits": (lambda lib, x, t, r: lib.binary_cross_entropy_with_logits(
        x, t.sigmoid(), None, None, *r), [(2, 3), (2, 3)]),
    "cosine_embedding_loss": (lambda lib, a, b, t, r: lib.cosine_embedding_loss(a, b, t.sign(), 0.1, *r),
                              [(2, 3), (2, 3), (2,)]),
    "hinge_embedding_loss": (lambda lib, x, t, r: lib.hinge_embedding_loss(x, t.sign(), 0.5, *r), [(2, 3), (2, 3)]),
    "kl_div": (lambda lib, x, t, r: lib.kl_div(x, t.sigmoid(), *r), [(2, 3), (2, 3)]),
    "kl_div log_target": (lambda lib, x, t, r: lib.kl_div(x, t, *r, log_target=True), [(2, 3), (2, 3)]),
    "margin_ranking_loss": (lambda lib, a, b, t, r: lib.margin_ranking_loss(a, b, t.sign(), 0.2, *r),
                            [(3,), (3,), (3,)]),
    "poisson_nll_loss": (lambda lib, x, t, r: lib.poisson_nll_loss(x, t.abs(), True, True, 1e-8, *(r or (1,))),
                         [(2, 3), (2, 3)]),
    "triplet_margin_loss": (lambda lib, a, p, n, r: lib.triplet_margin_loss(a, p, n, 1.0, 2.0, 1e-6, True, *r),
                            [(2, 3), (2, 3), (2, 3)]),
}


@pytest.mark.parametrize("reduction", [(), (0,), (1,), (2,), (7,)])
@pytest.mark.parametrize("name", list(LOSSES))
def test_losses_take_int_reductions(oracle, name, reduction):
    """An int reduction: 1 mean, 2 sum, anything else (and the default) none, as PyTorch's bindings."""
    fn, shapes = LOSSES[name]
    _check(oracle, lambda lib, *tensors: fn(lib, *tensors, reduction), *shapes)


FUNCTION_ERRORS = {
    "dropout p": (lambda lib, x: lib.dropout(x, 1.5, True), _V),
    "dropout_ p": (lambda lib, x: lib.dropout_(x, -0.5, False), _V),
    "alpha_dropout p": (lambda lib, x: lib.alpha_dropout(x, 2, True), _V),
    "feature_alpha_dropout_ p": (lambda lib, x: lib.feature_alpha_dropout_(x, 2, True), _V),
    "feature_alpha_dropout 1-d": (lambda lib, x: lib.feature_alpha_dropout(x, 0.5, True), _V),
    "kl_div str reduction": (lambda lib, x: lib.kl_div(x, x, "mean"), _V),
    "layer_norm int shape": (lambda lib, x: lib.layer_norm(x, 10), _V),
    "layer_norm shape": (lambda lib, x: lib.layer_norm(x, [4]), _V),
    "batch_norm eval without stats": (lambda lib, x: lib.batch_norm(x.reshape(2, 5), None, None, None, None, False,
                                                                     0.1, 1e-5, True), _V),
    "fill 1-d value": (lambda lib, x: lib.fill(x, lib.ones(2)), _V),
    "rsub bool alpha": (lambda lib, x: lib.rsub(x, x, alpha=True), _V),
    "rsub float alpha on ints": (lambda lib, x: lib.rsub(x.long(), x.long(), alpha=1.5), _V),
    "rsub bools": (lambda lib, x: lib.rsub(x.bool(), x.bool()), _V),
    "zero_ of a number": (lambda lib, x: lib.zero_(1), _V),
    "square_ of bools": (lambda lib, x: lib.square_(x.bool()), _V),
    "clamp_min_ of a leaf": (lambda lib, x: lib.clamp_min_(x.requires_grad_(), 0), _V),
}


@pytest.mark.parametrize("name", list(FUNCTION_ERRORS))
def test_torch_level_function_errors_match_torch(oracle, name):
    fn, array = FUNCTION_ERRORS[name]
    _same_error(oracle, fn, array)


def test_torch_level_in_place_forms_return_and_count_the_write(oracle):
    for name, args in (("square_", ()), ("clamp_min_", (0.5,)), ("clip_", (0, 1)), ("fill_", (2,)),
                       ("zero_", ()), ("nan_to_num_", ()), ("logit_", ()), ("xlogy_", (2.0,))):
        versions = []
        for lib in (oracle.ember, oracle.torch):
            t = lib.tensor([0.25, 0.5])
            assert getattr(lib, name)(t, *args) is t
            versions.append((t._version_value if lib is oracle.ember else t._version, t.tolist()))
        assert versions[0][0] == versions[1][0] == 1, name
        np.testing.assert_allclose(versions[0][1], versions[1][1], rtol=1e-6, err_msg=name)


def test_gcd_and_lcm_in_place_forms_match_torch(oracle):
    a, b = np.array([4, 6, -9]), np.array([6, 4, 6])
    oracle.check_forward(lambda lib, x, y: lib.gcd_(x, y), a, b)
    oracle.check_forward(lambda lib, x, y: lib.lcm_(x, y), a, b)


def test_rsub_is_differentiable_twice(oracle):
    ember = oracle.ember
    a, b = (ember.randn(3, dtype=ember.float64, requires_grad=True) for _ in range(2))
    assert ember.autograd.gradcheck(lambda x, y: ember.rsub(x, y, alpha=1.5), (a, b))
    assert ember.autograd.gradgradcheck(lambda x, y: ember.rsub(x * x, y, alpha=-2) * y, (a, b))
