"""Loss functions: mse_loss, l1_loss, binary_cross_entropy(_with_logits), nll_loss, cross_entropy.

Each node is named as PyTorch names it. Forward values are ember ops run under no_grad, or the device's
fused optional kernels (through `ember._ops.fused`, the one place a loss calls a kernel); every backward is written
with differentiable ember ops, or a fused backward kernel when no graph of the gradient is recorded.
"""

from __future__ import annotations

import math
import warnings

import ember
from ember import _checks, _dtype
from ember._ops.activation import SoftmaxBackward0
from ember._ops.dispatch import broadcast_error, broadcast_shapes, operands, profiled
from ember._ops.fused import fused as _fused
from ember._ops.fused import has as _has
from ember._ops.indexing import _index_backward, index_in_range
from ember._ops.views import iterator_layout
from ember._tensor import Tensor, wrap
from ember.autograd import grad_mode
from ember.autograd.node import _FREED, Node, _unpack, attach, needs_grad, needs_input_grad, record, record_edges
from ember.nn import _reduction
from ember.nn.functional._common import check_not_differentiable, type_name
from ember.nn.functional.activation import log_softmax


def _reduction_of(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """The checked reduction a loss function applies, the legacy flags taking precedence when given."""
    if size_average is not None or reduce is not None:
        reduction = _reduction.resolve(size_average, reduce, reduction)
    _reduction.check(reduction)
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _pointwise_operands(
    input: Tensor, target: Tensor, size_average: bool | None, reduce: bool | None, reduction: str
) -> tuple[Tensor, Tensor, str]:
    """mse/l1's (input, target, reduction): the pair broadcast to one shape, with PyTorch's size warning."""
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
            "This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            stacklevel=3,
        )
    reduction = _reduction_of(size_average, reduce, reduction)
    input, target = _broadcast_pair(input, target)
    return input, target, reduction


