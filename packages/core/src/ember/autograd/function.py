"""PyTorch's custom-function API: subclass `Function`, write forward(ctx, ...) and backward(ctx, ...)."""
from __future__ import annotations

import functools

from .. import _forward_ad
from .._ops import forward_mode
from .._tensor import Tensor, follow_base
from . import grad_mode
from .node import Node, link, needs_grad, save


class FunctionCtx:
    """What `ctx` offers inside forward/backward (the ctx *is* the graph node, as in PyTorch)."""

    def save_for_backward(self, *tensors) -> None:
        """Keep tensors (inputs or outputs, or None) for backward, checked against in-place changes."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument is of type "
                                f"{type(t).__name__}")
        self._to_save = tensors

    def mark_dirty(self, *tensors) -> None:
        """Declare inputs that forward modified in place (they become outputs of this node)."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        """Declare outputs that have no gradient (e.g. indices)."""
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """Whether missing output gradients reach backward as zeros (default) or as None."""
        self._materialize_grads = value

    def save_for_forward(self, *tensors) -> None:
        """Keep tensors (or None) for `jvp`, where ``ctx.saved_tensors`` returns them."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_forward expects all arguments to be tensors; but got an argument of "
                                f"type {type(t).__name__}")
        self._saved_for_forward = tensors


class BackwardCFunction(Node, FunctionCtx):
    """The grad_fn of a custom Function's outputs, named ``<FunctionName>Backward``."""

    _forward_cls: type
    _user_code = True
    _plain = False
    _to_save: tuple = ()
    _dirty: tuple = ()
    _non_differentiable: tuple = ()
    _materialize_grads = True
    _saved_for_forward: tuple = ()
    _in_jvp = False

    @property
    def saved_tensors(self) -> tuple:
        """What `save_for_backward` kept, or inside `jvp` what `save_for_forward` kept."""
        if self._in_jvp:
            return self._saved_for_forward
        return Node.saved_tensors.fget(self)  # type: ignore[attr-defined]

    def backward(self, *grads):
        if self._materialize_grads:
            from .._ops import creation
            grads = tuple(creation.zeros(shape, dtype=dtype, device=device) if g is None else g
                          for g, (shape, dtype, device) in zip(grads, self._output_meta))
        result = self._forward_cls.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        positions = self._tensor_positions
        extra = result[self._num_args:]
        if len(result) < self._num_args or any(g is not None for g in extra):
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients (expected "
                               f"{self._num_args}, got {len(result)})")
        return tuple(result[i] for i in positions)


class _FunctionMeta(type):
    def __init__(cls, name, bases, namespace):
        super().__init__(name, bases, namespace)
        cls._backward_cls = type(f"{name}Backward", (BackwardCFunction,), {"_forward_cls": cls})


class Function(metaclass=_FunctionMeta):
    """Base class of custom differentiable functions: call them with ``MyFunction.apply(...)``."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom autograd.Function to use it with "
                                  "forward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        if _forward_ad.active and forward_mode.has_dual(args, kwargs):
            _forward_ad.active = False
            try:
                node, outputs = cls._applied(args, kwargs)
                _forward_tangents(cls, node, args, outputs)
            finally:
                _forward_ad.active = True
            return outputs
        return cls._applied(args, kwargs)[1]

    @classmethod
    def _applied(cls, args: tuple, kwargs: dict) -> tuple:
        """(the node, the outputs) of a call of the function."""
        node = cls._backward_cls.__new__(cls._backward_cls)
        node.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        separate_context = cls.setup_context is not Function.setup_context
        previous = grad_mode.state.enabled
        grad_mode.state.enabled = False
        try:
            if separate_context:
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(node, args, outputs)
            else:
                outputs = cls.forward(node, *args, **kwargs)
        finally:
            grad_mode.state.enabled = previous
        if not needs_grad(args):
            return node, outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        outs = tuple(_fresh_output(o, args, node._dirty) for o in outs)
        tensor_args = [a for a in args if isinstance(a, Tensor)]
        for t in node._dirty:
            if t._requires_grad and t.grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
        if node._dirty:
            _bump_dirty(node._dirty, views=False)
        node._tensor_positions = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
        node._num_args = len(args)
        tensor_outs = [o for o in outs if isinstance(o, Tensor)]
        link(node, tensor_args)
        node._num_outputs = len(tensor_outs)
        node._output_meta = tuple((o._data.shape, o._dtype, o._device) for o in tensor_outs)
        non_differentiable = node._non_differentiable
        for nr, o in enumerate(tensor_outs):
            if any(o is t for t in non_differentiable):
                continue
            if o._dtype.is_floating_point:
                o._grad_fn, o._requires_grad, o._output_nr = node, True, nr
        if node._to_save:  # once the outputs have their history, as a pack hook sees them
            save(node, node._to_save, tensor_outs)
            node._to_save = ()
        if node._dirty:
            for t in node._dirty:
                follow_base(t)  # a dirty base that now has history: its views require grad with it
            _rebase_dirty_views(node, tensor_args, tensor_outs)
        return node, outs[0] if single else outs


def _forward_tangents(cls, node, args: tuple, outputs) -> None:
    """Forward mode through a custom Function: its `jvp` (given each tensor input's tangent, zeros for one
    without, and None for the other arguments) gives its outputs' tangents (written into a dirty input's)."""
    from .._ops.creation import zeros_like

    tangents = [(_forward_ad.tangent(a) if _forward_ad.is_dual(a) else zeros_like(a)) if isinstance(a, Tensor)
                else None for a in args]
    node._in_jvp = True
    try:
        found = cls.jvp(node, *tangents)
    finally:
        node._in_jvp = False
    outs = outputs if isinstance(outputs, tuple) else (outputs,)
    found = found if isinstance(found, tuple) else (found,)
    if len(found) != len(outs):
        raise RuntimeError(f"Function's jvp returned an invalid number of forward gradients (expected {len(outs)} "
                           f"but got {len(found)})")
    for out, tangent in zip(outs, found):
        if isinstance(out, Tensor) and tangent is not None and out._dtype.is_floating_point:
            if any(out is d for d in node._dirty):
                _forward_ad.write_tangent(out, tangent)
            else:
                _forward_ad.set_tangent(out, tangent)


def _bump_dirty(dirty, views: bool) -> None:
    """Count the forward's in-place change of each dirty tensor (the views' once their base is rebased)."""
    from .._ops.dispatch import bump

    for t in dirty:
        if (t._base is not None) == views:
            bump(t)


def _rebase_dirty_views(node, tensor_args, tensor_outs) -> None:
    """A dirty output that is a view becomes its base's history as a CopySlices over `node`, as an in-place
    op on a view does; the view then re-derives its own history from the base."""
    from .._ops.inplace import rebase_view

    for o in tensor_outs:
        if o._base is not None and o._grad_fn is node and any(o is d for d in node._dirty):
            position = next(i for i, a in enumerate(tensor_args) if a is o)
            rebase_view(o._base, o, o, node.next_functions[position])
    _bump_dirty(node._dirty, views=True)


def _fresh_output(output, args, dirty):
    """An output that is an unmodified input is returned as a new tensor sharing its data."""
    if isinstance(output, Tensor) and any(output is a for a in args) and not any(output is d for d in dirty):
        alias = Tensor._make(output._data, output._dtype, output._device)
        alias._version = output._version_counter
        return alias
    return output


def once_differentiable(backward):
    """Mark a backward as not itself differentiable: it runs with grad mode off."""
    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with grad_mode.no_grad():
            return backward(ctx, *grads)
    return wrapper
