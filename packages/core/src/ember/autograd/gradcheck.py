"""Finite-difference checks of gradients (first and second order), as torch.autograd.gradcheck."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients disagree."""


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _differentiable_outputs(func, inputs):
    return tuple(o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor) and o._requires_grad)


def _numerical_jacobian(func, inputs, index, eps):
    """d(outputs)/d(inputs[index]) by central differences, one column per input element."""
    target = inputs[index]
    host = target.detach().cpu()._host().astype(np.float64)
    flat = host.reshape(-1)
    columns = []
    for j in range(flat.size):
        values = []
        for delta in (eps, -eps):
            perturbed = flat.copy()
            perturbed[j] += delta
            replaced = Tensor._make(target._device.kernels.from_numpy(
                perturbed.reshape(host.shape).astype(target._dtype.numpy)), target._dtype, target._device,
                target._requires_grad)
            args = list(inputs)
            args[index] = replaced
            # Grad mode stays on: `func` may itself differentiate (gradgradcheck's first derivatives).
            outs = _as_tuple(func(*args))
            values.append(np.concatenate([o.detach().cpu()._host().astype(np.float64).reshape(-1)
                                          for o in outs if isinstance(o, Tensor) and
                                          o._dtype.is_floating_point]))
        columns.append((values[0] - values[1]) / (2 * eps))
    return np.stack(columns, axis=1) if columns else np.zeros((0, 0))


def _analytical_jacobian(func, inputs, index):
    """d(outputs)/d(inputs[index]) by backpropagating each output element's unit vector."""
    from .._ops import creation
    from .engine import grad as autograd_grad

    outputs = _as_tuple(func(*inputs))
    outputs = tuple(o for o in outputs if isinstance(o, Tensor) and o._dtype.is_floating_point)
    target = inputs[index]
    rows = []
    for out in outputs:
        for i in range(out.numel()):
            if not out._requires_grad:
                rows.append(np.zeros(target.numel()))
                continue
            unit = np.zeros(out.numel())
            unit[i] = 1.0
            seed = creation.tensor(unit.reshape(out._data.shape), dtype=out._dtype, device=out._device)
            (g,) = autograd_grad(out, target, seed, retain_graph=True, allow_unused=True)
            rows.append(np.zeros(target.numel()) if g is None else
                        g.detach().cpu()._host().astype(np.float64).reshape(-1))
    return np.stack(rows, axis=0) if rows else np.zeros((0, target.numel()))


def _forward_jacobian(func, inputs, index):
    """d(outputs)/d(inputs[index]) by forward mode, one column per input element (a unit tangent each)."""
    from .._ops import creation
    from . import forward_ad

    target = inputs[index]
    columns = []
    for j in range(target.numel()):
        unit = np.zeros(target.numel())
        unit[j] = 1.0
        with forward_ad.dual_level():
            args = list(inputs)
            args[index] = forward_ad.make_dual(target, creation.tensor(
                unit.reshape(target._data.shape), dtype=target._dtype, device=target._device))
            outs = [o for o in _as_tuple(func(*args)) if isinstance(o, Tensor) and o._dtype.is_floating_point]
            tangents = [forward_ad.unpack_dual(o).tangent for o in outs]
            columns.append(np.concatenate([np.zeros(o.numel()) if t is None else
                                           t.detach().cpu()._host().astype(np.float64).reshape(-1)
                                           for o, t in zip(outs, tangents)]))
    return np.stack(columns, axis=1) if columns else np.zeros((0, 0))


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, fast_mode=False, check_forward_ad=False, check_backward_ad=True,
              **unused) -> bool:
    """Compare autograd's gradients of `func` at `inputs` with central finite differences: reverse mode's
    (`check_backward_ad`) and forward mode's (`check_forward_ad`).

    Inputs that require grad should be float64; returns True, or raises GradcheckError (or returns
    False with ``raise_exception=False``) naming the input and the worst element.
    """
    inputs = _as_tuple(inputs)
    for index, t in enumerate(inputs):
        if not (isinstance(t, Tensor) and t._requires_grad):
            continue
        if t._dtype.name != "float64":
            import warnings
            warnings.warn(f"Input #{index} requires gradient and is not a double precision floating point. "
                          "This check will likely fail if all the inputs are not of double precision "
                          "floating point.", stacklevel=2)
        numerical = _numerical_jacobian(func, inputs, index, eps)
        modes = [("", _analytical_jacobian)] if check_backward_ad else []
        if check_forward_ad:
            modes.append((" computed with forward mode", _forward_jacobian))
        for mode, jacobian in modes:
            analytical = jacobian(func, inputs, index)
            if numerical.size == 0 and analytical.size == 0:
                continue
            if numerical.shape != analytical.shape or not np.allclose(analytical, numerical, rtol=rtol, atol=atol):
                message = (f"Jacobian{mode} mismatch for output 0 with respect to input {index},\n"
                           f"numerical:{numerical}\nanalytical:{analytical}\n")
                if raise_exception:
                    raise GradcheckError(message)
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, **unused) -> bool:
    """gradcheck of the gradient itself: checks second derivatives of `func` at `inputs`."""
    from .._ops import creation
    from .engine import grad as autograd_grad

    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        outputs = _differentiable_outputs(func, inputs)
        grad_outputs = tuple(creation.tensor(rng.standard_normal(o._data.shape), dtype=o._dtype,
                                             device=o._device, requires_grad=True) for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    differentiable = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t._requires_grad]
    count = len(inputs)

    def first_derivatives(*args):
        primal, seeds = args[:count], args[count:]
        outputs = _differentiable_outputs(func, primal)
        wrt = [primal[i] for i in differentiable]
        grads = autograd_grad(outputs, wrt, seeds, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
