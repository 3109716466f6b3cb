"""ember.autograd.functional: derivatives of a whole function, as PyTorch's module of that name: vjp,
jacobian (a vjp per output element), and the forward products jvp and hvp through the double-backward trick
(a vjp is linear in its vector, so differentiating it with respect to that vector gives the forward
product), vhp and hessian. All are built on `autograd.grad`; results are detached unless ``create_graph``."""
from __future__ import annotations

from .._ops.creation import zeros, zeros_like
from .._ops.joining import stack
from .._tensor import Tensor
from . import grad_mode
from .engine import grad

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]

_STRATEGIES = ("forward-mode", "reverse-mode")


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the vector-Jacobian product at `inputs`; `v` may be left out when func returns
    one single-element tensor."""
    inputs_tupled, inputs = _tupled(inputs, "inputs", "vjp")
    inputs = _fresh(inputs, create_graph, need_graph=True)
    with grad_mode.enable_grad():
        outputs_tupled, outputs = _tupled(func(*inputs), "outputs of the user-provided function", "vjp")
        _check_outputs(outputs, strict)
    v = _vector(v, outputs, outputs_tupled, create_graph, "vjp", "user-provided function returns a single "
                "Tensor with a single element")
    products = _zeros_for_missing(_grad(outputs, inputs, v, create_graph), inputs, strict, create_graph, "back")
    return _untupled(_result(outputs, create_graph), outputs_tupled), \
        _untupled(_result(products, create_graph), inputs_tupled)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product at `inputs`, as the vjp's derivative with respect to
    its vector (the double-backward trick); `v` may be left out for one single-element input."""
    with grad_mode.enable_grad():
        inputs_tupled, inputs = _tupled(inputs, "inputs", "jvp")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        v = _vector(v, inputs, inputs_tupled, create_graph, "jvp", "input to the user-provided function is a "
                    "single Tensor with a single element")
        outputs_tupled, outputs = _tupled(func(*inputs), "outputs of the user-provided function", "jvp")
        _check_outputs(outputs, strict)
        dummies = tuple(zeros_like(out, requires_grad=True) for out in outputs)
        pulled_back = _grad(outputs, inputs, dummies, create_graph=True)
        _check_gradients(pulled_back, strict)
    with grad_mode.set_grad_enabled(create_graph or grad_mode.is_grad_enabled()):
        products = _grad(pulled_back, dummies, v, create_graph)
    products = _zeros_for_missing(products, outputs, strict, create_graph, "back_trick")
    return _untupled(_result(outputs, create_graph), outputs_tupled), \
        _untupled(_result(products, create_graph), outputs_tupled)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of `func` at `inputs`: for each output and input, a tensor of shape output.shape +
    input.shape, nested as PyTorch's (tuples only where func's outputs or the inputs are tuples).

    ember has no forward-mode AD: ``strategy="forward-mode"`` (and ``vectorize``, a batching of the same
    products) give the same values through reverse mode, with PyTorch's refusals of their argument mixes."""
    if strategy not in _STRATEGIES:
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                             'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                             'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError("ember.autograd.functional.jacobian: `create_graph=True` and "
                                      '`strategy="forward-mode"` are not supported together (yet). Please either '
                                      'set `create_graph=False` or `strategy="reverse-mode"`.')
        if strict:
            raise RuntimeError('ember.autograd.functional.jacobian: `strict=True` and `strategy="forward-mode"` '
                               'are not supported together (yet). Please either set `strict=False` or '
                               '`strategy="reverse-mode"`.')
        if not vectorize:
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                                      "only implemented for `vectorize=True`.")
    elif vectorize and strict:
        raise RuntimeError("ember.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                           "supported together. Please either set `strict=False` or `vectorize=False`.")
    with grad_mode.enable_grad():
        inputs_tupled, inputs = _tupled(inputs, "inputs", "jacobian")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        outputs_tupled, outputs = _tupled(func(*inputs), "outputs of the user-provided function", "jacobian")
        _check_outputs(outputs, strict)
        rows = tuple(_jacobian_of(i, out, inputs, create_graph, strict) for i, out in enumerate(outputs))
    result = _untupled(_result(rows, create_graph), (outputs_tupled, inputs_tupled))
    # PyTorch's forward-mode path nests its results in lists where the inputs were a tuple
    return _as_lists(result) if strategy == "forward-mode" and inputs_tupled else result


def _as_lists(result):
    return [_as_lists(item) for item in result] if isinstance(result, tuple) else result


def _jacobian_of(index: int, output: Tensor, inputs: tuple, create_graph: bool, strict: bool) -> tuple:
    """The Jacobians of one output with respect to each input: one vjp per output element."""
    columns: list[list] = [[] for _ in inputs]
    flat = output.reshape(-1)
    for j in range(output.numel()):
        gradients = _grad((flat[j],), inputs, None, create_graph, retain_graph=True)
        for k, (g, inp) in enumerate(zip(gradients, inputs)):
            if g is None:
                if strict:
                    raise RuntimeError(f"Output {index} of the user-provided function is independent of input {k}. "
                                       "This is not allowed in strict mode.")
                g = zeros_like(inp)
            elif strict and create_graph and not g.requires_grad:
                raise RuntimeError(f"The jacobian of the user-provided function is independent of input {index}. "
                                   "This is not allowed in strict mode when create_graph=True.")
            columns[k].append(g)
    return tuple(stack(column, 0).view(output.shape + inp.shape) if column else
                 zeros(output.shape + inp.shape, dtype=inp.dtype, device=inp.device)
                 for column, inp in zip(columns, inputs))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a function returning one single-element tensor: the Jacobian of its gradient, one
    (input_i.shape + input_j.shape) block per pair of inputs."""
    inputs_tupled, inputs = _tupled(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in _STRATEGIES:
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*args):
        out = func(*args)
        _, outputs = _tupled(out, "outputs of the user-provided function", "hessian")
        _check_outputs(outputs, strict)
        _check_scalar(out, "hessian")
        return out.squeeze()

    def gradient(*args):
        jac = jacobian(scalar_func, args, create_graph=True)
        for i, g in enumerate(jac):
            if strict and not g.requires_grad:
                raise RuntimeError(f"While computing the hessian, found that the jacobian of the user-provided "
                                   f"function with respect to input {i} is independent of the input. This is not "
                                   "allowed in strict mode. You should ensure that your function is twice "
                                   "differentiable and that the jacobian depends on the inputs (this would be "
                                   "violated by a linear function for example).")
        return jac

    blocks = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                      strategy=outer_jacobian_strategy)
    return _untupled(blocks, (inputs_tupled, inputs_tupled))


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H): the vector-Hessian product of a function returning one single-element tensor."""
    outputs, inputs, inputs_tupled, v, first = _first_derivative(func, inputs, v, create_graph, strict, "vhp")
    with grad_mode.set_grad_enabled(create_graph or grad_mode.is_grad_enabled()):
        products = _grad(first, inputs, v, create_graph)
    products = _zeros_for_missing(products, inputs, strict, create_graph, "double_back")
    return _untupled(_result(outputs, create_graph), False), _untupled(_result(products, create_graph),
                                                                         inputs_tupled)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v): the Hessian-vector product of a function returning one single-element tensor, as
    the derivative of v^T H with respect to v (the double-backward trick; equal to vhp for smooth func)."""
    outputs, inputs, inputs_tupled, v, first = _first_derivative(func, inputs, v, create_graph, strict, "hvp")
    with grad_mode.enable_grad():
        dummies = tuple(zeros_like(inp, requires_grad=True) for inp in inputs)
        second = _grad(first, inputs, dummies, create_graph=True)
        _check_gradients(first, strict, "hessian")
    with grad_mode.set_grad_enabled(create_graph or grad_mode.is_grad_enabled()):
        products = _grad(second, dummies, v, create_graph)
    products = _zeros_for_missing(products, inputs, strict, create_graph, "double_back_trick")
    return _untupled(_result(outputs, create_graph), False), _untupled(_result(products, create_graph),
                                                                         inputs_tupled)


def _first_derivative(func, inputs, v, create_graph: bool, strict: bool, fn: str) -> tuple:
    """vhp's and hvp's common start: (outputs, fresh inputs, whether they were a tuple, v, the gradient
    of func at them, with its graph)."""
    with grad_mode.enable_grad():
        inputs_tupled, inputs = _tupled(inputs, "inputs", fn)
        inputs = _fresh(inputs, create_graph, need_graph=True)
        v = _vector(v, inputs, inputs_tupled, create_graph, fn, "input to the user-provided function is a single "
                    "Tensor with a single element")
        out = func(*inputs)
        outputs_tupled, outputs = _tupled(out, "outputs of the user-provided function", fn)
        _check_outputs(outputs, strict)
        if outputs_tupled:
            raise RuntimeError(f"The function given to {fn} should return a single Tensor")
        _check_scalar(out, fn)
        first = _grad(outputs, inputs, None, create_graph=True)
        _check_gradients(first, strict, "jacobian")
    return outputs, inputs, inputs_tupled, v, first


def _tupled(value, what: str, fn: str) -> tuple:
    """(whether `value` was a tuple, `value` as a tuple of tensors), refusing anything else."""
    was_tuple = isinstance(value, tuple)
    values = value if was_tuple else (value,)
    for i, item in enumerate(values):
        if not isinstance(item, Tensor):
            where = f"value at index {i}" if was_tuple else f"given {what}"
            raise TypeError(f"The {what} given to {fn} must be either a Tensor or a tuple of Tensors but the "
                            f"{where} has type {type(item)}.")
    return was_tuple, values


def _untupled(result, was_tuple):
    """Undo `_tupled` on a result: `was_tuple` a flag, or (outer, inner) flags for nested results."""
    if isinstance(was_tuple, tuple):
        outer, inner = was_tuple
        if not inner:
            result = tuple(row[0] for row in result)
        return result if outer else result[0]
    return result if was_tuple else result[0]


def _fresh(tensors: tuple, create_graph: bool, need_graph: bool) -> tuple:
    """New tensor objects for the inputs (so func's own captures of the same tensors are told apart): views
    that keep the graph with ``create_graph``, else detached leaves requiring grad as `need_graph` says."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(need_graph)
                 for t in tensors)


