"""The op registry: each op is declared once, and its function, Tensor method, in-place form, grad_fn
class, ``ember.*`` export and test rows (the conformance kit's, the oracle's, gradcheck's) are made from
the declaration.

An op's Python function is built once, at import, specialised to its entry (a closure over its kernel,
dtype rule and node class), so a call interprets no table. Backward formulas are written with
differentiable ember ops, so gradients of gradients come for free.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import _autocast, _checks, _dtype, _profiling
from .._backend_util import half_source
from .._tensor import Tensor, ZeroTensor, wrap
from ..autograd import grad_mode
from ..autograd.node import Node, attach, binary_recorder, fused_saved, needs_grad, record, unary_recorder
from . import autocasting
from .dispatch import bump, check_out, profiled, type_name

_float16, _float32, _bool = _dtype.float16, _dtype.float32, _dtype.bool_
FLOATS = frozenset((_float16, _float32, _dtype.float64))
_state = grad_mode.state
_LONG_MIN, _LONG_MAX = -2**63, 2**63 - 1
_MISSING = object()  # a binary op's second operand not given positionally


def straight_binary(general: Callable, kernel_name: str, node_cls: type | None = None, saving: Callable | None = None,
                    tensor_dtypes=FLOATS, number_dtypes=FLOATS, result_dtype=None, swapped: bool = False,
                    number_node: type | None = None) -> Callable:
    """`general` (``op(input, other, **options)``, profiled) with its common call run straight through: a
    tensor of one of `tensor_dtypes` and a tensor of its dtype and device, or a Python number when its
    dtype is among `number_dtypes`; no options, no profiler. The result keeps the dtype (or is of
    `result_dtype`); `node_cls` is recorded over both operands, saving ``saving(input, other, None)`` (a
    `Gradient`'s, before the result exists). Any
    other call, and any failure, goes to `general`, which gives PyTorch's errors. A `swapped` kernel
    takes the operands the other way round (rsub: ``other - input``); a `number_node` is recorded over
    the tensor alone for a Python number (rsub's RsubBackward1)."""
    recording = record if result_dtype is None else attach  # a gradient needs a floating result: dt is one
    pair_recorder = binary_recorder(node_cls, saving) if node_cls is not None and result_dtype is None else None
    def op(input, other, **options):
        if not options and input.__class__ is Tensor and not _profiling.enabled:
            dt = input._dtype
            kind = other.__class__
            if kind is Tensor:
                if other._dtype is not dt or other._device is not input._device or dt not in tensor_dtypes:
                    return general(input, other)
                y = other._data
            elif (kind is float or (kind is int and _LONG_MIN <= other <= _LONG_MAX)) and dt in number_dtypes:
                y = other
            else:
                return general(input, other)
            try:
                data = getattr(input._device.kernels, kernel_name)(y, input._data) if swapped else \
                    getattr(input._device.kernels, kernel_name)(input._data, y)
            except Exception:
                return general(input, other)  # the general path raises PyTorch's error
            result = wrap(data, result_dtype or dt, input._device)
            if node_cls is not None and (input._requires_grad or (kind is Tensor and other._requires_grad)) and \
                    _state.enabled:
                if number_node is not None and kind is not Tensor:
                    recording(result, number_node, (input,))
                elif pair_recorder is not None:
                    pair_recorder(result, input, other)
                else:
                    recording(result, node_cls, (input, other), () if saving is None else saving(input, other, None))
            return result
        return general(input, other, **options)
    op.__name__ = op.__qualname__ = general.__name__
    op.__doc__ = general.__doc__
    op.__wrapped__ = general  # type: ignore[attr-defined]
    if not swapped:  # what an in-place form writes straight (`inplace.make_inplace`)
        op.straight_kernel = (kernel_name, 2, tensor_dtypes, number_dtypes)  # type: ignore[attr-defined]
    return op


def in_float32(formula, *tensors):
    """`formula(*tensors)`, computed in float32 and rounded once when they are float16, as PyTorch's CPU
    kernels compute float16 (sigmoid(-17) is 6e-8, not the 0 that float16 intermediates give)."""
    if tensors[0]._dtype is not _float16:
        return formula(*tensors)
    return formula(*[t.to(_float32) for t in tensors]).to(_float16)


@dataclass(frozen=True, eq=False)
class Unary:
    """An elementwise op over one tensor.

    Attributes:
        name: PyTorch's name (``ember.name``, ``Tensor.name``, ``Tensor.name_``).
        backward: ``formula(grad, *saved)`` -> the input's gradient, in differentiable ember ops; None
            for an op whose gradient is zero everywhere it exists (rounding), and `differentiable`
            False for one PyTorch refuses to differentiate (its results never require grad).
        saves: what `formula` reads after `grad`, among "input" and "result" (saved with their version, so
            an in-place change before backward is PyTorch's error).
        kernel: the device kernel computing it, when it is a primitive (default: `name`).
        compose: ``compose(input) -> Tensor`` from other ember ops, for an op without a kernel.
        dtypes: "float": integer and bool inputs give the default float dtype (exp); "same": the result
            keeps the input's dtype (neg, floor); "bool": a bool result (isnan).
        integers: what an integer or bool input gives: "kernel" (computed), "copy" (the op is the identity
            on integers, floor(int) as in PyTorch), "false" or "true" (a bool op: isnan(int) is all False).
        bools: what a bool input gives, as `integers` (default: the same).
        refuses: the input dtypes PyTorch has no kernel for (NotImplementedError, as PyTorch's).
        check: ``check(input)`` raises PyTorch's error for an integer or bool input the op refuses (neg of a
            bool), before any work.
        half_in_float32: compute float16 in float32 and round once, as PyTorch's CPU kernels do.
        reference: numpy's version (test rows); domain: where test inputs are drawn ("real", "positive",
            "unit" for (-1, 1), "above_one", "any").
        grad_fn: the node's class name (PyTorch's: ``TanBackward0``).
        aliases: other names PyTorch gives the op (``arcsin``), as functions, methods and in-place forms.
        params: PyTorch's scalar parameters, ``(name, default)`` in its order (elu's alpha; a default of None
            marks one the caller must give, threshold's), taken positionally or by name after the input and
            passed by name to `compose` and `backward`; an op with params is a composition, without ``out=``.
        fused: a kernel ``fused(grad, saved)`` giving `backward`'s value on buffers for the one value the op
            saves ("mul" for exp, the optional "tanh_backward"), used when no graph of the gradient is
            recorded (`node.fused_saved`); `backward` runs otherwise.
    """

    name: str
    backward: Callable | None = None
    saves: tuple[str, ...] = ()
    kernel: str | None = None
    compose: Callable | None = None
    dtypes: str = "float"
    integers: str = "kernel"
    bools: str | None = None
    differentiable: bool = True
    refuses: tuple[str, ...] = ()
    check: Callable | None = None
    half_in_float32: bool = False
    reference: Callable | None = None
    domain: str = "real"
    grad_fn: str = ""
    aliases: tuple[str, ...] = ()
    params: tuple[tuple[str, Any], ...] = ()
    fused: str = ""

    @property
    def kernel_name(self) -> str | None:
        return None if self.compose is not None else (self.kernel or self.name)

    @property
    def node_name(self) -> str:
        return self.grad_fn or "".join(part.capitalize() for part in self.name.split("_")) + "Backward0"


class ZeroGradient(Node):
    """The node of an op whose gradient is zero wherever it exists (floor, round, sign...)."""

    def backward(self, grad):
        from .creation import zeros_like
        return zeros_like(grad)  # not grad * 0: an infinite gradient would give NaN


def node_class(entry: Unary) -> type | None:
    """The grad_fn class of `entry`, named as PyTorch's."""
    if not entry.differentiable:
        return None
    if entry.backward is None:
        return type(entry.node_name, (ZeroGradient,), {"__module__": __name__})
    formula = entry.backward
    names = tuple("result" if what == "result" else "self" for what in entry.saves)
    if entry.fused and len(entry.saves) == 1 and not entry.params:
        fused = entry.fused

        def backward(self, grad):
            saved = self._saved
            result = None if saved is None else fused_saved(self, grad, saved[0], fused)
            return formula(grad, *self.saved_tensors) if result is None else result
    elif entry.params:
        def backward(self, grad):
            return formula(grad, *self.saved_tensors, **self.params)
    else:
        def backward(self, grad):
            return formula(grad, *self.saved_tensors)
    backward.__doc__ = f"The gradient of {entry.name}."
    return type(entry.node_name, (Node,), {"backward": backward, "_names_saved": names, "__module__": __name__})


def _saving(saves: tuple[str, ...]) -> Callable:
    """``saving(input, result)``: the tensors a node saves, by `saves`."""
    if saves == ("result",):
        return lambda input, result: (result,)
    if saves == ("input",):
        return lambda input, result: (input,)
    return lambda input, result: tuple(result if what == "result" else input for what in saves)


def _bind(name: str, params: tuple[tuple[str, Any], ...], args: tuple, kwargs: dict) -> dict:
    """The values of `params` from a call's `args` and `kwargs`, with PyTorch's TypeErrors."""
    if len(args) > len(params):
        raise TypeError(f"{name}() takes {len(params) + 1} positional arguments but {len(args) + 1} were given")
    names = [param for param, _ in params]
    for key in kwargs:
        if key not in names or names.index(key) < len(args):
            problem = "multiple values for argument" if key in names else "an unexpected keyword argument"
            raise TypeError(f"{name}() got {problem} '{key}'")
    values = {}
    for position, (param, default) in enumerate(params):
        value = args[position] if position < len(args) else kwargs.get(param, default)
        if isinstance(default, str) != isinstance(value, str) or not isinstance(value, (str, int, float)):
            kind = "str" if isinstance(default, str) else "Number"
            raise TypeError(f"{name}(): argument '{param}' (position {position + 2}) must be {kind}, "
                            f"not {type(value).__name__}")
        values[param] = value
    return values


def _refuse(name: str, input: Tensor, check, refuses: frozenset) -> None:
    """The entry's refusals of `input`, before any work: its `check` (integers and bools) and the dtypes
    PyTorch has no kernel for."""
    if check is not None and not input._dtype.is_floating_point:
        check(input)
    if input._dtype.name in refuses:
        raise NotImplementedError(f'"{name}" not implemented for \'{type_name(input._dtype)}\'')


def parameterized_function(entry: Unary, node_cls: type | None) -> Callable:
    """``fn(input, *params)`` for an `entry` with scalar parameters (a composition, PyTorch's names and
    defaults), the parameters recorded on its node for the backward formula."""
    name, compose, params, saving = entry.name, entry.compose, entry.params, _saving(entry.saves)
    check, refuses, keep_dtype = entry.check, frozenset(entry.refuses), entry.dtypes == "same"
    assert compose is not None, f"{name}: an op with params is a composition"

    def op(input, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        values = _bind(name, params, args, kwargs)
        _refuse(name, input, check, refuses)
        dt = input._dtype if keep_dtype or input._dtype.is_floating_point else _dtype.get_default_dtype()
        data = input._data if dt is input._dtype else input._device.kernels.astype(input._data, dt)
        with grad_mode.no_grad():
            data = compose(wrap(data, dt, input._device), **values)._data
        result = wrap(data, dt, input._device)
        if node_cls is not None and needs_grad((input,)):
            attach(result, node_cls, (input,), saving(input, result), params=values)
        return result
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise {name} of `input` (as torch.nn.functional's)."
    return profiled("aten::" + name)(op)


def unary_function(entry: Unary, node_cls: type | None) -> Callable:
    """``ember.<name>(input, *, out=None)`` for `entry`, specialised to it."""
    if entry.params:
        return parameterized_function(entry, node_cls)
    name = entry.name
    kernel_name, compose = entry.kernel_name or "", entry.compose
    to_float, to_bool = entry.dtypes == "float", entry.dtypes == "bool"
    answers = {"false": False, "true": True}
    copies = (entry.integers == "copy", (entry.bools or entry.integers) == "copy")
    answer = (answers.get(entry.integers), answers.get(entry.bools or entry.integers))
    check, refuses = entry.check, frozenset(entry.refuses)
    half_in_float32 = entry.half_in_float32
    saves = entry.saves

    def result_dtype(dt):
        if to_bool:
            return _dtype.bool_
        return _dtype.get_default_dtype() if to_float and not dt.is_floating_point else dt

    def compute(input: Tensor, dt, out=None):
        """The op's result buffer on `input`, of dtype `dt` (written into buffer `out` when given)."""
        k = input._device.kernels
        data = input._data
        if not input._dtype.is_floating_point:
            is_bool = input._dtype is _bool
            if copies[is_bool]:
                return k.contiguous(k.astype(data, dt)) if out is None else k.copy_(out, data)
            if answer[is_bool] is not None:
                full = k.full(data.shape, answer[is_bool], dt)
                return full if out is None else k.copy_(out, full)
            if to_float:
                data = k.astype(data, dt)
        if compose is not None:
            with grad_mode.no_grad():
                result = compose(wrap(data, input._dtype if to_bool else dt, input._device))
            data = result._data
        elif half_in_float32 and dt is _float16:
            data = k.astype(getattr(k, kernel_name)(k.astype(data, _float32)), _float16)
        else:
            return getattr(k, kernel_name)(data) if out is None else getattr(k, kernel_name)(data, out=out)
        return data if out is None else k.copy_(out, data)

    # The common call, run straight through: a floating tensor and a plain kernel, no out=. The float16 calls
    # of an op that autocast runs in float32 (`autocast_half`) go straight through only while no autocast
    # region is on (else the general path, where `profiled` casts them): one more check for those calls alone.
    straight = compose is None and not to_bool
    autocast_half = _float16 if straight and not half_in_float32 and autocasting.runs_in_float32(name) else None
    fast = frozenset(d for d in (_dtype.float32, _dtype.float64, _float16)
                     if straight and not (d is _float16 and (half_in_float32 or autocast_half is not None)))
    saving = _saving(saves)
    recorder = unary_recorder(node_cls, saves) if node_cls is not None else None

    def general(input, *, out=None):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        _refuse(name, input, check, refuses)
        dt = result_dtype(input._dtype)
        if out is not None:
            if to_bool and out._dtype is not dt:
                raise RuntimeError(f"{name} does not support non-boolean outputs.")
            check_out(out, name, input._data.shape, dt, (input,))
            if out._dtype is dt:
                compute(input, dt, out._data)
            else:
                out._device.kernels.copy_(out._data, compute(input, dt))
            bump(out)
            return out
        result = wrap(compute(input, dt), dt, input._device)
        if node_cls is not None and needs_grad((input,)):
            attach(result, node_cls, (input,), saving(input, result))
        return result
    general.__name__ = general.__qualname__ = name
    general.__doc__ = f"Elementwise {name} of `input` (as torch.{name})."
    general = profiled("aten::" + name)(general)

    def op(input, *, out=None):
        # The common call, straight through: a floating tensor, a plain kernel, no out=, no profiler.
        if out is None and input.__class__ is Tensor and (input._dtype in fast or (
                input._dtype is autocast_half and not _autocast.regions)) and not _profiling.enabled:
            try:
                data = getattr(input._device.kernels, kernel_name)(input._data)
            except Exception:
                return general(input)  # the general path raises PyTorch's error
            result = wrap(data, input._dtype, input._device)
            if recorder is not None and input._requires_grad and _state.enabled:
                recorder(result, input)  # `fast` dtypes are floating
            return result
        return general(input, out=out)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = general.__doc__
    op.__wrapped__ = general  # type: ignore[attr-defined]
    op.straight_kernel = (kernel_name, 1, fast, ())  # type: ignore[attr-defined]
    return op


def build(entries) -> tuple[dict, dict]:
    """(functions by name, grad_fn classes by name) for unary `entries`."""
    functions, nodes = {}, {}
    for entry in entries:
        node_cls = node_class(entry)
        if node_cls is not None:
            nodes[node_cls.__name__] = node_cls
        function = unary_function(entry, node_cls)
        for name in (entry.name, *entry.aliases):
            functions[name] = function
    return functions, nodes


LN2, LN10 = math.log(2.0), math.log(10.0)


# ----- binary ops ----------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Gradient:
    """The node of one form of a binary op, declared in full: PyTorch's class name, its backward method
    (``backward(node, grad)``, in differentiable ember ops, reading the node's declared state), the names
    of what it saves and ``saving(a, b, result)`` giving those values (None where not needed, as PyTorch
    skips what the wanted gradients do not read). A node over the tensor operand alone (``x ** 2``) keeps
    the Python number as attribute `number` ("exponent")."""

    name: str
    backward: Callable
    saves: tuple[str, ...] = ()
    saving: Callable | None = None
    number: str = ""


@dataclass(frozen=True, eq=False)
class Binary:
    """An elementwise op over two operands, broadcasting, with PyTorch's type promotion.

    Attributes:
        name: PyTorch's name (``ember.name``, ``Tensor.name``, ``Tensor.name_``).
        backward: (a's gradient, b's gradient) formulas ``formula(grad, a, b, result)``, in differentiable
            ember ops; `a` or `b` is a Python number when the op was called with one (its formula is not
            run). None: the op has no derivative in PyTorch either (its grad_fn is ``NotImplemented``, whose
            backward raises).
        grad_fns: the node class names for (tensor, tensor), (tensor, number) and (number, tensor) calls;
            "NotImplemented" for a form PyTorch cannot differentiate.
        gradients: instead of `backward` and `grad_fns`, each form's node declared whole (`Gradient`), for
            the ops whose nodes read parameters or save selectively (add's alpha, mul's operands); a number
            form of None records the tensor pair's node over both operands, the number an input without
            gradient (``x * 2`` is MulBackward0, as PyTorch's).
        saves_result: the backward formula reads the result (saved with its version).
        kernel: the device kernel computing it, when it is a primitive (default: `name`).
        compose: ``compose(a, b) -> Tensor`` from other ember ops on tensors (b may be a number).
        forward: ``forward(k, x, y, dt, out, **params)`` -> the result buffer from kernel table `k` and
            operands `x`, `y` (buffers of dtype `dt`, or one Python number), written into buffer `out` when
            given: an op with PyTorch's special cases around its kernel (pow's exponents, add's alpha).
        prepare: ``prepare(k, x, y, dt, **params)`` -> the operands the kernel computes on, from those of the
            call (add's alpha scaling y); the identity with the default parameters.
        swapped: the kernel takes the operands the other way round (rsub: ``other - input``).
        params: PyTorch's keyword parameters, ``(name, default)`` (add's alpha), handed to `check` and
            `forward` and set on the node where they differ from the default (its class attributes).
        route: ``route(**params)`` -> another op to run the call instead, or None (div's rounding_mode).
        check: ``check(input, other, dt, **params)`` raises PyTorch's refusals of the operands (bool
            subtraction, an integer to a negative power), before any work; `dt` is the promoted dtype.
        dtypes: "same": the promoted dtype; "float": integer and bool operands give the default float dtype;
            "bool": a bool result (the comparisons), computed in the promoted dtype.
        wide_scalars: a 0-d operand wider than a float16 tensor enters as a Python number, unrounded (as
            PyTorch's CPU scalars do: ``half_tensor < float32_0d``).
        half_by_number: a float16 tensor by a Python number is computed in float32 and rounded once, as
            PyTorch's CPU kernels (``x * 0.1``: numpy would round the number to float16 first); a number
            first (``ember.mul(0.1, x)``) is rounded to float16 first, as PyTorch's.
        refuses: the promoted dtypes PyTorch has no kernel for (NotImplementedError naming `cpu_name`).
        cpu_name: PyTorch's CPU kernel name in that error ("div_floor_cpu").
        divides: integer operands raise PyTorch's RuntimeError "ZeroDivisionError" for a zero divisor.
        numbers: which operands may be Python numbers: "none", "other" or "both"; "tensor": both, a number
            first recorded as the tensor pair's form (``ember.add(2, t)`` is AddBackward0, as PyTorch's).
        in_place: whether PyTorch has ``Tensor.name_`` (for a bool result, the comparison written in the
            tensor's own dtype: `binary.COMPARED_IN_PLACE`).
        operators: Python operators bound to it: (forward, reflected, in-place), e.g. ("__floordiv__",
            "__rfloordiv__", "__ifloordiv__"), or the forward one alone (comparisons: Python reflects them).
        reflected: the reflected operator: None for the op with its operands swapped, "same" for the op
            itself (commutative: ``2 + t`` is ``add(t, 2)``), another entry's name (sub's "rsub"), or a
            function ``reflected(self, other)``.
        reference: numpy's version (test rows); domains: where test inputs are drawn for (a, b), as the
            kit's `cases.random_array` domains; kit_dtypes: the dtypes of its kit rows (default: those it
            computes in).
        aliases: other names PyTorch gives the op (``arctan2``).
        public: exported as ``ember.name``; False for the helpers of other ops (div's rounding modes).
        operand: PyTorch's name of the second operand, by which a call may pass it (pow's ``exponent=``).
        recorded: False for an op whose results never require grad (PyTorch declares no derivative at all
            for the orthogonal polynomials: no grad_fn, not even one that raises).
        zeros: ``zeros(a, b, x, y, dt, params)`` -> the result where an operand is an efficient zero tensor
            (PyTorch's ZeroTensor kernel: `ember._ops.zero_tensors`), from the operands and their kernel
            operands; other ops compute over its zeros.
    """

    name: str
    backward: tuple[Callable, Callable] | None = None
    grad_fns: tuple[str, str, str] = ("", "", "")
    gradients: tuple[Gradient, Gradient | None, Gradient | None] | None = None
    saves_result: bool = False
    kernel: str | None = None
    compose: Callable | None = None
    forward: Callable | None = None
    prepare: Callable | None = None
    swapped: bool = False
    params: tuple[tuple[str, Any], ...] = ()
    route: Callable | None = None
    check: Callable | None = None
    dtypes: str = "same"
    wide_scalars: bool = False
    half_by_number: bool = False
    refuses: tuple[str, ...] = ()
    cpu_name: str = ""
    divides: bool = False
    numbers: str = "both"
    in_place: bool = True
    operators: tuple[str, ...] = ()
    reflected: Callable | str | None = None
    reference: Callable | None = None
    domains: tuple[str, str] = ("real", "real")
    kit_dtypes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    public: bool = True
    operand: str = "other"
    recorded: bool = True
    zeros: Callable | None = None

    @property
    def kernel_name(self) -> str | None:
        return None if self.compose is not None else (self.kernel or self.name)

    @property
    def differentiable(self) -> bool:
        """Whether PyTorch differentiates it (through its tensor operands)."""
        return self.backward is not None or self.gradients is not None


class _NoDerivative(Node):
    """PyTorch's ``NotImplemented`` node: the op has no derivative, and backward through it raises."""

    op = ""

    def backward(self, grad):
        raise RuntimeError(f"derivative for aten::{self.op} is not implemented")


def _declared_node(entry: Binary, gradient: Gradient) -> type:
    """The node class `gradient` declares, its parameters' defaults as class attributes."""
    return type(gradient.name, (Node,), {"backward": gradient.backward, "_names_saved": gradient.saves,
                                         "__module__": __name__, "__doc__": f"The gradient of {entry.name}.",
                                         **dict(entry.params)})


def binary_nodes(entry: Binary) -> tuple:
    """The node classes of `entry`'s (tensor, tensor), (tensor, number) and (number, tensor) forms."""
    from ..autograd.node import needs_input_grad

    if entry.gradients is not None:
        pair_node = _declared_node(entry, entry.gradients[0])
        return (pair_node, *(pair_node if gradient is None else _declared_node(entry, gradient)
                             for gradient in entry.gradients[1:]))
    formula = entry.backward
    made: dict = {}

    def make(class_name: str, which: int):
        if (class_name, which) in made:
            return made[class_name, which]
        if formula is None or class_name == "NotImplemented":
            cls = type("NotImplemented", (_NoDerivative,), {"op": entry.name, "__module__": __name__})
        elif which == 2:
            def backward(self, grad):
                a, b, result = self.saved_tensors
                return (formula[0](grad, a, b, result) if needs_input_grad(self, 0) else None,
                        formula[1](grad, a, b, result) if needs_input_grad(self, 1) else None)
        else:
            def backward(self, grad):
                (tensor, result), number = self.saved_tensors, self.number
                return formula[which](grad, *((tensor, number) if which == 0 else (number, tensor)), result)
        if formula is not None and class_name != "NotImplemented":
            backward.__doc__ = f"The gradient of {entry.name}."
            names = (("self", "other") if which == 2 else ("self",) if which == 0 else ("other",)) + \
                (("result",) if entry.saves_result else ())
            cls = type(class_name, (Node,), {"backward": backward, "_names_saved": names, "__module__": __name__})
        made[class_name, which] = cls
        return cls
    pair, right, left = entry.grad_fns
    return make(pair, 2), make(right, 0), make(left, 1)


def _recorders(entry: Binary, nodes: tuple) -> tuple:
    """``record(result, a, b, changed)`` for the (tensor, tensor), (tensor, number) and (number, tensor)
    forms: `result`'s node (grad mode is on, it is floating and an operand requires grad), for operands `a`,
    `b` and the parameters `changed` from their defaults."""
    pair_node, right_node, left_node = nodes
    if entry.gradients is None:
        saves_result = entry.saves_result
        return (lambda result, a, b, changed: attach(result, pair_node, (a, b),
                                                     (a, b, result if saves_result else None)),
                lambda result, a, b, changed: attach(result, right_node, (a,),
                                                     (a, result if saves_result else None), number=b),
                lambda result, a, b, changed: attach(result, left_node, (b,),
                                                     (b, result if saves_result else None), number=a))

    gradients = entry.gradients

    def recording(gradient: Gradient | None, node_cls: type, which: int) -> Callable:
        """One form's recording: the pair's node over both operands, or a node over the tensor alone."""
        saving = (gradients[0] if gradient is None else gradient).saving
        if gradient is None or which == 2:
            if saving is None:
                return lambda result, a, b, changed: attach(result, node_cls, (a, b), (), **changed)
            return lambda result, a, b, changed: attach(result, node_cls, (a, b), saving(a, b, result), **changed)
        kept = gradient.number

        def record_alone(result, a, b, changed):
            tensor, number = (b, a) if which == 1 else (a, b)
            return attach(result, node_cls, (tensor,), () if saving is None else saving(a, b, result),
                          **({**changed, kept: number} if kept else changed))
        return record_alone
    return tuple(recording(gradient, node_cls, which) for gradient, node_cls, which in zip(gradients, nodes, (2, 0, 1)))


def _binder(entry: Binary) -> Callable:
    """``bind(options)`` -> the values of `entry`'s declared parameters changed from their defaults, with
    PyTorch's TypeError for any other keyword."""
    defaults = dict(entry.params)

    def bind(options: dict) -> dict:
        for key in options:
            if key not in defaults:
                raise TypeError(f"{entry.name}() got an unexpected keyword argument '{key}'")
        return {key: value for key, value in options.items() if value is not defaults[key] and
                (value.__class__ is not defaults[key].__class__ or value != defaults[key])}
    return bind


def binary_function(entry: Binary, nodes: tuple) -> Callable:
    """``ember.<name>(input, other, *, out=None, **params)`` for `entry`, specialised to it."""
    from .dispatch import binary_failure, broadcast_shapes, operands
    from .views import iterator_layout

    name, kernel_name, compose, forward = entry.name, entry.kernel_name or "", entry.compose, entry.forward
    float_result, refuses, divides = entry.dtypes == "float", frozenset(entry.refuses), entry.divides
    bool_result, wide_scalars, half_by_number = entry.dtypes == "bool", entry.wide_scalars, entry.half_by_number
    cpu_name, numbers, swapped = entry.cpu_name or name + "_cpu", entry.numbers, entry.swapped
    check, route, prepare, bind = entry.check, entry.route, entry.prepare, _binder(entry)
    recorded, operand, zeros = entry.recorded, entry.operand, entry.zeros
    record_pair, record_right, record_left = _recorders(entry, nodes)

    def refuse(position: int, param: str, value):
        raise TypeError(f"{name}(): argument '{param}' (position {position}) must be Tensor, not "
                        f"{type(value).__name__}")

    def compute(x, y, dt, device, changed, out=None):
        """The result buffer of buffers-or-numbers `x`, `y` (of dtype `dt`)."""
        if dt.name in refuses:  # after out='s checks, as PyTorch's
            raise NotImplementedError(f'"{cpu_name}" not implemented for \'{type_name(dt)}\'')
        k = device.kernels
        if divides and not dt.is_floating_point and _has_zero(device, y):
            raise RuntimeError("ZeroDivisionError")
        if forward is not None:
            return forward(k, x, y, dt, out, **changed)
        if prepare is not None:
            x, y = prepare(k, x, y, dt, **changed)
        if half_by_number and dt is _float16 and not hasattr(y, "shape"):  # a number first is rounded first
            data = k.astype(getattr(k, kernel_name)(k.astype(x, _float32), y), _float16)
            return data if out is None else k.copy_(out, data)
        if swapped:
            x, y = y, x
        if compose is None:
            return getattr(k, kernel_name)(x, y) if out is None else getattr(k, kernel_name)(x, y, out=out)
        with grad_mode.no_grad():
            result = compose(*(wrap(v if hasattr(v, "shape") else k.full((), v, dt), dt, device) for v in (x, y)))
        result = result._data
        return result if out is None else k.copy_(out, result)

    def computed(a, b, x, y, dt, result_dt, device, changed, out, number_first):
        """The result buffer, written into `out` when given (its version bumped)."""
        try:
            if out is not None:
                shape = broadcast_shapes(*(v._data.shape if isinstance(v, Tensor) else () for v in (a, b)))
                if shape is None:
                    raise ValueError("shapes do not broadcast")
                check_out(out, name, shape, result_dt, (a, b))
                if out._dtype is result_dt:
                    compute(x, y, dt, device, changed, out._data)
                else:
                    out._device.kernels.copy_(out._data, compute(x, y, dt, device, changed))
                bump(out)
                return out._data
            data = compute(x, y, dt, device, changed)
            if len(data.shape) > 1 and (x is not getattr(a, "_data", x) or y is not getattr(b, "_data", y)):
                # an operand converted to the common dtype: the layout follows the tensors themselves
                data = iterator_layout(device, data, result_dt, tuple(v for v in (a, b) if isinstance(v, Tensor)))
        except (RuntimeError, TypeError, NotImplementedError):
            raise
        except Exception as error:
            raise binary_failure(name, b if number_first else a, a if number_first else b, error) from error
        return data

    def op(input, other=_MISSING, *, out=None, **options):
        if other is _MISSING:  # the second operand by PyTorch's name for it (``pow(t, exponent=2)``)
            if operand not in options:
                raise TypeError(f"{name}() missing 1 required positional argument: '{operand}'")
            other = options.pop(operand)
        changed = bind(options) if options else {}
        if route is not None:
            target = route(**changed)
            if target is not None:
                return target(input, other, out=out)
        number_first = not isinstance(input, Tensor)
        if number_first:
            if numbers == "tensor":
                if not isinstance(other, Tensor):
                    raise TypeError(f"{name}(): expected at least one Tensor argument, got {type(input).__name__} "
                                    f"and {type(other).__name__}")
            elif not isinstance(other, Tensor) or numbers == "none":
                refuse(1, "input", input)
            elif numbers == "other":
                raise TypeError(f"{name}() received an invalid combination of arguments - got "
                                f"({type(input).__name__}, Tensor), but expected (Tensor input, Tensor other)")
        if number_first:
            y, x, dt = operands(other, input, name, float_result)  # the number stays first for the kernel
            device = other._device
        else:
            if not isinstance(other, Tensor) and numbers == "none":
                refuse(2, "other", other)
            x, y, dt = operands(input, other, name, float_result)
            if wide_scalars and dt is _float16 and isinstance(other, Tensor) and not other._data.shape and \
                    other._dtype.itemsize > 2:
                y = half_source(other.item(), _float16.numpy)
            device = input._device
        if check is not None:
            check(input, other, dt, **changed)
        a, b = input, other
        result_dt = _bool if bool_result else dt
        if out is not None:
            computed(a, b, x, y, dt, result_dt, device, changed, out, number_first)
            return out
        if zeros is not None and (a.__class__ is ZeroTensor or b.__class__ is ZeroTensor):
            result = zeros(a, b, x, y, dt, changed)
        else:
            result = wrap(computed(a, b, x, y, dt, result_dt, device, changed, None, number_first), result_dt, device)
        if recorded and result_dt.is_floating_point and grad_mode.state.enabled and (
                (isinstance(a, Tensor) and a._requires_grad) or (isinstance(b, Tensor) and b._requires_grad)):
            record = record_left if number_first else record_pair if isinstance(b, Tensor) else record_right
            record(result, a, b, changed)
        return result
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise {name} of `input` and `other`, broadcasting (as torch.{name})."
    general = profiled("aten::" + name)(op)
    if compose is not None or entry.saves_result or divides or forward is not None:
        return general
    # The common call straight through: one dtype the kernel computes as it is (no promotion, no refusal),
    # a number only where its node is the tensor pair's (no backward, or the same class) and the kernel
    # computes it as it is (not float16 by a number, which PyTorch takes as a float: operands() rounds it).
    pair_node, right_node = nodes[:2]
    right = entry.gradients[1] if entry.gradients is not None else None
    number_node = right_node if right is not None and right.saving is None and not right.number else None
    dtypes = frozenset(d for d in (_dtype.ALL if bool_result else FLOATS) if d.name not in refuses)
    numeric = dtypes & FLOATS if numbers != "none" and (
        pair_node is right_node or number_node is not None or not entry.differentiable) else ()
    numeric = frozenset(numeric) - {_float16}
    if entry.gradients is not None:
        saving = entry.gradients[0].saving
    else:
        saving = lambda a, b, result: (a, b, None)  # noqa: E731
    return straight_binary(general, kernel_name, pair_node if entry.differentiable else None, saving, dtypes,
                           numeric, _bool if bool_result else None, swapped, number_node)


def _has_zero(device, divisor) -> bool:
    """Whether an integer divisor number is zero; a buffer is checked by `_checks.check_no_zero` (raising
    now on the CPU, at the next synchronisation on a device with a queue)."""
    if not hasattr(divisor, "shape"):
        return divisor == 0
    _checks.check_no_zero(device, divisor)
    return False


def build_binary(entries) -> tuple[dict, dict]:
    """(functions by name, grad_fn classes by name) for binary `entries`."""
    functions, classes = {}, {}
    for entry in entries:
        nodes = binary_nodes(entry)
        for cls in nodes:
            if cls.__name__ != "NotImplemented":
                classes[cls.__name__] = cls
        function = binary_function(entry, nodes)
        for name in (entry.name, *entry.aliases):
            functions[name] = function
    return functions, classes
