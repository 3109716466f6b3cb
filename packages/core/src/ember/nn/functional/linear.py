"""`linear`: y = x Wᵀ + b, through one addmm (AddmmBackward0) for 2-D inputs, as PyTorch records it (the
device's fused ``addmm`` kernel when it has one)."""

from __future__ import annotations

from ember import _dtype, _profiling
from ember._ops.dispatch import profiled
from ember._ops.fused import fused
from ember._ops.views import TBackward0, permute_buffer, transposed_edge
from ember._tensor import Tensor, wrap
from ember.autograd import grad_mode
from ember.autograd.node import (
    NO_EDGE,
    Node,
    accumulator,
    attach,
    cross_saved,
    input_edges,
    needs_input_grad,
    new_node,
    record_edges,
)

# dtypes whose sums and products the kernels give as the ops would (float16 sums accumulate in float32)
_BUFFER_DTYPES = (_dtype.float32, _dtype.float64)


def _like(saved: Tensor | None, grad: Tensor) -> bool:
    """Whether a saved operand (None when its product is not needed) has `grad`'s dtype and device."""
    return saved is None or (saved._dtype is grad._dtype and saved._device is grad._device)


class AddmmBackward0(Node):
    """Gradients of bias + mat1 @ mat2, with mat2 = weight.t() (saved as weight, to use it untransposed)."""

    def backward(self, grad: Tensor) -> tuple:
        mat1, weight = self.saved_tensors
        if not grad_mode.state.enabled and not _profiling.enabled and grad._dtype in _BUFFER_DTYPES and \
                _like(mat1, grad) and _like(weight, grad):
            return self._on_buffers(grad, mat1, weight)
        grad_bias = None
        if needs_input_grad(self, 0):
            # A 1-D bias (its gradient's shape, in `_input_meta`) was broadcast over the rows; other shapes are
            # summed back by the engine.
            grad_bias = grad.sum(0) if len(self._input_meta[0][0]) == 1 else grad
        return (
            grad_bias,
            grad.matmul(weight) if needs_input_grad(self, 1) else None,
            # (grad.t() @ mat1).t(): after TBackward0 the weight's gradient is a contiguous array that
            # AccumulateGrad can keep as it is, where mat1.t() @ grad would need a transposing copy.
            grad.t().matmul(mat1).t() if needs_input_grad(self, 2) else None,
        )

    def _on_buffers(self, grad: Tensor, mat1: Tensor, weight: Tensor) -> tuple:
        """The same gradients from the same kernel calls on buffers, each wrapped once: without create_graph
        (nothing to record) or a profiler (no op events to give), the transposes need no view tensors."""
        device, dtype, g = grad._device, grad._dtype, grad._data
        k = device.kernels
        (bias_node, _), (mat1_node, _), (mat2_node, _) = self.next_functions  # None: no gradient wanted
        grad_bias = grad_mat1 = grad_mat2 = None
        if bias_node is not None:
            grad_bias = wrap(k.sum(g, (0,), False), dtype, device) if len(self._input_meta[0][0]) == 1 else grad
        if mat1_node is not None:
            grad_mat1 = wrap(k.matmul(g, weight._data), dtype, device)
        if mat2_node is not None:
            product = k.matmul(permute_buffer(device, g, (1, 0)), mat1._data)
            transposed = permute_buffer(device, product, (1, 0))
            grad_mat2 = wrap(transposed, dtype, device)
            if mat2_node._plain and mat2_node.__class__ is TBackward0:  # no hook sees what it is handed
                mat2_node._untransposed = (transposed, product)
        return grad_bias, grad_mat1, grad_mat2


def _check(input: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    if input.__class__ is Tensor and isinstance(weight, Tensor) and isinstance(bias, Tensor) and \
            weight._device is input._device is bias._device and input._dtype is weight._dtype:
        shape, weight_shape = input._data.shape, weight._data.shape
        if len(weight_shape) == 2 and shape and weight_shape[1] == shape[-1]:
            return  # a layer's parameters on a plain tensor (the training step's case): all checks hold
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        bad = "input" if not isinstance(input, Tensor) else "weight"
        value = input if bad == "input" else weight
        raise TypeError(f"linear(): argument '{bad}' must be Tensor, not {type(value).__name__}")
    devices = [t._device for t in (weight, bias) if t is not None and t._device is not input._device]
    if devices:
        other = devices[0]
        raise RuntimeError(
            "Expected all tensors to be on the same device, but found at least two devices, "
            f"{input._device} and {other}! (in linear)"
        )
    if input._dtype is not weight._dtype:
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{_dtype.C_NAMES[input._dtype.name]} != {_dtype.C_NAMES[weight._dtype.name]}"
        )
    in_features = input._data.shape[-1] if input._data.shape else 1
    if weight.dim() != 2 or weight._data.shape[1] != in_features:
        rows = input.numel() // in_features if in_features else 0
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{in_features} and "
            f"{'x'.join(map(str, reversed(weight._data.shape)))})"
        )


