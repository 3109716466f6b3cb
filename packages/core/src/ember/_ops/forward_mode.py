"""Forward-mode AD through every op: the tangent of an op's result, derived from the op's backward graph.

`dispatch.profiled` hands an op called with a dual operand while a dual level is open to `call`. No op declares a
forward formula: the Jacobian-vector product J·t is the derivative of the vector-Jacobian product u = Jᵀ·g (linear
in g) with respect to g, so the op runs once on aliases of its dual operands that require grad, its backward
graph is built at cotangent leaves g (`create_graph`, the backward formulas being differentiable ember ops), and
one more backward pass of u weighted by the tangents gives J·t, exact (ember.func.jvp's double-vjp trick, per op).
Views are linear in their input: a view's tangent is the same view of the input's tangent (so in-place changes of
either reach the other), and an op that returns its input keeps its tangent. An in-place op runs for real on its
operands and once more on copies taken before it, whose graph gives the tangent it writes into the operand's.
"""
from __future__ import annotations

import functools
from typing import Any

from .. import _forward_ad
from .._tensor import Tensor
from ..autograd import grad_mode


def has_dual(args: tuple, kwargs: dict) -> bool:
    """Whether a tensor operand (an argument, or an item of a list or tuple argument) carries a tangent."""
    return any(_forward_ad.is_dual(t) for t in _operands(args, kwargs))


def call(name: str, run, args: tuple, kwargs: dict) -> Any:
    """``run(*args, **kwargs)`` (the op `name`, in place when its name ends with ``_``), with tangents on its
    floating results. Ops inside run as usual: the level is switched off meanwhile (their results are not dual:
    only the op's are)."""
    _forward_ad.active = False
    try:
        if name.endswith("_"):
            return _in_place(run, args, kwargs)
        if kwargs.get("out") is not None:
            raise NotImplementedError(f"Trying to use forward AD with {name[len('aten::'):]}_out that does not "
                                      "support it because it is an out= function")
        formula = _FORMULAS.get(name)
        if formula is not None:
            return _formulated(formula, run, args, kwargs)
        return _out_of_place(run, args, kwargs)
    finally:
        _forward_ad.active = True


def writes(method):
    """In-place `method` (``self`` first) made to update the tangent of ``self`` while a dual level is open."""
    name = method.__name__

    @functools.wraps(method)
    def checked(self, *args, **kwargs):
        if _forward_ad.active and has_dual((self, *args), kwargs):
            _forward_ad.active = False
            try:
                return _in_place(method, (self, *args), kwargs)
            finally:
                _forward_ad.active = True
        return method(self, *args, **kwargs)
    checked.__name__ = checked.__qualname__ = name
    return checked


def _operands(args: tuple, kwargs: dict) -> list:
    found = []
    for value in (*args, *kwargs.values()):
        if isinstance(value, Tensor):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            found.extend(v for v in value if isinstance(v, Tensor))
    return found


def _duals(operands: list) -> list:
    """The dual operands, each once (an op may take one tensor twice: ``hypot(x, x)``)."""
    return list({id(t): t for t in operands if _forward_ad.is_dual(t)}.values())


def _substituted(args: tuple, kwargs: dict, swap: dict) -> tuple[tuple, dict]:
    """`args` and `kwargs` with each tensor whose id `swap` holds replaced by its entry."""
    def sub(value):
        if isinstance(value, Tensor):
            return swap.get(id(value), value)
        if isinstance(value, (list, tuple)) and any(isinstance(v, Tensor) for v in value):
            items = [swap.get(id(v), v) if isinstance(v, Tensor) else v for v in value]
            return type(value)(items) if isinstance(value, list) else tuple(items)
        return value
    return tuple(sub(a) for a in args), {k: sub(v) for k, v in kwargs.items()}


def _flat(result: Any) -> list:
    if isinstance(result, Tensor):
        return [result]
    if isinstance(result, (list, tuple)):
        return [r for r in result if isinstance(r, Tensor)]
    return []