def _broadcast_pair(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """Expand input and target to their common shape (each left as is when already that shape)."""
    shape = broadcast_shapes(input._data.shape, target._data.shape)
    if shape is None:
        raise RuntimeError(_mismatch_message(input._data.shape, target._data.shape))
    if input._data.shape != shape:
        input = input.expand(shape)
    if target._data.shape != shape:
        target = target.expand(shape)
    return input, target


def _mismatch_message(a: tuple, b: tuple) -> str:
    """PyTorch's message for shapes `a` and `b` that do not broadcast together."""
    return str(broadcast_error(None, (a, b)))


def _elementwise_weighted(errors: Tensor, weight: Tensor, reduction: str) -> Tensor:
    """PyTorch's weighted mse/l1: ``sum(errors * weight)`` over ``sum(weight)`` for the mean."""
    if weight.shape != errors.shape:
        raise ValueError("Weights and input must have the same size.")
    weighted = errors * weight
    if reduction == "mean":
        return weighted.sum() / weight.sum()
    return weighted.sum() if reduction == "sum" else weighted


# ----- mse_loss -----------------------------------------------------------------------------------------
class MseLossBackward0(Node):
    reduction: str

    def backward(self, grad: Tensor) -> tuple:
        input, target = self.saved_tensors
        count = input.numel()
        scale = (2.0 / count if count else math.nan) if self.reduction == "mean" else 2.0
        if target._dtype is not grad._dtype:  # a bool or integer target, promoted as in the forward
            target = target.to(grad._dtype)
        if grad_mode.state.enabled:  # create_graph: PyTorch's node for each gradient
            from ember.nn.functional.mse_double_backward import mse_loss_backward
            return (mse_loss_backward(grad, input, target, scale) if needs_input_grad(self, 0) else None,
                    mse_loss_backward(grad, target, input, scale) if needs_input_grad(self, 1) else None)
        if _has(grad, "mse_loss_backward") and input._dtype is grad._dtype:
            grad_input = _fused(grad, "mse_loss_backward", grad, input, target, scale)
        else:
            grad_input = (input - target) * scale * grad
        return (
            grad_input if needs_input_grad(self, 0) else None,
            -grad_input if needs_input_grad(self, 1) else None,
        )


@profiled("aten::mse_loss")
def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Squared error (input - target)², averaged ('mean'), summed ('sum') or elementwise ('none')."""
    input, target, reduction = _pointwise_operands(input, target, size_average, reduce, reduction)
    if weight is not None:
        return _elementwise_weighted((input - target) ** 2, weight, reduction)
    _, _, dtype = operands(input, target, "mse_loss")
    with grad_mode.no_grad():
        if _has(input, "mse_loss"):
            loss = _fused(input, "mse_loss", input.to(dtype), target.to(dtype), reduction)
            if len(loss._data.shape) > 1:  # laid out as PyTorch's input - target, whatever the kernel chose
                loss._data = iterator_layout(input._device, loss._data, dtype, (input, target))
        else:  # in the result dtype first: a bool target subtracts as a number, as in the fused kernel
            difference = input.to(dtype) - target.to(dtype)
            loss = _reduce(difference * difference, reduction)
    return attach(_result(loss), MseLossBackward0, (input, target), (input, target), reduction=reduction)


@profiled("aten::l1_loss")
def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Absolute error |input - target|, reduced; composed of sub, abs and mean/sum as in PyTorch."""
    input, target, reduction = _pointwise_operands(input, target, size_average, reduce, reduction)
    errors = (input - target).abs()
    if weight is not None:
        return _elementwise_weighted(errors, weight, reduction)
    return _reduce(errors, reduction)


# ----- binary_cross_entropy ------------------------------------------------------------------------------
def _elementwise_grad(grad: Tensor, input: Tensor, weight: Tensor | None, reduction: str) -> Tensor:
    """The gradient reaching each element of a weighted, reduced elementwise loss."""
    if reduction == "mean":
        grad = grad / input.numel()
    return grad if weight is None else grad * weight


class BinaryCrossEntropyBackward0(Node):
    reduction: str

    def backward(self, grad: Tensor) -> tuple:
        input, target, weight = self.saved_tensors
        grad = _elementwise_grad(grad, input, weight, self.reduction)
        grad_input = grad_target = None
        if needs_input_grad(self, 0):
            grad_input = grad * (input - target) / ((1 - input) * input).clamp(min=1e-12)
            if grad_mode.state.enabled:
                wrapped = Tensor._make(grad_input._data, grad_input._dtype, grad_input._device)
                grad_input = attach(wrapped, BinaryCrossEntropyBackwardBackward0, (grad_input,), (target, weight))
        if needs_input_grad(self, 1):  # PyTorch's binary_cross_entropy_target_backward: -logit(x)
            grad_target = grad * -input.logit()
        return grad_input, grad_target


class BinaryCrossEntropyBackwardBackward0(Node):
    """binary_cross_entropy's input gradient under create_graph, named as PyTorch's: the upstream gradient
    goes on through the gradient's own graph; the node keeps the target and weight, as PyTorch's does, for
    their versions."""

    def backward(self, grad: Tensor) -> Tensor:
        _target, _weight = self.saved_tensors  # unpacked to refuse a target or weight changed in place since
        return grad


def _check_probabilities(x: Tensor) -> None:
    """PyTorch's error for an input outside [0, 1] (or NaN): now on the CPU, at the next synchronisation on a
    device with a queue (ember._checks)."""
    if 0 not in x._data.shape:
        _checks.check_extremes(x._device, x._data, _judge_probabilities)


def _judge_probabilities(smallest: float, largest: float) -> None:
    if not (smallest >= 0 and largest <= 1):
        raise RuntimeError("all elements of input should be between 0 and 1")


@profiled("aten::binary_cross_entropy")
def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """-w (t log(x) + (1 - t) log(1 - x)) for probabilities x, as PyTorch's kernel computes it:
    ``(t - 1) * max(log1p(-x), -100) - t * max(log(x), -100)``."""
    reduction = _reduction_of(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) is "
            "deprecated. Please ensure they have the same size."
        )
    if target._dtype is not input._dtype:
        raise RuntimeError(f"Found dtype {type_name(target)} but expected {type_name(input)}")
    check_not_differentiable("binary_cross_entropy", "weight", weight)
    _check_probabilities(input)
    with grad_mode.no_grad():
        # PyTorch's kernel's formula, whose rounding (and sign of zero: -0 - -0 is +0) it gives exactly; the
        # input first in each product, as its kernel's iterator takes it first (a transposed input's layout)
        losses = (-input).log1p().clamp(min=-100.0) * (target - 1) - input.log().clamp(min=-100.0) * target
        if weight is not None:
            losses = losses * weight.to(input._dtype).expand(input.shape)
        result = _result(_reduce(losses, reduction))
    return attach(
        result, BinaryCrossEntropyBackward0, (input, target), (input, target, weight), reduction=reduction
    )