def _bias_error(bias: Tensor, target: tuple) -> RuntimeError:
    """PyTorch's error for a bias that does not expand to the (rows, out_features) product: the first
    dimension that differs, counted from the right (as ``expand`` checks them)."""
    shape, ndim = bias._data.shape, bias.dim()
    listed = ", ".join(map(str, shape))
    if ndim > len(target):
        return RuntimeError(f"expand(torch.{_dtype.LEGACY_NAMES[bias._dtype.name]}{{[{listed}]}}, size=[{target[0]}, "
                            f"{target[1]}]): the number of sizes provided (2) must be greater or equal to the number "
                            f"of dimensions in the tensor ({ndim})")
    dim = next(d for d in (1, 0) if d >= 2 - ndim and shape[d - 2 + ndim] not in (1, target[d]))
    return RuntimeError(f"The expanded size of the tensor ({target[dim]}) must match the existing size "
                        f"({shape[dim - 2 + ndim]}) at non-singleton dimension {dim}.  Target sizes: "
                        f"[{target[0]}, {target[1]}].  Tensor sizes: [{listed}]")


def _addmm(bias: Tensor, mat1: Tensor, weight: Tensor) -> Tensor:
    """bias + mat1 @ weight.t() for a 2-D ``mat1``, computed on buffers and recorded as AddmmBackward0 over
    TBackward0 for the weight, PyTorch's graph. The transposed view is made only for a profiler (which shows
    its aten::t under aten::linear); otherwise the kernel reads the weight's buffer transposed."""
    rows, out_features = mat1._data.shape[0], weight._data.shape[0]
    bias_shape = bias._data.shape
    if bias_shape != (out_features,) and \
            bias_shape not in ((1, out_features), (rows, out_features), (1,), ()):
        raise _bias_error(bias, (rows, out_features))
    profiling = _profiling.enabled
    device = mat1._device
    addmm = device.kernels.addmm
    if addmm is not None and not profiling:
        # `fused`'s call, inline (the training step's forward, once per layer): one kernel reading the transposed
        # weight from its strides, on buffers, with no tensor made for the transposed weight
        result = wrap(addmm(bias._data, mat1._data, permute_buffer(device, weight._data, (1, 0))), mat1._dtype, device)
    else:
        mat2 = weight.t() if profiling else wrap(permute_buffer(device, weight._data, (1, 0)), weight._dtype, device)
        if addmm is not None:
            result = fused(mat1, "addmm", bias, mat1, mat2)
        else:
            with grad_mode.no_grad():
                result = mat1.matmul(mat2)
                result += bias
    if profiling:
        return attach(result, AddmmBackward0, (bias, mat1, mat2), cross_saved(mat1, weight))
    if not grad_mode.state.enabled:
        return result
    found = _parameter_edges(bias, mat1, weight)
    if found is None:
        mat2_edge, mat2_meta = transposed_edge(weight)  # first, as the view's node was made before the product's
        found = input_edges((bias, mat1))
        if found is None:
            if mat2_edge is NO_EDGE:
                return result
            found = ((NO_EDGE, NO_EDGE), (None, None))
        (bias_edge, mat1_edge), (bias_meta, mat1_meta) = found
        found = (bias_edge, mat1_edge, mat2_edge), (bias_meta, mat1_meta, mat2_meta)
    next_functions, input_meta = found
    return record_edges(result, AddmmBackward0, next_functions, input_meta, cross_saved(mat1, weight))


def _parameter_edges(bias: Tensor, mat1: Tensor, weight: Tensor) -> tuple | None:
    """AddmmBackward0's edges and gradient metadata when the weight and bias are leaves that require grad (a
    layer's own parameters: the training step's case) and mat1 is not a view: what `transposed_edge` and
    `input_edges` give, without their loops, the nodes made in the same order. None in any other case."""
    if not (weight._requires_grad and bias._requires_grad and weight._grad_fn is None and bias._grad_fn is None
            and weight._base is None and bias._base is None and mat1._base is None):
        return None
    weight_shape, dtype = weight._data.shape, weight._dtype
    transposed = new_node(TBackward0, ((accumulator(weight), 0),), ((weight_shape, dtype),))
    bias_edge = (accumulator(bias), 0)
    mat1_edge: tuple = NO_EDGE
    mat1_meta: tuple | None = None
    if mat1._requires_grad:
        fn = mat1._grad_fn
        mat1_edge = (fn, mat1._output_nr) if fn is not None else (accumulator(mat1), 0)
        mat1_meta = (mat1._data.shape, mat1._dtype)
    return ((bias_edge, mat1_edge, (transposed, 0)),
            ((bias._data.shape, bias._dtype), mat1_meta, ((weight_shape[1], weight_shape[0]), dtype)))


@profiled("aten::linear")
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``(*, in_features) @ weight(out_features, in_features)ᵀ + bias(out_features)``."""
    _check(input, weight, bias)
    if bias is None:
        return input.matmul(weight.t())
    if len(input._data.shape) == 2:
        return _addmm(bias, input, weight)
    output = _addmm(bias, input.reshape(-1, weight._data.shape[1]), weight)
    return output.view(*input._data.shape[:-1], weight._data.shape[0])