def _lifted(duals: list, graph: bool, copy: bool) -> dict:
    """id -> the leaf standing for each dual operand in the op's graph: an alias (a copy when `copy`) that
    requires grad, attached to the operand's own history when it has one that grad mode records."""
    leaves = {}
    for t in duals:
        if graph and t._requires_grad:
            leaf = t.clone() if copy else t.view_as(t)
        else:
            leaf = (t.detach().clone() if copy else t.detach()).requires_grad_()
        leaves[id(t)] = leaf
    return leaves


def _products(outputs: list, leaves: list, tangents: list, keep: bool) -> list:
    """J·tangents for each output that requires grad (None for the others): the derivative, with respect to
    cotangent leaves, of the vector-Jacobian product at them."""
    from ..func._levels import gradients
    from .creation import zeros_like

    differentiable = [o for o in outputs if o._dtype.is_floating_point and o._requires_grad]
    with grad_mode.enable_grad():
        dummies = [zeros_like(o).requires_grad_() for o in differentiable]
        pulled = gradients(differentiable, leaves, dummies, create_graph=True)
        with grad_mode.set_grad_enabled(keep):
            found = iter(gradients(pulled, dummies, tangents, create_graph=keep))
    return [next(found) if o._dtype.is_floating_point and o._requires_grad else None for o in outputs]


def _tangents(duals: list, leaves: dict) -> list:
    """The dual operands' tangents, in their leaves' dtypes (PyTorch keeps a tangent's own dtype: ember computes
    the product in the primal's)."""
    found = []
    for t in duals:
        tangent = _forward_ad.tangent(t)
        assert tangent is not None  # a dual operand
        dtype = leaves[id(t)]._dtype
        found.append(tangent if tangent._dtype is dtype else tangent.to(dtype))
    return found


def _out_of_place(run, args: tuple, kwargs: dict) -> Any:
    operands = _operands(args, kwargs)
    duals = _duals(operands)
    graph = grad_mode.state.enabled
    leaves = _lifted(duals, graph, copy=False)
    shadow_args, shadow_kwargs = _substituted(args, kwargs, leaves)
    with grad_mode.enable_grad():
        result = run(*shadow_args, **shadow_kwargs)
    outputs = _flat(result)
    roots = {id(leaf) for leaf in leaves.values()} | {id(t._base if t._base is not None else t) for t in duals}
    if any(id(o) in roots or (o._base is not None and id(o._base) in roots) for o in outputs):
        return _viewed(run, args, kwargs, duals)
    tangents = _tangents(duals, leaves)
    recorded = graph and any(t._requires_grad for t in operands)
    keep = graph and (recorded or any(t._requires_grad for t in tangents))
    products = _products(outputs, list(leaves.values()), tangents, keep)
    if not recorded:
        result = _rebuilt(result, [o.detach() for o in outputs])
    for out, product in zip(_flat(result), products):
        if product is not None:
            _forward_ad.set_tangent(out, product)
    return result


def _rebuilt(result: Any, outputs: list) -> Any:
    """`result` with its tensors replaced, in order, by `outputs`."""
    if isinstance(result, Tensor):
        return outputs[0]
    found = iter(outputs)
    items = [next(found) if isinstance(r, Tensor) else r for r in result]
    return type(result)(*items) if hasattr(result, "_fields") else type(result)(items)


def _viewed(run, args: tuple, kwargs: dict, duals: list) -> Any:
    """A view op (or one returning its input): run on the operands, and on the tangents for the tangent."""
    result = run(*args, **kwargs)
    tangent_args, tangent_kwargs = _substituted(args, kwargs, {id(t): _forward_ad.tangent(t) for t in duals})
    viewed = _flat(run(*tangent_args, **tangent_kwargs))
    for out, tangent in zip(_flat(result), viewed):
        if out._dtype.is_floating_point and not any(out is t for t in duals):
            _forward_ad.set_tangent(out, tangent)
    return result