# ----- binary_cross_entropy_with_logits --------------------------------------------------------------------
def _log_sigmoid(x: Tensor) -> Tensor:
    """log(sigmoid(x)) = -(max(-x, 0) + log(1 + exp(-|x|))), in differentiable ops."""
    return -((-x).clamp(min=0) + (-x.abs()).exp().add(1).log())


class BinaryCrossEntropyWithLogitsBackward0(Node):
    reduction: str

    def backward(self, grad: Tensor) -> tuple:
        input, target, weight, pos_weight = self.saved_tensors
        grad = _elementwise_grad(grad, input, weight, self.reduction)
        grad_input = grad_target = None
        if needs_input_grad(self, 0):
            if pos_weight is None:
                grad_input = (input.sigmoid() - target) * grad
            else:
                log_weight = (pos_weight - 1) * target + 1
                grad_input = (log_weight * input.sigmoid() - pos_weight * target) * grad
        if needs_input_grad(self, 1):
            if pos_weight is None:
                grad_target = -input * grad
            else:
                grad_target = ((1 - pos_weight) * _log_sigmoid(input) - input) * grad
        return grad_input, grad_target


def _bce_with_logits_losses(x: Tensor, t: Tensor, pos_weight: Tensor | None) -> Tensor:
    """Elementwise (1 - t) x + l (max(-x, 0) + log(1 + exp(-|x|))), l = 1 + (pos_weight - 1) t."""
    if pos_weight is None and _has(x, "binary_cross_entropy_with_logits"):
        losses = _fused(x, "binary_cross_entropy_with_logits", x, t)
        if len(losses._data.shape) > 1:  # laid out as PyTorch's first term, (1 - t), whatever the kernel chose
            losses._data = iterator_layout(x._device, losses._data, x._dtype, (t,))
        return losses
    softplus_neg = (-x).clamp(min=0.0) + (-x.abs()).exp().add(1.0).log()
    if pos_weight is not None:
        softplus_neg = ((pos_weight - 1.0) * t + 1.0) * softplus_neg
    return (1.0 - t) * x + softplus_neg


