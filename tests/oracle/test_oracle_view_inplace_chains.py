"""Views, in-place view ops and in-place writes interleaved, against PyTorch: short random programs (seeded)
over one storage, each step checked (values, shapes, strides, versions and grad_fns of every live tensor,
or the error PyTorch raises), then the gradients of the leaves; plus targeted cases of the family where a
base changes its geometry in place (``t_()``, ``transpose_()``, ``as_strided_()``...) after its views were
taken, which PyTorch handles by finding each view by its strides in the storage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

STEPS = 8
LIVE = 6  # at most this many tensors are kept (the oldest views are dropped first; the base stays)
SHAPES = ((3, 4), (4, 3), (2, 3, 2), (6,), (3, 1, 4))
Y_SIZE = 24  # the second leaf, written into the tensors through add_ and copy_


class Program:
    """The live tensors of one library, in step; `run` applies an action to them."""

    def __init__(self, lib: Any, x: np.ndarray, y: np.ndarray, shape: tuple, root_base: bool) -> None:
        self.lib = lib
        self.x = lib.tensor(x, requires_grad=True)
        self.y = lib.tensor(y, requires_grad=True)
        base = (self.x * 1).reshape(shape)
        self.live: list = [base.clone() if root_base else base]

    def run(self, action: Callable) -> None:
        result = action(self.lib, self.live, self.y)
        if result is not None:
            self.live.append(result)
            if len(self.live) > LIVE:
                del self.live[1]


def _numel(shape) -> int:
    return int(np.prod(shape, dtype=np.int64))


def _pick_index(rng, size: int) -> int:
    return int(rng.integers(-size, size))


def _view_action(rng, t, i: int, storage: int):
    """A view op valid for the shape of `t` (live tensor `i`, drawn from PyTorch's), as a description and a
    function of the tensor."""
    shape, ndim = tuple(t.shape), t.dim()
    choices = ["unsqueeze", "alias", "as_strided", "view", "reshape"]
    if ndim:
        choices += ["select", "slice", "narrow", "transpose", "expand", "unbind", "split"]
    if ndim <= 2:
        choices.append("t")
    if ndim >= 2:
        choices.append("diagonal")
    kind = choices[int(rng.integers(len(choices)))]
    d = int(rng.integers(0, ndim)) if ndim else 0
    if kind == "select" and shape[d]:
        k = _pick_index(rng, shape[d])
        return f"t{i}.select({d}, {k})", lambda t: t.select(d, k)
    if kind in ("slice", "select", "unbind", "split"):
        start, step = int(rng.integers(0, max(shape[d], 1))), int(rng.integers(1, 3))
        key = (slice(None),) * d + (slice(start, None, step),)
        return f"t{i}[{key}]", lambda t: t[key]
    if kind in ("unbind", "split") and shape[d]:  # an output of a multi-output view op: PyTorch refuses writes
        k = int(rng.integers(0, shape[d]))
        if kind == "unbind":
            return f"t{i}.unbind({d})[{k}]", lambda t: t.unbind(d)[k]
        return f"t{i}.split(1, {d})[{k}]", lambda t: t.split(1, d)[k]
    if kind == "narrow":
        start = int(rng.integers(0, shape[d] + 1))
        length = int(rng.integers(0, shape[d] - start + 1))
        return f"t{i}.narrow({d}, {start}, {length})", lambda t: t.narrow(d, start, length)
    if kind == "transpose":
        d1 = int(rng.integers(0, ndim))
        return f"t{i}.transpose({d}, {d1})", lambda t: t.transpose(d, d1)
    if kind == "t":
        return f"t{i}.t()", lambda t: t.t()
    if kind == "diagonal":
        d1 = (d + 1) % ndim
        offset = int(rng.integers(-1, 2))
        return f"t{i}.diagonal({offset}, {d}, {d1})", lambda t: t.diagonal(offset, d, d1)
    if kind == "expand":  # read-only: a write into it is PyTorch's overlap error (but zero_ and fill_)
        return f"t{i}.unsqueeze(0).expand(2, ...)", lambda t: t.unsqueeze(0).expand(2, *t.shape)
    if kind == "unsqueeze":
        k = int(rng.integers(-ndim - 1, ndim + 1))
        return f"t{i}.unsqueeze({k})", lambda t: t.unsqueeze(k)
    if kind == "alias":
        return f"t{i}[...]", lambda t: t[...]
    if kind in ("view", "reshape"):  # view raises PyTorch's error where the strides do not allow it
        target = (-1,) if ndim != 1 else (1, -1)
        return f"t{i}.{kind}{target}", lambda t: getattr(t, kind)(*target)
    size, stride, offset = _strided_geometry(rng, storage)
    return (f"t{i}.as_strided({size}, {stride}, {offset})",
            lambda t: t.as_strided(size, stride, offset))


def _strided_geometry(rng, storage: int) -> tuple:
    """A geometry inside a storage of `storage` elements, without overlap (so it may be written)."""
    rows, columns = int(rng.integers(1, 3)), int(rng.integers(1, 4))
    stride = (columns * int(rng.integers(1, 3)), 1) if rng.random() < 0.5 else (1, rows)
    if (rows - 1) * stride[0] + (columns - 1) * stride[1] + 1 > storage:
        stride = (columns, 1)  # dense: at most 2 * 3 elements, the smallest storage's
    extent = (rows - 1) * stride[0] + (columns - 1) * stride[1] + 1
    offset = int(rng.integers(0, storage - extent + 1))
    return (rows, columns), stride, offset


def _inplace_view_action(rng, t, storage: int, on_root: bool):
    """An in-place view op valid for `t`'s shape."""
    ndim = t.dim()
    choices = ["unsqueeze_", "squeeze_", "as_strided_"]
    if ndim:
        choices += ["transpose_", "swapdims_"]
    if ndim <= 2:
        choices.append("t_")
    kind = choices[int(rng.integers(len(choices)))]
    if kind in ("transpose_", "swapdims_"):
        d0, d1 = int(rng.integers(0, ndim)), int(rng.integers(-ndim, ndim))
        return f".{kind}({d0}, {d1})", lambda t: getattr(t, kind)(d0, d1)
    if kind == "t_":
        return ".t_()", lambda t: t.t_()
    if kind == "unsqueeze_":
        k = int(rng.integers(-ndim - 1, ndim + 1))
        return f".unsqueeze_({k})", lambda t: t.unsqueeze_(k)
    if kind == "squeeze_":
        if ndim and rng.random() < 0.5:
            k = int(rng.integers(0, ndim))
            return f".squeeze_({k})", lambda t: t.squeeze_(k)
        return ".squeeze_()", lambda t: t.squeeze_()
    if on_root:  # a geometry over the whole storage: a base that stops covering its views' elements leaves
        # PyTorch's CopySlices reading the uninitialised gaps of its new_empty_strided gradient
        rows = int(rng.choice([n for n in range(1, storage + 1) if storage % n == 0]))
        size, offset = (rows, storage // rows), 0
        stride = (size[1], 1) if rng.random() < 0.5 else (1, rows)
    else:
        size, stride, offset = _strided_geometry(rng, storage)
    return f".as_strided_({size}, {stride}, {offset})", lambda t: t.as_strided_(size, stride, offset)


def _setitem(t, key, value):
    t[key] = value


def _write_action(rng, t):
    """An in-place write into `t`; the values written from the leaf y carry gradient to it."""
    kind = ("mul_", "add_", "add_y", "copy_y", "setitem", "setitem_y", "zero_", "clamp_", "fill_")[
        int(rng.integers(9))]
    c = float(rng.choice([-2.0, 0.5, 3.0]))
    if kind == "mul_":
        return f".mul_({c})", lambda t, y: t.mul_(c)
    if kind == "add_":
        return f".add_({c})", lambda t, y: t.add_(c)
    if kind == "add_y":
        return ".add_(y[:n].view(shape))", lambda t, y: t.add_(y[:t.numel()].view(t.shape) * 1)
    if kind == "copy_y":
        return ".copy_(y[:last].sin())", lambda t, y: t.copy_(y[:t.shape[-1] if t.dim() else 1].sin().view(
            t.shape[-1:] if t.dim() else ()))
    if kind == "zero_":
        return ".zero_()", lambda t, y: t.zero_()
    if kind == "fill_":
        return f".fill_({c})", lambda t, y: t.fill_(c)
    if kind == "clamp_":
        return ".clamp_(-0.5, 0.5)", lambda t, y: t.clamp_(-0.5, 0.5)
    key = int(rng.integers(0, t.shape[0])) if t.dim() and t.shape[0] else ...
    if kind == "setitem":
        return f"[{key}] = {c}", lambda t, y: _setitem(t, key, c)
    return f"[{key}] = y[:n] * 2", lambda t, y: _setitem(t, key, y[:t[key].numel()].view(t[key].shape) * 2)


def _action(rng, torch_live: list, storage: int):
    """The next step: a description and ``action(lib, live, y)``, drawn from PyTorch's live tensors."""
    i = int(rng.integers(len(torch_live)))
    t = torch_live[i]
    roll = rng.random()
    if roll < 0.4:
        text, op = _view_action(rng, t, i, storage)
        if rng.random() < 0.1:  # a view made under no_grad: PyTorch refuses tracked writes through it
            return f"with no_grad(): t{len(torch_live)} = {text}", lambda lib, live, y: _no_grad(lib, op, live[i])
        return f"t{len(torch_live)} = {text}", lambda lib, live, y: op(live[i])
    if roll < 0.55:
        text, op = _inplace_view_action(rng, t, storage, t._base is None)
        return f"t{i}{text}", lambda lib, live, y: (op(live[i]), None)[1]
    text, op = _write_action(rng, t)
    return f"t{i}{text}", lambda lib, live, y: (op(live[i], y), None)[1]


def _no_grad(lib, op, t):
    with lib.no_grad():
        return op(t)


def _grad_fn_name(t) -> str | None:
    """The name of `t`'s grad_fn, or the start of the error that reading it is (PyTorch re-derives a view's
    history when it is read, and refuses it for some views whose base changed since)."""
    try:
        fn = t.grad_fn
    except RuntimeError as error:
        return "error: " + _first_words(error)
    return None if fn is None else type(fn).__name__


def _state(t, version: int) -> tuple:
    """What is compared of a live tensor: shape, strides (of the dims longer than 1, the ones that address
    memory), storage offset, version, grad_fn name and requires_grad."""
    strides = tuple(st for n, st in zip(t.shape, t.stride()) if n > 1)
    return tuple(t.shape), strides, t.storage_offset(), version, _grad_fn_name(t), t.requires_grad


def _ember_version(t) -> int:
    counter = t._version
    return 0 if counter is None else counter[0]


def _compare(oracle, ember_live, torch_live, trace) -> None:
    assert len(ember_live) == len(torch_live), trace
    for n, (e, t) in enumerate(zip(ember_live, torch_live)):
        expected, got = _state(t, t._version), _state(e, _ember_version(e))
        if not t.numel():  # nothing addressed: numpy's strides and offsets of an empty slice are not PyTorch's
            expected, got = expected[:1] + expected[3:], got[:1] + got[3:]
        assert got == expected, f"t{n}: {got} != {expected} after\n{trace}"
        oracle.assert_same(e, t, f"t{n} after\n{trace}")


def _run_step(torch_program, ember_program, action, trace: str) -> None:
    """The step in both libraries: both succeed, or both raise the same error type (before any change)."""
    try:
        torch_program.run(action)
    except Exception as error:  # noqa: BLE001 -- PyTorch's refusal, ember must refuse alike
        with pytest.raises(type(error)) as refused:
            ember_program.run(action)
        assert _first_words(refused.value) == _first_words(error), f"{refused.value!r} != {error!r} at\n{trace}"
        return
    ember_program.run(action)


def _first_words(error: BaseException) -> str:
    """The start of an error message, which names the refusal; the rest names shapes and types."""
    return " ".join(str(error).replace("torch.", "").replace("ember.", "").split()[:3])


def _backward(oracle, ember_program, torch_program, rng, trace: str) -> None:
    """A weighted sum of every live tensor, differentiated: the leaves' gradients (or the error) match."""
    weights = [oracle.array(rng, tuple(t.shape), "float64", "any") for t in torch_program.live]

    def backward(program) -> None:
        lib = program.lib
        terms = [(t * lib.tensor(w)).sum() for t, w in zip(program.live, weights) if t.requires_grad]
        if terms:
            sum(terms).backward()

    try:
        backward(torch_program)
    except RuntimeError as error:
        with pytest.raises(RuntimeError) as refused:
            backward(ember_program)
        assert _first_words(refused.value) == _first_words(error), f"{refused.value!r} != {error!r} at\n{trace}"
        return
    backward(ember_program)
    oracle.assert_same(ember_program.x.grad, torch_program.x.grad, f"x.grad after\n{trace}")
    oracle.assert_same(ember_program.y.grad, torch_program.y.grad, f"y.grad after\n{trace}")


@pytest.mark.parametrize("seed", range(300))
def test_random_view_and_inplace_programs_match_torch(oracle, seed):
    rng = np.random.default_rng(seed)
    shape = SHAPES[seed % len(SHAPES)]
    storage = _numel(shape)
    x, y = rng.standard_normal(storage), rng.standard_normal(Y_SIZE)
    root_base = bool(seed % 2)
    torch_program = Program(torch, x, y, shape, root_base)
    ember_program = Program(oracle.ember, x, y, shape, root_base)
    trace = f"t0 = (x * 1).reshape{shape}" + (".clone()" if root_base else "")
    for _ in range(STEPS):
        text, action = _action(rng, torch_program.live, storage)
        trace += "\n" + text
        _run_step(torch_program, ember_program, action, trace)
        _compare(oracle, ember_program.live, torch_program.live, trace)
    _backward(oracle, ember_program, torch_program, rng, trace)


# ----- targeted cases ------------------------------------------------------------------------------------
def _reproducer(lib, x):
    b = (x * 1).reshape(3, 3).clone()
    v = b[0]
    b.t_()
    v.mul_(2)
    return b, v


def _base_geometry_then_view_of_view(lib, x):
    b = (x * 1).reshape(3, 3).clone()
    v = b[:, 1:]
    b.transpose_(0, 1)
    w = v[1]  # a view of v, taken after its base changed its geometry
    w.add_(x[:2] * 3)
    return b, v, w


def _squeeze_unsqueeze_then_write(lib, x):
    b = (x * 1).reshape(3, 1, 3).clone()
    v = b[1]
    b.squeeze_(1)
    b.unsqueeze_(0)
    v.mul_(x[:3].view(1, 3))
    return b, v


def _swapdims_then_write_through_base(lib, x):
    b = (x * 1).reshape(3, 3).clone()
    v = b[0:2]
    b.swapdims_(0, 1)
    b.mul_(x.view(3, 3))  # a write through the base: the older view reads its new history
    return b, v * 1


def _as_strided_base_then_write(lib, x):
    b = (x * 1).clone()
    v = b[3:6]
    b.as_strided_((3, 3), (1, 3))
    v.copy_(x[:3].exp())
    return b, v


def _view_t_then_write(lib, x):
    b = (x * 1).reshape(3, 3).clone()
    v = b[:2]
    v.t_()
    v.mul_(2)
    return b, v


def _view_of_view_after_base_t_read(lib, x):
    b = (x * 1).reshape(3, 3).clone()
    v = b[1:]
    b.t_()
    return b, v[:, 0] * x[:2]  # no write: the view's own history is still its view ops'


def _as_strided_over_an_expanded_view(lib, x):
    b = (x * 1).reshape(3, 3)
    e = b.unsqueeze(0).expand(2, 3, 3)
    return (e.as_strided((2, 3), (3, 1), 3) * 1,)  # PyTorch shares the gradient among the expanded copies


def _as_strided_base_with_offset(lib, x):
    b = (x * 1).clone()
    v = b[4:7]
    b.as_strided_((2, 2), (1, 2), 3)  # its start moves: storage_offset() 3, the storage stays addressable
    v.mul_(2)
    return b, v, b.as_strided((3,), (2,), 1)


def _view_of_a_transposed_root(lib, x):
    b = (x * 1).view(3, 3).t().clone()  # a root laid out transposed (clone keeps the layout)
    v = b.t().view(-1)  # replayable only on a gradient laid out as b
    v.add_(x * 2)
    return b, v


def _squeeze_root_then_write_through_older_alias(lib, x):
    b = (x[:1] * 1).log1p()
    v = b[...]
    b.squeeze_(-1)
    v[[-1]] = -2.0
    return b, v


PROGRAMS = {
    "reproducer": _reproducer,
    "view of a view after base transpose_": _base_geometry_then_view_of_view,
    "squeeze_ and unsqueeze_ of the base, write through a view": _squeeze_unsqueeze_then_write,
    "swapdims_ of the base, write through the base": _swapdims_then_write_through_base,
    "as_strided_ of the base, write through a view": _as_strided_base_then_write,
    "t_ of a view, write through it": _view_t_then_write,
    "view of a view after base t_, read": _view_of_view_after_base_t_read,
    "as_strided over an expanded view": _as_strided_over_an_expanded_view,
    "as_strided_ of the base with an offset": _as_strided_base_with_offset,
    "view of a transposed base": _view_of_a_transposed_root,
    "squeeze_ of the base, index_put_ through an older alias": _squeeze_root_then_write_through_older_alias,
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_targeted_programs_match_torch(oracle, name):
    rng = np.random.default_rng(0)
    x = oracle.array(rng, (9,), "float64", "any")
    ember_result, torch_result = oracle.check(PROGRAMS[name], x)
    for e, t in zip(ember_result, torch_result):
        assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t)
        assert _ember_version(e) == t._version
        assert e.storage_offset() == t.storage_offset()


def test_reproducer_gradient_is_pytorchs(oracle):
    """The brief's reproducer, with its exact numbers."""
    x = oracle.ember.arange(9., requires_grad=True)
    b, v = _reproducer(oracle.ember, x)
    (b * oracle.ember.arange(9.).reshape(3, 3)).sum().backward()
    assert x.grad.tolist() == [0, 6, 12, 1, 4, 7, 2, 5, 8]
    assert (type(b.grad_fn).__name__, type(v.grad_fn).__name__) == ("CopySlices", "AsStridedBackward0")


@pytest.mark.parametrize("name", ["reproducer", "view of a view after base transpose_",
                                  "as_strided_ of the base, write through a view"])
def test_geometric_copyslices_is_twice_differentiable(oracle, name):
    x = oracle.ember.tensor(np.random.default_rng(1).standard_normal(9), requires_grad=True)
    program = PROGRAMS[name]
    assert oracle.ember.autograd.gradcheck(lambda x: program(oracle.ember, x), (x,))
    assert oracle.ember.autograd.gradgradcheck(lambda x: program(oracle.ember, x), (x,))


def _write_into_no_grad_view_after_t_(lib, x):
    b = (x * 1).reshape(3, 3).clone()
    with lib.no_grad():
        v = b[0]
    b.t_()
    v.mul_(2)


def _write_into_unbind_output_after_t_(lib, x):
    b = (x * 1).reshape(3, 3).clone()
    rows = b.unbind(0)
    b.t_()
    rows[1].add_(1)


def _read_split_output_after_t_(lib, x):
    b = (x * 1).reshape(3, 3).clone()
    rows = b.split(2)
    b.t_()
    return rows[1] * 2


def _read_no_grad_view_after_base_t_(lib, x):
    b = (x * 1).reshape(3, 3).clone()
    with lib.no_grad():
        v = b[0]
    b.t_()
    return v.grad_fn


@pytest.mark.parametrize("program", [_write_into_no_grad_view_after_t_, _write_into_unbind_output_after_t_,
                                     _read_split_output_after_t_, _read_no_grad_view_after_base_t_])
def test_refusals_after_an_inplace_view_op_are_pytorchs(oracle, program):
    x = np.arange(9.0)
    with pytest.raises(RuntimeError) as expected:
        program(torch, torch.tensor(x, requires_grad=True))
    with pytest.raises(RuntimeError) as got:
        program(oracle.ember, oracle.ember.tensor(x, requires_grad=True))
    assert str(got.value).replace("ember", "torch") == str(expected.value)


def test_inplace_view_op_on_a_view_under_no_grad_rederives_its_history(oracle):
    """The view's geometry changed without a record: its next grad_fn is AsStridedBackward0 from its base."""
    for lib in (torch, oracle.ember):
        x = lib.tensor(0.5, requires_grad=True)
        v = lib.broadcast_to(x, (2, 1))
        with lib.no_grad():
            v.t_()
        assert type(v.grad_fn).__name__ == "AsStridedBackward0"
        v.sum().backward()
        assert x.grad.item() == 2.0