def _vector(v, refs: tuple, refs_tupled: bool, create_graph: bool, fn: str, single: str):
    """The user's vector `v` as fresh tensors checked against `refs` (None only for one single element)."""
    if v is None:
        if len(refs) != 1 or refs[0].numel() != 1:
            raise RuntimeError(f"The vector v can only be None if the {single}.")
        return None
    _, v = _tupled(v, "v", fn)
    v = _fresh(v, create_graph, need_graph=False)
    if len(v) != len(refs):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(refs)} but got {len(v)}."
                           if refs_tupled else "The given v should contain a single Tensor.")
    for i, (item, ref) in enumerate(zip(v, refs)):
        if item.shape != ref.shape:
            entry = f"Entry {i} in " if refs_tupled else ""
            raise RuntimeError(f"{entry}v has invalid size: should be {ref.shape} but got {item.shape}.")
    return v


def _check_outputs(outputs: tuple, strict: bool) -> None:
    if strict:
        for i, out in enumerate(outputs):
            if not out.requires_grad:
                raise RuntimeError(f"Output {i} of the user-provided function does not require gradients. The "
                                   "outputs must be computed in a differentiable manner from the input when "
                                   "running in strict mode.")


def _check_gradients(gradients: tuple, strict: bool, kind: str = "grad_inputs") -> None:
    """In strict mode, refuse a first derivative that is missing or constant (the trick needs its graph)."""
    if not strict:
        return
    for i, g in enumerate(gradients):
        if g is None:
            raise RuntimeError(f"The output of the user-provided function is independent of input {i}. This is not "
                               "allowed in strict mode.")
        if not g.requires_grad:
            if kind == "hessian":
                raise RuntimeError(f"The hessian of the user-provided function with respect to input {i} is "
                                   "independent of the input. This is not allowed in strict mode. You should ensure "
                                   "that your function is thrice differentiable and that the hessian depends on "
                                   "the inputs.")
            if kind == "jacobian":
                raise RuntimeError(f"While computing the hessian, found that the jacobian of the user-provided "
                                   f"function with respect to input {i} is independent of the input. This is not "
                                   "allowed in strict mode. You should ensure that your function is twice "
                                   "differentiable and that the jacobian depends on the inputs (this would be "
                                   "violated by a linear function for example).")
            raise RuntimeError(f"The gradient with respect to input {i} is independent of the inputs of the "
                               "user-provided function. This is not allowed in strict mode.")