@profiled("aten::binary_cross_entropy_with_logits")
def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """binary_cross_entropy(input.sigmoid(), target) computed stably from logits.

    ``pos_weight`` (broadcast over the last dim) weighs the positive term, ``weight`` each element.
    """
    reduction = _reduction_of(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    if not target._dtype.is_floating_point and input._dtype.is_floating_point:
        raise RuntimeError(
            f"result type {type_name(input)} can't be cast to the desired output type {type_name(target)}"
        )
    check_not_differentiable("binary_cross_entropy_with_logits", "weight", weight)
    check_not_differentiable("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    _, _, dtype = operands(input, target, "binary_cross_entropy_with_logits")
    with grad_mode.no_grad():
        losses = _bce_with_logits_losses(input.to(dtype), target.to(dtype),
                                         None if pos_weight is None else pos_weight.to(dtype))
        if weight is not None:
            losses = losses * weight.to(dtype)
        result = _result(_reduce(losses, reduction))
    return attach(
        result,
        BinaryCrossEntropyWithLogitsBackward0,
        (input, target),
        (input, target, weight, pos_weight),
        reduction=reduction,
    )


# ----- nll_loss and cross_entropy ----------------------------------------------------------------------
class NllLossBackward0(Node):
    """Gradient of -w[t] x[t] (over the total weight for a mean): the scaled weights, scattered to x[t]."""

    shape: tuple
    key: tuple
    kept: object  # the buffer of the targets that are not ignore_index

    def backward(self, grad: Tensor) -> Tensor:
        scaled_weights, input, target, weight = self.saved_tensors  # all checked against in-place changes
        if 0 in self.shape:  # an empty input (no classes, or no rows): nothing to scatter into
            grad_input = ember.zeros(self.shape, dtype=grad.dtype, device=grad.device)
        else:  # an ignored target's gradient is 0, not 0 * grad (PyTorch skips it: a NaN grad stays out)
            kept = Tensor._make(self.kept, _dtype.bool_, grad.device)
            grad_input = _index_backward(ember.where(kept, scaled_weights * grad, 0.0), self.shape, self.key)
        if not grad_mode.state.enabled:
            return grad_input
        wrapped = Tensor._make(grad_input._data, grad_input._dtype, grad_input._device)
        return attach(wrapped, NllLossBackwardBackward0, (grad_input, input), (target, weight))


class NllLoss2DBackward0(NllLossBackward0):
    pass


class NllLossBackwardBackward0(Node):
    """nll_loss's gradient under create_graph, recorded over the loss's input as well (as PyTorch's, so that
    the gradient requires grad): the upstream gradient goes on through the gradient's own graph; the
    input's derivative is 0. It keeps the target and weight, as PyTorch's does, for their versions."""

    def backward(self, grad: Tensor) -> tuple:
        _target, _weight = self.saved_tensors  # unpacked to refuse a target or weight changed in place since
        shape, dtype = self._input_meta[1]
        return grad, ember.zeros(shape, dtype=dtype, device=grad.device)


def _check_nll(input: Tensor, target: Tensor, weight: Tensor | None) -> int:
    """Validate nll_loss's arguments as PyTorch does; returns the number of classes."""
    shape, target_shape = input._data.shape, target._data.shape
    if len(shape) == 2 and len(target_shape) == 1 and shape[0] == target_shape[0] and weight is None and \
            target._dtype is _dtype.int64:
        return shape[1]  # the training step's (N, C) logits and (N,) targets, which pass every check below
    ndim, target_ndim = len(shape), len(target_shape)
    if ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {ndim})")
    if target._dtype is not _dtype.int64:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {type_name(target)}")
    if ndim == 1:
        if target_ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if target_ndim == 1 and target_shape[0] != 1:
            raise ValueError(
                f"For 1D input, 1D target must have size 1, but got target size: {target_shape[0]}"
            )
    elif target_ndim == 0 or shape[0] != target_shape[0]:
        batch = 1 if target_ndim == 0 else target_shape[0]
        raise ValueError(
            f"Expected input batch_size ({shape[0]}) to match target batch_size ({batch})."
        )
    elif shape[2:] != target_shape[1:]:
        expected = [shape[0], *shape[2:]]
        raise RuntimeError(f"Expected target size {expected}, got {list(target_shape)}")
    num_classes = shape[0 if ndim == 1 else 1]
    if weight is not None:
        if weight.numel() != num_classes:
            raise RuntimeError(
                f"weight tensor should be defined either for all {num_classes} classes or no classes but got "
                f"weight tensor of shape: {list(weight._data.shape)}"
            )
        if weight._dtype is not input._dtype:
            raise RuntimeError(f"expected scalar type {type_name(input)} but found {type_name(weight)}")
    return num_classes


def _target_key(safe_target: Tensor, input_dim: int) -> tuple:
    """The index of x[n, t[n, d...], d...] in the input: aranges around the class position."""
    if input_dim == 1:
        return (safe_target,)
    shape, device = safe_target._data.shape, safe_target._device
    key = [ember.arange(size, device=device).view([size if j == i else 1 for j in range(len(shape))])
           for i, size in enumerate(shape)]
    return (key[0], safe_target, *key[1:])


_UNCHECKED = object()


def _safe_targets(target: Tensor, kept: Tensor, ignore_index: int, num_classes: int, ignored=_UNCHECKED) -> Tensor:
    """The targets checked (ember._checks; unless `ignored`, the check's answer, is given), with ignored
    ones set to class 0. On a device with a queue a bad target raises at the next synchronisation:
    meanwhile they are clamped into [0, num_classes), so that no kernel reads out of bounds."""
    if ignored is _UNCHECKED:
        ignored = _checks.check_targets(target._device, target._data, ignore_index, num_classes) \
            if 0 not in target._data.shape else False
    safe_target = ember.where(kept, target, 0)
    return safe_target.clamp(0, num_classes - 1) if ignored is None and num_classes else safe_target


def _target_weights(target: Tensor, weight: Tensor | None, ignore_index: int, num_classes: int, dtype) -> tuple:
    """(safe_target, w[t], kept): targets with ignored ones set to class 0, their weights (0 when
    ignored), and the mask of the targets that are not ``ignore_index``."""
    kept = target != ignore_index
    safe_target = _safe_targets(target, kept, ignore_index, num_classes)
    if weight is None:
        return safe_target, kept.to(dtype), kept
    if not num_classes:  # every target is ignored: no weight to pick
        return safe_target, ember.zeros(safe_target.shape, dtype=dtype, device=target.device), kept
    return safe_target, ember.where(kept, weight[safe_target], 0.0), kept


def _weighted_reduce(losses: Tensor, target_weight: Tensor, kept: Tensor, reduction: str) -> tuple:
    """(loss, d loss / d picked log-probability): the mean divides by the total weight of the targets;
    an ignored target's gradient is 0 even when that total is 0 (PyTorch's; a kept one's is then NaN)."""
    if reduction == "none":
        return losses, -target_weight
    if reduction == "sum":
        return losses.sum(), -target_weight
    total_weight = target_weight.sum()
    return losses.sum() / total_weight, ember.where(kept, target_weight / -total_weight, 0.0)


def _nll_forward(
    input: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int, reduction: str, node_cls: type
) -> Tensor:
    """nll_loss on (C,), (N, C) or (N, C, d1, ...) log-probabilities, recorded as ``node_cls``."""
    num_classes = _check_nll(input, target, weight)
    check_not_differentiable("nll_loss_forward", "weight", weight)
    with grad_mode.no_grad():
        safe_target, target_weight, kept = _target_weights(target, weight, ignore_index, num_classes, input._dtype)
        key = _target_key(safe_target, input.dim())
        # With no classes every target is ignored (else the target check raised): nothing to pick.
        picked = index_in_range(input.detach(), key) if num_classes else \
            ember.zeros(safe_target.shape, dtype=input._dtype, device=input.device)
        # An ignored target contributes exactly 0, even where its log-probability is infinite or NaN; PyTorch
        # takes a 1-D input's loss as 0 - x[t] w[t] (+0, not -0, for a zero log-probability).
        weighted = picked * target_weight
        losses = ember.where(kept, 0.0 - weighted if input.dim() == 1 else -weighted, 0.0)
        loss, scaled_weights = _weighted_reduce(losses, target_weight, kept, reduction)
        if input._dtype is _dtype.float16 and reduction != "none":  # PyTorch's sum, in float16
            from ember.nn.functional.cascade_sum import cascade_sum
            loss = cascade_sum(losses, kept)
            if reduction == "mean":
                total = kept.sum().to(loss.dtype) if weight is None and input.dim() <= 2 else \
                    cascade_sum(target_weight, kept)
                loss, scaled_weights = loss / total, ember.where(kept, target_weight / -total, 0.0)
    # input, target and weight are kept for their versions: PyTorch's backward reads them
    return attach(_result(loss), node_cls, (input,), (scaled_weights, input, target, weight),
                  shape=input._data.shape, key=tuple(k._data for k in key), kept=kept._data)


def _result(value: Tensor) -> Tensor:
    """A loss computed by ops under no_grad, as a fresh tensor for its node (never a view of an input)."""
    return Tensor._make(value._data, value._dtype, value._device)


def _fused_weighted_cross_entropy(
    input: Tensor, target: Tensor, weight: Tensor, ignore_index: int, reduction: str
) -> Tensor:
    """Cross entropy of (N, C) logits with class weights, through one ``cross_entropy`` kernel call, when
    no graph is recorded."""
    num_classes = _check_nll(input, target, weight)
    with grad_mode.no_grad():
        safe_target, target_weight, kept = _target_weights(target, weight, ignore_index, num_classes, input._dtype)
        losses = _fused(input, "cross_entropy", input, safe_target)[0]
        # -(log-probability * w) as PyTorch's nll_loss computes it: -0., not 0., for a log-probability of 0
        losses = ember.where(kept, -((0.0 - losses) * target_weight), 0.0)
        return _result(_weighted_reduce(losses, target_weight, kept, reduction)[0])


class FusedLogSoftmaxBackward0(Node):
    """The log_softmax node of a fused cross entropy (PyTorch's graph: NllLossBackward0 over
    LogSoftmaxBackward0): the nll node above it hands down the gradient w.r.t. the logits already, which
    this node passes on; unless a hook may look at the gradient between the two nodes: then the nll node
    hands down the log-probabilities' gradient and the `probabilities` this node needs for log_softmax's
    backward (under create_graph, differentiable: `FusedNllLossBackward0.differentiable`)."""

    dim = 1  # the class dim of the (N, C) logits the fused kernels take
    probabilities: Tensor | None = None

    def backward(self, grad: Tensor) -> Tensor:
        if self.probabilities is None:
            return grad
        p, self.probabilities = self.probabilities, None
        return grad - p * grad.sum(1, keepdim=True)


class FusedNllLossBackward0(Node):
    """The nll_loss node of a cross entropy computed by the fused kernels: its backward is the gradient
    w.r.t. the logits, (probs - one_hot(target)) * grad * scale, in one ``cross_entropy_backward`` call
    from the probabilities the forward kept (the log_softmax node below passes it on). Under create_graph
    it is composed of differentiable ops over those probabilities instead (`differentiable`)."""

    scale: float | Tensor  # a number, or a 0-d tensor (a mean over the targets that are kept)
    kept: Tensor | None  # the rows whose target is not ignore_index (None: all): bool, or 0. / 1. weights
    safe_target: Tensor  # the targets, ignored ones set to class 0

    def backward(self, grad: Tensor) -> Tensor:
        if self._saved is None:
            raise RuntimeError(_FREED)
        target, probabilities = _unpack(self, self._saved[0]), _unpack(self, self._saved[1])
        log_softmax = self.next_functions[0][0]
        if grad_mode.state.enabled:
            probabilities = self.differentiable(probabilities)
        if self._hooks or log_softmax._hooks or log_softmax._pre_hooks:
            # A hook sees the gradient between the nodes: PyTorch's, w.r.t. the log-probabilities.
            log_softmax.probabilities = probabilities
            return ember.where(_targets(target, probabilities.shape[1]), -self._rows(grad), 0.0)
        if grad_mode.state.enabled:
            one_hot = _targets(target, probabilities.shape[1]).to(grad.dtype)
            return (probabilities - one_hot) * self._rows(grad)
        # the kernel called directly, without `_fused`'s generic unwrapping: every training step's backward
        scale, kept = self.scale, self.kept
        return wrap(grad._device.kernels.cross_entropy_backward(
            grad._data, probabilities._data, self.safe_target._data,
            scale._data if isinstance(scale, Tensor) else scale, None if kept is None else kept._data),
            grad._dtype, grad._device)

    def differentiable(self, probabilities: Tensor) -> Tensor:
        """The forward's probabilities as the output of a softmax node over the logits as they were then:
        PyTorch's graph keeps the log-probabilities, never the logits, so a later in-place change of the
        logits neither changes the gradient nor is refused."""
        log_softmax = self.next_functions[0][0]
        result = _result(probabilities)
        return record_edges(result, SoftmaxBackward0, log_softmax.next_functions, log_softmax._input_meta,
                            (result,), {"dim": 1})

    def _rows(self, grad: Tensor) -> Tensor:
        """The upstream gradient of each row's loss, as a (N, 1) column (0 for ignored rows)."""
        rows = grad * self.scale
        if self.kept is not None:
            rows = ember.where(self.kept.bool(), rows, 0.0)
        return rows.unsqueeze(1) if rows.dim() else rows


def _targets(target: Tensor, classes: int) -> Tensor:
    """(N, classes) bool rows, True at each row's target."""
    return ember.arange(classes, device=target.device) == target.unsqueeze(1)


FusedLogSoftmaxBackward0.__name__ = FusedLogSoftmaxBackward0.__qualname__ = "LogSoftmaxBackward0"
FusedNllLossBackward0.__name__ = FusedNllLossBackward0.__qualname__ = "NllLossBackward0"


def _host_checked_losses(input: Tensor, target: Tensor, ignore_index: int, reduction: str) -> tuple:
    """(loss, probabilities, scale, kept, safe_target) with the targets checked by ``ember._checks``; the loss
    a fresh tensor (see `_result`)."""
    rows, num_classes = input._data.shape  # neither is 0
    kept, safe_target = None, target
    ignored = _checks.check_targets(input._device, target._data, ignore_index, num_classes)
    if ignored is False and reduction != "none" and input._dtype in _SUMMED_ON_BUFFERS:
        # The training step's common case, its kernels called directly (each result wrapped once, where
        # `_fused` and the ops would wrap the per-row losses, and the loss twice): the sum (and mean) are the
        # very kernel calls those ops make.
        device = input._device
        kernels = device.kernels
        losses, probabilities = kernels.cross_entropy(input._data, target._data)
        total = kernels.sum(losses, (0,), False)
        if reduction == "mean":
            total = kernels.div(total, rows)
        return wrap(total, input._dtype, device), wrap(probabilities, input._dtype, device), \
            1.0 / rows if reduction == "mean" else 1.0, kept, safe_target
    if ignored is not False:
        kept = target != ignore_index
        safe_target = _safe_targets(target, kept, ignore_index, num_classes, ignored)
    losses, probabilities = _fused(input, "cross_entropy", input, safe_target)
    if kept is not None:
        losses = ember.where(kept, losses, 0.0)
    scale = 1.0
    if reduction == "sum":
        losses = losses.sum()
    elif reduction == "mean":
        count = rows if kept is None else kept.to(input._dtype).sum()
        losses = losses.sum() / count
        scale = 1.0 / count
    return _result(losses), probabilities, scale, kept, safe_target


# dtypes whose sum the ``sum`` kernel gives as the op does (float16's op accumulates in float32)
_SUMMED_ON_BUFFERS = (_dtype.float32, _dtype.float64)


def _device_checked_losses(input: Tensor, target: Tensor, ignore_index: int, reduction: str) -> tuple:
    """(loss, probabilities, scale, kept) from ``cross_entropy_checked`` (the loss a fresh tensor), whose
    flags core defers one check on (or which adds to the pending flags of an earlier call); kept is the
    per-row weight (0 for an ignored target). A mean is one sum of the losses and weights (its (2, N) rows), a
    division and the reciprocal the backward scales by: 4 kernel calls in all."""
    device, n = input._device, input._data.shape[0]
    earlier = _checks.pending_flags(device, n)
    rows, probabilities, flags = _fused(input, "cross_entropy_checked", input, target, ignore_index, earlier)
    _checks.defer_flagged_targets(device, flags._data, n)  # an int64 buffer: only its data
    losses, kept = rows[0], rows[1]
    scale: float | Tensor = 1.0
    if reduction == "sum":
        losses = losses.sum()
    elif reduction == "mean":
        total, count = rows.sum(1)
        losses, scale = total / count, count.reciprocal()
    return _result(losses), probabilities, scale, kept


def _fused_cross_entropy(input: Tensor, target: Tensor, ignore_index: int, reduction: str) -> Tensor:
    """Cross entropy of (N, C) logits without class weights through the ``cross_entropy`` kernel (and,
    for the gradient, ``cross_entropy_backward``): with targets checked on the host and none ignored (the
    CPU's common case), the forward is that kernel and the reduction, the backward one kernel call. On a
    device with a queue and ``cross_entropy_checked``, the kernel checks the targets itself: one pending
    check, no mask or clamp of the targets."""
    _check_nll(input, target, None)
    state = grad_mode.state
    recording, state.enabled = state.enabled, False
    try:
        if _checks.queued(input._device) and _has(input, "cross_entropy_checked"):
            losses, probabilities, scale, kept = _device_checked_losses(input, target, ignore_index, reduction)
            safe_target = target
        else:
            losses, probabilities, scale, kept, safe_target = _host_checked_losses(input, target, ignore_index,
                                                                                   reduction)
    finally:
        state.enabled = recording
    if not (recording and input._requires_grad):
        return losses
    # The log-probabilities are never computed: the tensor standing for them between the two nodes (which
    # no user can reach) holds the probabilities' buffer, for its shape and dtype. Both nodes are recorded
    # without `attach`'s checks (grad mode is on, the input floating) and the nll node over the one edge it
    # has, found here: this runs once per training step.
    log_probabilities = record(_result(probabilities), FusedLogSoftmaxBackward0, (input,))
    result = record_edges(losses, FusedNllLossBackward0, ((log_probabilities._grad_fn, 0),),
                          ((probabilities._data.shape, probabilities._dtype),), (target, probabilities))
    node = result._grad_fn  # its attributes set here, without record_edges' dict and loop
    node.scale, node.kept, node.safe_target = scale, kept, safe_target
    return result


def _check_floating(input: Tensor, op: str) -> None:
    """Log-probabilities and logits are floating point: PyTorch has no integer kernel for them."""
    if not input._dtype.is_floating_point:
        raise NotImplementedError(f"\"{op}\" not implemented for '{type_name(input)}': the input must be "
                                  f"floating point (got {input._dtype} of shape {list(input._data.shape)})")


@profiled("aten::nll_loss_nd")
def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log likelihood -w[t] x[t] of class indices ``target`` given log-probabilities ``input``.

    Shapes: input (C,) with target (), (N, C) with (N,), or (N, C, d1, ...) with (N, d1, ...). The
    mean divides by the summed weights of the targets that are not ``ignore_index``.
    """
    reduction = _reduction_of(size_average, reduce, reduction)
    _check_floating(input, "nll_loss")
    if input.dim() in (1, 2):
        return _nll_forward(input, target, weight, ignore_index, reduction, NllLossBackward0)
    if input.dim() == 4:
        return _nll_forward(input, target, weight, ignore_index, reduction, NllLoss2DBackward0)
    _check_nll(input, target, weight)
    # Other ranks go through the 2-D (N, C, 1, -1) layout, as PyTorch's nll_loss_nd does.
    n, c = input._data.shape[:2]
    out_shape = (n, *input._data.shape[2:])
    flat_input = input.contiguous().view(n, c, 1, -1) if input.numel() else input.view(n, c, 0, 0)
    flat_target = target.contiguous().view(n, 1, -1) if target.numel() else target.view(n, 0, 0)
    loss = _nll_forward(flat_input, flat_target, weight, ignore_index, reduction, NllLoss2DBackward0)
    return loss if reduction != "none" else loss.view(out_shape)


@profiled("aten::cross_entropy_loss")
def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross entropy of logits: nll_loss(log_softmax(input, class dim), target).

    ``target`` holds class indices (shape of input without the class dim) or class probabilities (the
    shape of input). ``label_smoothing`` mixes the target with the uniform distribution.
    """
    reduction = _reduction_of(size_average, reduce, reduction)
    _check_floating(input, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    shape = input._data.shape
    class_dim = 0 if len(shape) == 1 else 1
    if target._data.shape == shape:
        if not target._dtype.is_floating_point:
            raise RuntimeError(
                f"Expected floating point type for target with class probabilities, got {type_name(target)}"
            )
        return _cross_entropy_probabilities(input, target, weight, reduction, label_smoothing, class_dim)
    # float16 keeps the composition (with or without grad): log_softmax and nll_loss round it as PyTorch's CPU
    # kernels, where the fused kernel would compute in float16. (`_has` and `needs_grad` inline: this runs once
    # per training step.)
    kernels = input._device.kernels
    if len(shape) == 2 and shape[0] and shape[1] and label_smoothing == 0 and kernels.cross_entropy is not None \
            and input._dtype is not _dtype.float16:
        if weight is None and (not (input._requires_grad and grad_mode.state.enabled)
                               or kernels.cross_entropy_backward is not None):
            return _fused_cross_entropy(input, target, ignore_index, reduction)
        if weight is not None and not needs_grad((input, weight)):
            return _fused_weighted_cross_entropy(input, target, weight, ignore_index, reduction)
    log_probabilities = log_softmax(input, class_dim)
    loss = nll_loss(log_probabilities, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing > 0:
        loss = _smooth(
            loss, log_probabilities, target, weight, ignore_index, reduction, label_smoothing, class_dim
        )
    return loss


def _weighted_by_class(values: Tensor, weight: Tensor, class_dim: int) -> Tensor:
    """``values`` times the per-class ``weight``, broadcast along ``class_dim``."""
    shape = [1] * values.dim()
    shape[class_dim] = values.shape[class_dim]
    return values * weight.view(shape)


def _smooth(
    loss: Tensor,
    log_probabilities: Tensor,
    target: Tensor,
    weight: Tensor | None,
    ignore_index: int,
    reduction: str,
    label_smoothing: float,
    class_dim: int,
) -> Tensor:
    """PyTorch's label smoothing: (1 - ε) nll + ε/C times the (weighted) sum of -log-probabilities."""
    num_classes = log_probabilities.shape[class_dim]
    ignored = target == ignore_index
    if weight is not None:
        smooth_loss = -_weighted_by_class(log_probabilities, weight, class_dim).sum(class_dim)
    else:
        smooth_loss = -log_probabilities.sum(class_dim)
    smooth_loss = ember.where(ignored, 0.0, smooth_loss)
    if reduction == "mean":
        if weight is not None:
            kept_targets = ember.where(ignored, 0, target)
            smooth = smooth_loss.sum() / ember.where(ignored, 0.0, weight[kept_targets]).sum()
        else:
            smooth = smooth_loss.sum() / (~ignored).sum()
    elif reduction == "sum":
        smooth = smooth_loss.sum()
    else:
        smooth = smooth_loss
    return (1 - label_smoothing) * loss + smooth * _per_class(label_smoothing, num_classes)


def _per_class(label_smoothing: float, num_classes: int) -> float:
    """The smoothing mass of one class; with no classes an infinite one, so the loss is NaN as PyTorch's."""
    return label_smoothing / num_classes if num_classes else math.inf


def _cross_entropy_probabilities(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None,
    reduction: str,
    label_smoothing: float,
    class_dim: int,
) -> Tensor:
    """Cross entropy against class probabilities: -sum(w_c t_c log_softmax(x)_c) over the class dim."""
    num_classes = input.shape[class_dim]
    log_probabilities = log_softmax(input, class_dim)
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + _per_class(label_smoothing, num_classes)
    products = log_probabilities * target
    if weight is not None:
        products = _weighted_by_class(products, weight, class_dim)
    if reduction == "mean":
        return -products.sum() / (input.numel() / num_classes if input.numel() else 0.0)
    if reduction == "sum":
        return -products.sum()
    return -products.sum(class_dim)
