"""Writes whose output shares memory with what they read, against PyTorch: each pair of views of one
base (disjoint, partly or wholly overlapping, dense or strided, transposed, broadcast) written through
in-place ops, copy_, setitem and out=, on plain and on autograd-tracked tensors. Both libraries must
refuse the same writes with the same error, warn of the same ones, and leave the same values -- except
where PyTorch allows a write that reads memory it is overwriting at other positions (a layout too hard
for its check, such as ``x[::2].add_(x[0])``): its result then depends on the order its kernel visits
the elements in, while ember's (numpy's) reads every input first."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

# name -> the view of a (4, 6) base (a 1-D (24,) one for names starting with "v") written to or read
VIEWS = {
    "x": lambda x: x,
    "x.view(4, 6)": lambda x: x.view(4, 6),
    "x[1:]": lambda x: x[1:],
    "x[:-1]": lambda x: x[:-1],
    "x[:2]": lambda x: x[:2],
    "x[2:]": lambda x: x[2:],
    "x[0]": lambda x: x[0],
    "x[1]": lambda x: x[1],
    "x[0:1]": lambda x: x[0:1],
    "x[None]": lambda x: x[None],
    "x[:, :1]": lambda x: x[:, :1],
    "x[:, 1:]": lambda x: x[:, 1:],
    "x[::2]": lambda x: x[::2],
    "x[1::2]": lambda x: x[1::2],
    "x.t()": lambda x: x.t(),
    "x.view(6, 4).t()": lambda x: x.view(6, 4).t(),
    "x[0, 0]": lambda x: x[0, 0],
    "x.flatten()[3]": lambda x: x.flatten()[3],
    "x[1].expand(4, 6)": lambda x: x[1].expand(4, 6),
    "x.reshape(-1)[:6]": lambda x: x.reshape(-1)[:6],
    "x.reshape(-1)[6:12]": lambda x: x.reshape(-1)[6:12],
}

# name -> write(destination, source) into a view of the base
WRITES = {
    "add_": lambda d, s: d.add_(s),
    "mul_": lambda d, s: d.mul_(s),
    "sub_(alpha=2)": lambda d, s: d.sub_(s, alpha=2),
    "clamp_(min=s)": lambda d, s: d.clamp_(min=s),
    "copy_": lambda d, s: d.copy_(s),
    "[...] = s": lambda d, s: d.__setitem__(Ellipsis, s),
    "masked_fill_(d > 5, s)": lambda d, s: d.masked_fill_(d > 5, s),
    "fill_(s)": lambda d, s: d.fill_(s),
    "add(d, s, out=d)": lambda d, s: ember_or_torch(d).add(d, s, out=d),
    "neg(s, out=d)": lambda d, s: ember_or_torch(d).neg(s, out=d),
    "cat([s], out=d)": lambda d, s: ember_or_torch(d).cat([s], out=d),
}

# name -> write(base, source): setitem with an advanced key on the whole base (d is the indexed part)
ADVANCED = {
    "x[[0, 1]] = s": lambda x, s: x.__setitem__(ember_or_torch(x).tensor([0, 1]), s),
    "x[x > 5] = s": lambda x, s: x.__setitem__(x > 5, s),
    "x[0, [1, 2]] = s": lambda x, s: x.__setitem__((0, ember_or_torch(x).tensor([1, 2])), s),
}


def ember_or_torch(t):
    return ember if isinstance(t, ember.Tensor) else torch


def _outcome(lib, make, tracked: bool):
    """(exception class name and message or None, warnings' messages, the base's values after the write)."""
    base = lib.arange(24.0).reshape(4, 6)
    if tracked:
        base = (base.requires_grad_() * 1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            make(base)
            error = None
        except Exception as exc:  # the class and message are what is compared
            error = (type(exc).__name__, str(exc).split(" (in ")[0])
    messages = sorted({str(w.message).split(" (Triggered")[0] for w in caught})
    return error, messages, base.detach().cpu().numpy().copy()


def _order_free(dst, src) -> bool:
    """Whether writing `src` into `dst` (PyTorch tensors) gives one result whatever the order of the
    elements: they share no memory, or each element reads only itself."""
    d, s = dst.detach(), src.detach().expand_as(dst)
    if not np.shares_memory(d.cpu().numpy(), s.cpu().numpy()):
        return True
    return d.data_ptr() == s.data_ptr() and d.stride() == s.stride()


def _compare(make, tracked: bool, order_free: bool) -> None:
    ours, theirs = _outcome(ember, make, tracked), _outcome(torch, make, tracked)
    assert ours[0] == theirs[0], f"error: ember {ours[0]}, torch {theirs[0]}"
    assert ours[1] == theirs[1], f"warnings: ember {ours[1]}, torch {theirs[1]}"
    if order_free or theirs[0] is not None:
        np.testing.assert_array_equal(ours[2], theirs[2])


def _shape(name: str) -> tuple:
    return tuple(VIEWS[name](torch.zeros(4, 6)).shape)


def _shapes_fit(dst: str, src: str, write: str) -> bool:
    """Whether the source fits the destination (shape errors are not this file's subject)."""
    d, s = _shape(dst), _shape(src)
    if write == "fill_(s)" or write.startswith("masked_fill_"):
        return not s
    if write.startswith(("cat", "neg")):  # PyTorch resizes an out= of another shape (deprecated)
        return d == s and bool(s)
    try:
        return np.broadcast_shapes(d, s) == d
    except ValueError:
        return False


# out= refuses tensors that require grad, so out= writes run on plain tensors only
CASES = [(dst, src, write, tracked) for write in WRITES for dst in VIEWS for src in VIEWS
         for tracked in ((False,) if "out=" in write else (False, True)) if _shapes_fit(dst, src, write)]


@pytest.mark.parametrize(("dst", "src", "write", "tracked"), CASES,
                         ids=[f"{d} {w} {s} {'tracked' if t else 'plain'}" for d, s, w, t in CASES])
def test_a_write_reading_its_own_memory_is_refused_or_done_as_in_pytorch(dst, src, write, tracked):
    def make(base):
        WRITES[write](VIEWS[dst](base), VIEWS[src](base))
    base = torch.zeros(4, 6)
    order_free = write.startswith(("fill_", "masked_fill_")) or _order_free(VIEWS[dst](base), VIEWS[src](base))
    _compare(make, tracked, order_free)


ADVANCED_CASES = [(write, src) for write in ADVANCED for src in VIEWS]


@pytest.mark.parametrize("tracked", [False, True], ids=["plain", "tracked"])
@pytest.mark.parametrize(("write", "src"), ADVANCED_CASES, ids=[f"{w} {s}" for w, s in ADVANCED_CASES])
def test_an_advanced_setitem_of_its_own_memory_is_refused_or_done_as_in_pytorch(write, src, tracked):
    def make(base):
        ADVANCED[write](base, VIEWS[src](base))
    _compare(make, tracked, order_free=False)  # the source always shares the base's memory


@pytest.mark.parametrize("write", ["add_(1)", "copy_", "fill_(1)", "zero_()", "masked_fill_", "[0] = 1",
                                   "[:] = 1", "[[0]] = 1", "[mask] = t", "add(out=)", "uniform_()"])
def test_a_write_into_a_broadcast_view_is_refused_or_warned_of_as_in_pytorch(write):
    def make(lib):
        e = lib.zeros(3).expand(2, 3)
        {"add_(1)": lambda: e.add_(1), "copy_": lambda: e.copy_(lib.ones(2, 3)), "fill_(1)": lambda: e.fill_(1),
         "zero_()": lambda: e.zero_(), "masked_fill_": lambda: e.masked_fill_(lib.ones(2, 3, dtype=lib.bool), 1.0),
         "[0] = 1": lambda: e.__setitem__(0, 1.0), "[:] = 1": lambda: e.__setitem__(slice(None), 1.0),
         "[[0]] = 1": lambda: e.__setitem__(lib.tensor([0]), 1.0),
         "[mask] = t": lambda: e.__setitem__(lib.ones(2, 3, dtype=lib.bool), lib.tensor(2.0)),
         "add(out=)": lambda: lib.add(lib.ones(2, 3), 1, out=e), "uniform_()": lambda: e.uniform_()}[write]()
        return e

    def outcome(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                e = make(lib)
                error = None
            except RuntimeError as exc:
                e, error = None, str(exc)
        values = None if e is None or write == "uniform_()" else e.cpu().numpy().tolist()
        return error, sorted({str(w.message).split(" (Triggered")[0] for w in caught}), values
    assert outcome(ember) == outcome(torch)