def _in_place(run, args: tuple, kwargs: dict) -> Any:
    """An in-place op: its tangent from a run on copies of the operands taken before the real one."""
    target = args[0]
    operands = _operands(args, kwargs)
    duals = _duals(operands)
    graph = grad_mode.state.enabled
    leaves = _lifted(duals, graph, copy=True)
    copies = dict(leaves)
    copies[id(target)] = leaves[id(target)].clone() if id(target) in leaves else target.detach().clone()
    geometry = (target.shape, target.stride())
    result = run(*args, **kwargs)
    if (target.shape, target.stride()) != geometry:  # an in-place view op: the tangent is viewed the same way
        own = getattr(target, "_tangent", None)
        if own is not None:
            run(own, *args[1:], **kwargs)
        return result
    shadow_args, shadow_kwargs = _substituted(args, kwargs, copies)
    with grad_mode.enable_grad():
        run(*shadow_args, **shadow_kwargs)
    changed = copies[id(target)]  # changed in place (what the op returns may be None: __setitem__)
    tangents = _tangents(duals, leaves)
    keep = graph and (any(t._requires_grad for t in operands) or any(t._requires_grad for t in tangents))
    product, = _products([changed], list(leaves.values()), tangents, keep)
    if product is None and _forward_ad.is_dual(target):
        from .creation import zeros_like

        product = zeros_like(target)
    if product is not None:
        _forward_ad.write_tangent(target, product)
    return result


def _formulated(formula, run, args: tuple, kwargs: dict) -> Any:
    """A common op whose tangent has a direct formula (PyTorch's, from derivatives.yaml): the op runs once,
    with no backward pass; the tangent is broadcast to the result's shape and cast to its dtype."""
    result = run(*args, **kwargs)
    if isinstance(result, Tensor) and result._dtype.is_floating_point:
        tangent = formula(result, *args, **{k: v for k, v in kwargs.items() if k != "out"})
        if tangent.shape != result.shape:
            tangent = tangent.expand(result.shape)
        _forward_ad.set_tangent(result, tangent if tangent._dtype is result._dtype else tangent.to(result._dtype))
    return result


def _tangent(value: Any) -> Tensor | None:
    return _forward_ad.tangent(value) if isinstance(value, Tensor) else None


def _plus(first: Tensor | None, second: Tensor | None) -> Tensor:
    """The sum of the terms that are there (one at least: some operand is dual)."""
    if first is None or second is None:
        found = first if second is None else second
        assert found is not None  # some operand is dual
        return found
    return first + second


def _add(result, input, other, *, alpha=1):
    t = _tangent(other)
    return _plus(_tangent(input), None if t is None else t if alpha == 1 else t * alpha)


def _sub(result, input, other, *, alpha=1):
    t = _tangent(other)
    return _plus(_tangent(input), None if t is None else -t if alpha == 1 else t * -alpha)


def _mul(result, input, other):
    t_input, t_other = _tangent(input), _tangent(other)
    return _plus(None if t_other is None else t_other * input, None if t_input is None else t_input * other)


def _div(result, input, other, *, rounding_mode=None):
    if rounding_mode is not None:  # a step function of its operands
        from .creation import zeros_like

        return zeros_like(result)
    t_input, t_other = _tangent(input), _tangent(other)
    if t_other is None:
        return t_input / other
    return (t_input - t_other * result if t_input is not None else -(t_other * result)) / other


def _matmul(result, input, other):
    t_input, t_other = _tangent(input), _tangent(other)
    return _plus(None if t_input is None else t_input @ other, None if t_other is None else input @ t_other)


# Profiled op name -> its tangent from (result, *args, **kwargs), for the commonest ops.
_FORMULAS = {"aten::add": _add, "aten::sub": _sub, "aten::mul": _mul, "aten::div": _div, "aten::matmul": _matmul,
             "aten::mm": _matmul}