def _check_scalar(out, fn: str) -> None:
    if not isinstance(out, Tensor):
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if out.numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn} should contain a single element")


def _grad(outputs: tuple, inputs: tuple, grad_outputs, create_graph: bool, retain_graph=None) -> tuple:
    """autograd.grad over the outputs that require grad (None for every input when none does), unused
    inputs giving None."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    kept = [(out, g) for out, g in zip(outputs, grad_outputs) if out is not None and out.requires_grad]
    if not kept:
        return (None,) * len(inputs)
    return grad(tuple(out for out, _ in kept), inputs, tuple(g for _, g in kept), retain_graph=retain_graph,
                create_graph=create_graph, allow_unused=True)


_STRICT_MISSING = {
    "back": "The output of the user-provided function is independent of input {i}. This is not allowed in strict "
            "mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the grad_outputs when "
                  "using the double backward trick to compute forward mode gradients. This is not allowed in "
                  "strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This is not allowed "
                   "in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} in the "
                         "grad_jacobian. This is not allowed in strict mode as it prevents from using the double "
                         "backward trick to replace forward mode AD.",
}


def _zeros_for_missing(gradients: tuple, refs: tuple, strict: bool, create_graph: bool, stage: str) -> tuple:
    """Zeros shaped as `refs` where no gradient reached (an error in strict mode, as is a constant
    gradient with ``create_graph``)."""
    filled = []
    for i, (g, ref) in enumerate(zip(gradients, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_STRICT_MISSING[stage].format(i=i))
            g = zeros_like(ref)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of input {i}. This is "
                               "not allowed in strict mode when create_graph=True.")
        filled.append(g)
    return tuple(filled)


def _result(tensors: tuple, create_graph: bool) -> tuple:
    """Results without history unless ``create_graph`` (nested tuples followed)."""
    if create_graph:
        return tensors
    return tuple(t.detach() if isinstance(t, Tensor) else _result(t, False) for t in tensors)
