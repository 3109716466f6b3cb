"""Views and in-place writes against PyTorch: little programs that take two overlapping views of a
non-leaf, write into one (or into the base) and differentiate through the other. The view read after
the write must carry the base's new history (PyTorch re-derives it as AsStridedBackward0)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember.nn.functional as ember_functional

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

# Views of y, a (3, 4) non-leaf; each covers row 1, column 1 or both, so every pair overlaps.
VIEWS = {
    "base": lambda y: y,
    "view": lambda y: y.view(12),
    "reshape": lambda y: y.reshape(4, 3),
    "unsqueeze+squeeze": lambda y: y.unsqueeze(0).squeeze(0),
    "squeeze(dim)": lambda y: y[None].squeeze(0),
    "t": lambda y: y.t(),
    "transpose": lambda y: y.transpose(0, 1),
    "permute": lambda y: y.permute(1, 0),
    "select": lambda y: y[1],
    "select(dim)": lambda y: y.select(1, 1),
    "slice": lambda y: y[1:3],
    "narrow": lambda y: y.narrow(1, 1, 2),
    "stepped": lambda y: y[1:, ::2],
    "ellipsis": lambda y: y[...],
    "view of view": lambda y: y[1:].t()[1],
    "expand": lambda y: y[None].expand(2, 3, 4),
    "detach": lambda y: y.detach(),
}

# The views read after the write (a subset, to keep the product small).
READERS = ("base", "view", "t", "select", "slice", "stepped", "view of view")


def _setitem_all(t):
    t[...] = 5.0


def _setitem_first(t):
    t[0] = 7.0


WRITES = {
    "add_": lambda t, lib: t.add_(1.0),
    "mul_": lambda t, lib: t.mul_(2.0),
    "div_": lambda t, lib: t.div_(-1.5),
    "fill_": lambda t, lib: t.fill_(2.0),
    "zero_": lambda t, lib: t.zero_(),
    "copy_": lambda t, lib: t.copy_(lib.ones(t.shape)),
    "clamp_": lambda t, lib: t.clamp_(-1.0, 1.0),
    "setitem[...]": lambda t, lib: _setitem_all(t),
    "setitem[0]": lambda t, lib: _setitem_first(t),
}

_X = np.linspace(-2.0, 2.5, 12, dtype=np.float32).reshape(3, 4)


def _names(node) -> tuple:
    """The type names of a grad_fn and of the nodes it leads to."""
    if node is None:
        return (None,)
    return (type(node).__name__,) + tuple(None if n is None else type(n).__name__ for n, _ in node.next_functions)


def _program(lib, write: str, writer: str, reader: str):
    """Write through one view of y = x * 3, then differentiate a weighted sum of another view. A write
    into an expanded view raises: PyTorch at the write or at backward, ember at the write."""
    x = lib.tensor(_X, requires_grad=True)
    y = x * 3
    b = VIEWS[reader](y)
    a = VIEWS[writer](y)
    try:
        WRITES[write](a, lib)
        weights = lib.tensor(np.arange(1, b.numel() + 1, dtype=np.float32).reshape(tuple(b.shape)))
        names = _names(b.grad_fn)
        (b * weights).sum().backward()
    except RuntimeError:
        return "RuntimeError"
    return x.grad.cpu().numpy(), names, a.requires_grad, b.requires_grad, a.is_leaf, b.is_leaf


def _compare(got, expected, what: str) -> None:
    if isinstance(expected, str):
        assert got == expected, what
        return
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-6, atol=1e-6, err_msg=what)
    assert got[1:] == expected[1:], what


@pytest.mark.parametrize("writer", list(VIEWS))
@pytest.mark.parametrize("write", list(WRITES))
def test_view_read_after_overlapping_write_matches_torch(oracle, write, writer):
    for reader in READERS:
        _compare(_program(oracle.ember, write, writer, reader), _program(torch, write, writer, reader),
                 f"read through {reader}")


def _grad_program(lib):
    x = lib.tensor(_X, requires_grad=True)
    y = x * 3
    a, b = y[0:1], y[0:1]
    a.mul_(2.0)
    return lib.autograd.grad(b.sum(), x)[0].cpu().numpy(), _names(b.grad_fn)


def test_autograd_grad_through_a_sibling_view_sees_the_write(oracle):
    got, expected = _grad_program(oracle.ember), _grad_program(torch)
    np.testing.assert_allclose(got[0], expected[0])
    assert got[1] == expected[1]


def _division_through_transpose(lib):
    x = lib.tensor(_X[:2, :2].copy(), requires_grad=True)
    t2 = (x * 3).view(2, 2)
    u = t2.t()
    t2 /= -1.5
    u.sum().backward()
    return x.grad.cpu().numpy(), _names(u.grad_fn)


def test_in_place_division_of_the_base_reaches_its_transpose(oracle):
    got, expected = _division_through_transpose(oracle.ember), _division_through_transpose(torch)
    np.testing.assert_allclose(got[0], expected[0])
    assert got[1] == expected[1]


def _write_then_regrad(lib):
    """The re-derived grad_fn is made once per version: a second write re-derives it again."""
    x = lib.tensor(_X, requires_grad=True)
    y = x * 3
    b = y[1]
    y.mul_(2.0)
    first = b.grad_fn
    same = b.grad_fn is first
    y[1, 0] = 0.0
    (b * 5).sum().backward()
    return x.grad.cpu().numpy(), same, b.grad_fn is not first, _names(b.grad_fn)


def test_view_history_is_rederived_once_per_write(oracle):
    got, expected = _write_then_regrad(oracle.ember), _write_then_regrad(torch)
    np.testing.assert_allclose(got[0], expected[0])
    assert got[1:] == expected[1:]


def _squeeze_div_setitem(lib):
    """A scalar division saves nothing of its input, so writing into that input raises no error."""
    x = lib.tensor([[1.0, 2.0]], requires_grad=True)
    t4 = x * 2
    t5 = t4.squeeze()
    t6 = t5 / 1
    t5[None] = lib.tensor([5.0, 6.0])
    (t6.sum() + t5.sum()).backward()
    return x.grad.cpu().numpy(), _names(t5.grad_fn)


def test_write_into_a_squeezed_view_after_dividing_it(oracle):
    got, expected = _squeeze_div_setitem(oracle.ember), _squeeze_div_setitem(torch)
    np.testing.assert_allclose(got[0], expected[0])
    assert got[1] == expected[1]


OPERAND_WRITES = {
    "y * c": lambda y, c: y * c,
    "c * y": lambda y, c: c * y,
    "y / c": lambda y, c: y / c,
    "y * 2": lambda y, c: y * 2,
    "y / 2": lambda y, c: y / 2,
    "c / y": lambda y, c: c / y,
    "y @ c.T": lambda y, c: y @ c.t(),
    "c.T @ y": lambda y, c: c.t() @ y,
    "mm": lambda y, c: y.mm(c.t()),
    "matrix @ vector": lambda y, c: y @ c[0],
    "batched": lambda y, c: y[None] @ c.t()[None],
    "dot": lambda y, c: y[0].dot(c[0]),
    "linear(y, c)": lambda y, c: _linear(y, c),
    "linear(c, y)": lambda y, c: _linear(c, y),
    "linear(y, c, bias)": lambda y, c: _linear(y, c, c[0, :3]),
}


def _linear(x, w, b=None):
    functional = torch.nn.functional if isinstance(x, torch.Tensor) else ember_functional
    return functional.linear(x, w, b)


def _modify_operand(lib, op):
    x = lib.tensor(_X, requires_grad=True)
    y = x * 1
    z = OPERAND_WRITES[op](y, lib.tensor(_X + 5))
    y.add_(1)
    try:
        z.sum().backward()
    except RuntimeError:
        return "RuntimeError"
    return x.grad.cpu().numpy()


@pytest.mark.parametrize("op", list(OPERAND_WRITES))
def test_writing_an_operand_whose_value_backward_does_not_need(oracle, op):
    got, expected = _modify_operand(oracle.ember, op), _modify_operand(torch, op)
    if isinstance(expected, str):
        assert got == expected
    else:
        np.testing.assert_allclose(got, expected)


def _flags(lib):
    a = lib.zeros(2, 2)
    b = a.view(4)
    a.requires_grad_()
    x = lib.ones(2, requires_grad=True)
    with lib.no_grad():
        v = x[0:1]
        w = (x * 2)[0:1]
    return (b.requires_grad, b.is_leaf, b.grad_fn is None, v.requires_grad, v.is_leaf, v.grad_fn is None,
            w.requires_grad, w.is_leaf)


def test_views_report_requires_grad_of_their_base(oracle):
    assert _flags(oracle.ember) == _flags(torch)


NO_GRAD_CASES = {
    "write the view": lambda lib, y, v: v.mul_(2),
    "write the base, read the view": lambda lib, y, v: (y.mul_(2), v.grad_fn),
    "write the view in no_grad, read it": lambda lib, y, v: (_in_no_grad(lib, lambda: v.mul_(2)), v.grad_fn),
}


def _in_no_grad(lib, fn):
    with lib.no_grad():
        fn()


def _no_grad_view(lib, case):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with lib.no_grad():
        v = y[0:1]
    try:
        NO_GRAD_CASES[case](lib, y, v)
    except RuntimeError as error:
        return str(error).replace("torch", "ember")
    return None


@pytest.mark.parametrize("case", list(NO_GRAD_CASES))
def test_views_made_in_no_grad_refuse_tracked_writes(oracle, case):
    assert _no_grad_view(oracle.ember, case) == _no_grad_view(torch, case)


def _leaf_view_write_in_no_grad(lib):
    b = lib.ones(2, 2, requires_grad=True)
    with lib.no_grad():
        b.t().neg_()
        b[0].mul_(3)
    return b.detach().cpu().numpy(), b.grad_fn is None, b.requires_grad


def test_write_into_a_view_of_a_leaf_under_no_grad(oracle):
    got, expected = _leaf_view_write_in_no_grad(oracle.ember), _leaf_view_write_in_no_grad(torch)
    np.testing.assert_allclose(got[0], expected[0])
    assert got[1:] == expected[1:]


INTEGER_RESULTS = {
    "long()": lambda x, lib: x.long(),
    "int()": lambda x, lib: x.int(),
    "bool()": lambda x, lib: x.bool(),
    "to(int64)": lambda x, lib: x.to(lib.int64),
    "type(int32)": lambda x, lib: x.type(lib.int32),
    "argmax": lambda x, lib: x.argmax(),
    "argmin": lambda x, lib: x.argmin(),
    "max(0).indices": lambda x, lib: x.max(0)[1],
    "gt": lambda x, lib: x > 0,
    "eq": lambda x, lib: x == x,
    "logical_not": lambda x, lib: x.logical_not(),
    "any": lambda x, lib: x.any(),
    "long()[0]": lambda x, lib: x.long()[0],
    "long().sum()": lambda x, lib: x.long().sum(),
    "long().clone()": lambda x, lib: x.long().clone(),
    "where(long)": lambda x, lib: lib.where(x > 0, x.long(), 0),
    "0-d long()": lambda x, lib: lib.tensor(1.5, requires_grad=True).long(),
}


def _integer_result(lib, name):
    x = lib.tensor([1.5, -2.5, 0.5], requires_grad=True)
    r = INTEGER_RESULTS[name](x, lib)
    return r.requires_grad, r.grad_fn is None, r.is_leaf


@pytest.mark.parametrize("name", list(INTEGER_RESULTS))
def test_integer_and_bool_results_never_require_grad(oracle, name):
    assert _integer_result(oracle.ember, name) == _integer_result(torch, name)


def _copy_float_into_int(lib):
    i = lib.tensor([1, 2])
    f = lib.tensor([1.5, 2.5], requires_grad=True)
    i.copy_(f)
    return i.requires_grad, i.grad_fn is None, i.tolist()


def test_copying_a_float_that_requires_grad_into_an_integer_tensor(oracle):
    assert _copy_float_into_int(oracle.ember) == _copy_float_into_int(torch)


def _second_backward(lib, key):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = x[key(lib)]
    out.sum().backward()
    try:
        out.sum().backward()
    except RuntimeError as error:
        return str(error)
    return None


@pytest.mark.parametrize("key", [lambda lib: lib.tensor([True, False, True]), lambda lib: lib.tensor([0, 2])],
                         ids=["bool mask", "int index"])
def test_second_backward_through_tensor_indexing_raises(oracle, key):
    expected = _second_backward(torch, key)
    assert expected is not None
    assert _second_backward(oracle.ember, key) == expected


# ----- random programs of views and writes ----------------------------------------------------------------------
RANDOM_VIEWS = (
    lambda t: t.t() if t.ndim == 2 else t,
    lambda t: t[1:] if t.shape[0] > 1 else t,
    lambda t: t[0] if t.ndim > 1 else t,
    lambda t: t.unsqueeze(0),
    lambda t: t.squeeze(),
    lambda t: t.view(-1) if t.is_contiguous() else t.reshape(-1),
    lambda t: t[..., ::2],
    lambda t: t.transpose(0, -1),
    lambda t: t.narrow(0, 0, 1),
)
RANDOM_WRITES = (
    lambda t: t.mul_(2.0),
    lambda t: t.add_(1.0),
    lambda t: t.zero_(),
    lambda t: t.fill_(3.0),
    lambda t: t.div_(-2.0),
    lambda t: t.clamp_(-1, 1),
    lambda t: t.__setitem__(0, 4.0) if t.ndim else t.fill_(4.0),
    lambda t: t.copy_(t * 0 + 1),
    lambda t: t.exp_(),
    lambda t: t.sub_(t.detach() * 0.5),
)


def _random_program(lib, seed):
    """Views of views, writes through any of them and new products, then a weighted sum of them all."""
    rng = np.random.default_rng(seed)
    x = lib.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4), requires_grad=True)
    pool = [x * 2]
    try:
        for _ in range(rng.integers(2, 7)):
            kind, source = rng.random(), pool[rng.integers(len(pool))]
            if kind < 0.5:
                pool.append(RANDOM_VIEWS[rng.integers(len(RANDOM_VIEWS))](source))
            elif kind < 0.85:
                RANDOM_WRITES[rng.integers(len(RANDOM_WRITES))](source)
            else:
                pool.append(source * 1.5)
        sum((t * (i + 1)).sum() for i, t in enumerate(pool)).backward()
    except RuntimeError:
        return "RuntimeError"
    return x.grad.cpu().numpy(), [None if t.grad_fn is None else type(t.grad_fn).__name__ for t in pool]


@pytest.mark.parametrize("first_seed", range(0, 400, 50))
def test_random_programs_of_views_and_writes_match_torch(oracle, first_seed):
    for seed in range(first_seed, first_seed + 50):
        got, expected = _random_program(oracle.ember, seed), _random_program(torch, seed)
        if isinstance(expected, str) or isinstance(got, str):
            assert got == expected, f"seed {seed}"
        else:
            np.testing.assert_allclose(got[0], expected[0], rtol=1e-5, atol=1e-5, err_msg=f"seed {seed}")
            assert got[1] == expected[1], f"seed {seed}"


SAVED_OUTPUTS = {
    "exp": lambda x: x.exp(),
    "prod": lambda x: x.prod(),
    "prod(0)": lambda x: x.prod(0),
    "sigmoid": lambda x: x.sigmoid(),
    "exp_ of a view": lambda x: (x * 1)[0:1].exp_(),
    "input of a product": lambda x: _square_then_add(x),
}


def _square_then_add(x):
    y = x * 1
    z = y * y
    y.add_(1)
    return z


def _modified_saved_output(lib, name, anomaly):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    with lib.autograd.set_detect_anomaly(anomaly, check_nan=False):
        y = SAVED_OUTPUTS[name](x)
        if name != "input of a product":
            y.add_(1)
        try:
            y.sum().backward()
        except RuntimeError as error:
            return str(error).replace("torch.", "ember.")
    return None


@pytest.mark.filterwarnings("ignore:Error detected in")  # PyTorch's anomaly mode warns with the forward stack
@pytest.mark.parametrize("anomaly", [False, True])
@pytest.mark.parametrize("name", list(SAVED_OUTPUTS))
def test_modified_saved_values_raise_pytorchs_message(oracle, name, anomaly):
    expected = _modified_saved_output(torch, name, anomaly)
    assert expected is not None
    assert _modified_saved_output(oracle.ember, name, anomaly) == expected


def test_anomaly_mode_without_the_nan_check(oracle):
    for lib in (oracle.ember, torch):
        with lib.autograd.set_detect_anomaly(True, check_nan=False):
            assert (lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()) == (True, False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTorch warns that anomaly mode is slow
            with lib.autograd.detect_anomaly():
                assert (lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()) == (True, True)
        assert not lib.is_anomaly_enabled()


def _doubling_function(lib):
    class Double(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    return Double


DIRTY_PROGRAMS = {
    "non-leaf": lambda lib, y: _double(lib, y).sum(),
    "view, read the base": lambda lib, y: (_double(lib, y[1:]), y)[1].sum(),
    "view, read a sibling": lambda lib, y: (_double(lib, y[1:]), y[2:])[1].sum(),
    "view, read the view": lambda lib, y: _double(lib, y[1:]).sum(),
}


def _double(lib, t):
    return _doubling_function(lib).apply(t)


def _dirty_program(lib, name):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    out = DIRTY_PROGRAMS[name](lib, y)
    out.backward()
    return x.grad.tolist(), _names(y.grad_fn)


@pytest.mark.parametrize("name", list(DIRTY_PROGRAMS))
def test_custom_function_writing_a_view_in_place(oracle, name):
    assert _dirty_program(oracle.ember, name) == _dirty_program(torch, name)


BROADCAST_WRITES = {
    "zero_": lambda t, lib: t.zero_(),
    "fill_(number)": lambda t, lib: t.fill_(2.0),
    "fill_(tensor)": lambda t, lib: t.fill_(lib.tensor(2.0)),
    "copy_": lambda t, lib: t.copy_(lib.ones(3)),
    "add_": lambda t, lib: t.add_(1.0),
    "setitem[...]": lambda t, lib: _setitem_all(t),
}


def _write_broadcast_view(lib, name):
    e = lib.zeros(3)[None].expand(2, 3)
    try:
        BROADCAST_WRITES[name](e, lib)
    except RuntimeError as error:
        return str(error)
    return e.tolist()


@pytest.mark.parametrize("name", list(BROADCAST_WRITES))
def test_writes_into_a_broadcast_view(oracle, name):
    assert _write_broadcast_view(oracle.ember, name) == _write_broadcast_view(torch, name)
