"""In-place view ops (``t.squeeze_()``, ``t.transpose_(0, 1)``, ``t.as_strided_(...)``): the tensor takes the
shape, strides and history of the view its out-of-place op makes of it, as PyTorch's do (its version counted
up, its node PyTorch's in-place name: ``SqueezeBackward3``, ``TransposeBackward1``...)."""
from __future__ import annotations

from ..autograd.node import AsStridedBackward0
from . import forward_mode, strided, views
from .dispatch import bump
from .indexing import check_inplace


def _renamed(cls: type, name: str) -> type:
    """The out-of-place node class `cls` under the name PyTorch gives its in-place form."""
    return type(name, (cls,), {"__module__": __name__, "__doc__": f"{cls.__name__}, made in place."})


SqueezeBackward3 = _renamed(views.SqueezeBackward0, "SqueezeBackward3")
SqueezeBackward5 = _renamed(views.SqueezeBackward2, "SqueezeBackward5")
UnsqueezeBackward1 = _renamed(views.UnsqueezeBackward0, "UnsqueezeBackward1")
TBackward1 = _renamed(views.TBackward0, "TBackward1")
TransposeBackward1 = _renamed(views.TransposeBackward0, "TransposeBackward1")
AsStridedBackward1 = _renamed(AsStridedBackward0, "AsStridedBackward1")
_IN_PLACE_NODE = {
    views.SqueezeBackward0: SqueezeBackward3, views.SqueezeBackward1: views.SqueezeBackward4,
    views.SqueezeBackward2: SqueezeBackward5, views.UnsqueezeBackward0: UnsqueezeBackward1,
    views.TBackward0: TBackward1, views.TransposeBackward0: TransposeBackward1, AsStridedBackward0: AsStridedBackward1,
}


def _matrix(t) -> None:
    if t.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {t.ndim}D")


def _in_place(view_op, name: str, check=None):
    """The in-place method `name` of view op `view_op`; `check(self)` raises the refusals PyTorch names
    the in-place op in."""
    def method(self, *args, **kwargs):
        if check is not None:
            check(self)
        check_inplace(self, name, values=False)
        view = view_op(self, *args, **kwargs)
        if self._base is None and getattr(self, "_storage", None) is None:
            self._storage = self._data  # its whole storage, which as_strided keeps addressing
        self._data = view._data
        bump(self)
        node = view._grad_fn
        if node is not None:
            node.__class__ = _IN_PLACE_NODE[node.__class__]  # a fresh node, only `view` held it
            self._grad_fn, self._output_nr, self._requires_grad = node, 0, True
        if self._base is not None:  # still a view of its base, now through this op too
            self._view_fn = view._view_fn
            if node is not None:  # else (no_grad) its history is re-derived from the base at the next read
                self._view_version = self._version[0]
        return self
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place version of `{name[:-1]}`: the tensor itself becomes the view."
    return forward_mode.writes(method)


METHODS = {
    "squeeze_": _in_place(views.squeeze, "squeeze_"), "unsqueeze_": _in_place(views.unsqueeze, "unsqueeze_"),
    "t_": _in_place(views.t, "t_", _matrix), "transpose_": _in_place(views.transpose, "transpose_"),
    "swapaxes_": _in_place(views.swapaxes, "swapaxes_"), "swapdims_": _in_place(views.transpose, "swapdims_"),
    "as_strided_": _in_place(strided.as_strided, "as_strided_"),
}
