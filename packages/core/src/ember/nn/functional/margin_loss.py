"""Margin losses on a ±1 target or on class labels: `soft_margin_loss`, `hinge_embedding_loss`,
`multi_margin_loss`, `multilabel_margin_loss` and `multilabel_soft_margin_loss`, composed of differentiable
ember ops as PyTorch's are; the three that PyTorch computes in one kernel record its node
(`SoftMarginLossBackward0`, `MultiMarginLossBackward0`, `MultilabelMarginLossBackward0`), their gradients
written in differentiable ops."""

from __future__ import annotations

import ember
from ember import _checks, _dtype
from ember._ops.dispatch import broadcast_shapes, operands, profiled
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.autograd.node import Node, attach
from ember.nn.functional._common import check_not_differentiable, type_name
from ember.nn.functional.activation import logsigmoid
from ember.nn.functional.loss import _mismatch_message, _reduce, _reduction_of, _result


def _mean_scale(reduction: str, count: int) -> float:
    """What each element's gradient is scaled by: 1 / count for a mean (NaN with no elements), else 1."""
    if reduction != "mean":
        return 1.0
    return 1.0 / count if count else float("nan")


# ----- soft_margin_loss ---------------------------------------------------------------------------------
class SoftMarginLossBackward0(Node):
    """d/dx log(1 + exp(-y x)) = -y z / (1 + z), z = exp(-y x) (NaN where z overflows, as PyTorch's)."""

    reduction: str

    def backward(self, grad: Tensor) -> Tensor:
        input, target = self.saved_tensors
        z = (-target * input).exp()
        return -target * z / (z + 1) * (grad * _mean_scale(self.reduction, input.numel()))


def _check_output_shape(input: Tensor, target: Tensor) -> None:
    """The target broadcasts to the input's shape (PyTorch writes the loss into an input-shaped output)."""
    shape = broadcast_shapes(input._data.shape, target._data.shape)
    if shape is None:
        raise RuntimeError(_mismatch_message(input._data.shape, target._data.shape))
    if shape != input._data.shape:
        raise RuntimeError(
            f"output with shape {list(input._data.shape)} doesn't match the broadcast shape {list(shape)}"
        )


@profiled("aten::soft_margin_loss")
def soft_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """log(1 + exp(-target * input)), reduced: the logistic loss of a ±1 target; in the input's dtype."""
    reduction = _reduction_of(size_average, reduce, reduction)
    check_not_differentiable("soft_margin_loss", "target", target)
    if not input._dtype.is_floating_point:
        _, _, dtype = operands(input, target, "soft_margin_loss")
        result = dtype if dtype.is_floating_point else ember.get_default_dtype()
        raise RuntimeError(f"result type {_dtype.TYPE_NAMES[result.name]} can't be cast to the desired "
                           f"output type {type_name(input)}")
    _check_output_shape(input, target)
    target = target.to(input._dtype)
    with grad_mode.no_grad():
        loss = _reduce((-target * input).exp().log1p(), reduction)
    return attach(_result(loss), SoftMarginLossBackward0, (input,), (input, target), reduction=reduction)


# ----- hinge_embedding_loss ----------------------------------------------------------------------------
@profiled("aten::hinge_embedding_loss")
def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """x where target is 1, max(0, margin - x) where it is -1 (both terms elsewhere), reduced; the margin is
    taken in the input's dtype, as PyTorch's ``margin - self``."""
    reduction = _reduction_of(size_average, reduce, reduction)
    if broadcast_shapes(target._data.shape, input._data.shape) is None:  # as PyTorch's where() says it
        raise RuntimeError(_mismatch_message(target._data.shape, input._data.shape))
    zeros = ember.zeros_like(input)
    margin_clamp = (ember.full_like(input, margin) - input).clamp_min(0)
    output_margin = ember.where(target != 1, margin_clamp, zeros)
    output_self = ember.where(target != -1, input, zeros)
    return _reduce(output_margin + output_self, reduction)


# ----- multi_margin_loss and multilabel_margin_loss: (C,) or (N, C) scores and class labels --------------------
def _check_scores(input: Tensor, kernel: str) -> None:
    """A non-empty (C,) or (N, C) float32/float64 input (a 0-d input is one class), as PyTorch's kernels."""
    ndim, shape = input.dim(), input._data.shape
    if not (ndim == 0 or (ndim == 1 and shape[0]) or (ndim == 2 and shape[1])):
        raise RuntimeError(
            f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: {list(shape)}"
        )
    if input._dtype not in (_dtype.float32, _dtype.float64):
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{type_name(input)}'")


def _check_dtype(tensor: Tensor, expected: _dtype.dtype) -> None:
    """PyTorch's error for a weight or label tensor of another dtype than its kernel takes."""
    if tensor._dtype is not expected:
        raise RuntimeError(f"expected scalar type {_dtype.TYPE_NAMES[expected.name]} but found {type_name(tensor)}")


def _check_range(target: Tensor, low: int, high: int, message: str) -> Tensor:
    """The labels checked to lie in [low, high) (ember._checks: at the next synchronisation on a device with a
    queue, where meanwhile they are clamped into range, so that no kernel reads out of bounds)."""
    if 0 in target._data.shape:
        return target

    def judge(smallest: float, largest: float) -> None:
        if smallest < low or largest >= high:
            raise RuntimeError(message)

    _checks.check_extremes(target._device, target._data, judge)
    return target.clamp(low, high - 1) if _checks.queued(target._device) else target


def _as_rows(input: Tensor) -> Tensor:
    """(N, C) scores: a (C,) input as one row, a 0-d one as one row of one class."""
    return input if input.dim() == 2 else input.reshape(1, -1)


def _is_class(labels: Tensor, num_classes: int) -> Tensor:
    """labels[..., None] == arange(C): the one-hot mask of each label (bool, one more dim)."""
    classes = ember.arange(num_classes, device=labels.device)
    return labels.unsqueeze(-1) == classes


class MultiMarginLossBackward0(Node):
    """Each violated margin z = margin - x[y] + x[d] (d != y) adds dz^p / dz, weighted by w[y] and scaled
    by 1 / C, to x[d] and takes it from x[y]."""

    p: int
    margin: float
    reduction: str

    def backward(self, grad: Tensor) -> Tensor:
        input, target, weight = self.saved_tensors
        rows, labels = _as_rows(input), target.reshape(-1)
        z, violated = _margin_violations(rows, labels, self.margin)
        slope = violated.to(grad.dtype) if self.p == 1 else ember.where(violated, 2 * z, 0.0)
        if weight is not None:
            slope = slope * weight[labels].unsqueeze(1)
        scale = _mean_scale(self.reduction, labels.numel()) / rows.shape[1]
        slope = slope * (grad.reshape(-1, 1) * scale)
        grad_rows = slope - _is_class(labels, rows.shape[1]).to(grad.dtype) * slope.sum(1, keepdim=True)
        return grad_rows.reshape(input.shape)


def _margin_violations(rows: Tensor, labels: Tensor, margin: float) -> tuple[Tensor, Tensor]:
    """(z, z > 0 away from the label): z = margin - x[y] + x[d] for every class d of every row."""
    z = margin - rows.gather(1, labels.unsqueeze(1)) + rows
    return z, (z > 0) & ~_is_class(labels, rows.shape[1])


def _check_multi_margin(input: Tensor, target: Tensor, weight: Tensor | None) -> int:
    """PyTorch's checks of multi_margin_loss's arguments; returns the number of classes."""
    _check_scores(input, "multi_margin_loss_cpu_kernel")
    samples = input._data.shape[0] if input.dim() == 2 else 1
    if target.dim() > 1 or target.numel() != samples:
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of input samples "
            f"(batch size). Expected target size [{samples}], but got {list(target._data.shape)}. Input has "
            f"shape {list(input._data.shape)}."
        )
    num_classes = input._data.shape[-1] if input.dim() else 1
    if weight is not None:
        if weight.numel() != num_classes:
            raise RuntimeError(
                f"inconsistent weight size, expected {num_classes} but got {list(weight._data.shape)}"
            )
        _check_dtype(weight, input._dtype)
    _check_dtype(target, _dtype.int64)
    return num_classes


@profiled("aten::multi_margin_loss")
def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-class hinge loss: sum over d != y of w[y] max(0, margin - x[y] + x[d])^p / C per sample, for
    (C,) or (N, C) scores x and labels y; reduced over the samples."""
    reduction = _reduction_of(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    num_classes = _check_multi_margin(input, target, weight)
    check_not_differentiable("multi_margin_loss", "weight", weight)
    target = _check_range(target, 0, num_classes, "target out of range")
    with grad_mode.no_grad():
        rows, labels = _as_rows(input), target.reshape(-1)
        z, violated = _margin_violations(rows, labels, margin)
        losses = ember.where(violated, z if p == 1 else z * z, 0.0)
        if weight is not None:
            losses = losses * weight[labels].unsqueeze(1)
        loss = _reduce((losses.sum(1) / num_classes).reshape(target.shape), reduction)
    return attach(_result(loss), MultiMarginLossBackward0, (input,), (input, target, weight),
                  p=p, margin=margin, reduction=reduction)


class MultilabelMarginLossBackward0(Node):
    """Each violated pair z = 1 - x[j] + x[i] (label j, non-label i) adds 1 / C to x[i] and takes it from
    x[j], once per time j is listed."""

    reduction: str

    def backward(self, grad: Tensor) -> Tensor:
        input, target = self.saved_tensors
        rows = _as_rows(input)
        active = _active_pairs(rows, target.reshape(rows.shape)).to(grad.dtype)
        scale = _mean_scale(self.reduction, rows.shape[0]) / rows.shape[1]
        active = active * (grad.reshape(-1, 1, 1) * scale)
        return (active.sum(1) - active.sum(2)).reshape(input.shape)


def _pair_margins(rows: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
    """(z, how often each pair counts): z[n, j, i] = 1 - x[n, j] + x[n, i]; the count is how many times j is
    among the labels before the first -1, where i is not among them."""
    listed = (labels >= 0).to(_dtype.int64).cumprod(1).unsqueeze(2) == 1
    counts = (_is_class(labels, rows.shape[1]) & listed).to(_dtype.int64).sum(1)
    z = 1 - rows.unsqueeze(2) + rows.unsqueeze(1)
    return z, counts.unsqueeze(2) * (counts == 0).unsqueeze(1).to(_dtype.int64)


def _active_pairs(rows: Tensor, labels: Tensor) -> Tensor:
    """The count of each pair whose margin is violated (z > 0), else 0."""
    z, counts = _pair_margins(rows, labels)
    return ember.where(z > 0, counts, 0)


def _check_multilabel(input: Tensor, target: Tensor) -> int:
    """PyTorch's checks of multilabel_margin_loss's arguments; returns the number of classes."""
    _check_scores(input, "multilabel_margin_loss_forward_out_frame")
    shape = input._data.shape
    num_classes = shape[-1] if shape else 1
    if input.dim() == 2:
        matches = target._data.shape == shape
    else:
        matches = target.dim() <= 1 and target.numel() == num_classes
    if not matches:
        raise RuntimeError(f"inconsistent target size: {list(target._data.shape)} for input of size: {list(shape)}")
    _check_dtype(target, _dtype.int64)
    return num_classes


@profiled("aten::multilabel_margin_loss")
def multilabel_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-label hinge loss: sum over labels j and non-labels i of max(0, 1 - x[j] + x[i]) / C per sample;
    each row of the target lists label indices, ended by the first -1."""
    reduction = _reduction_of(size_average, reduce, reduction)
    num_classes = _check_multilabel(input, target)
    target = _check_range(target, -1, num_classes, "argument #2 'target' is out of range")
    with grad_mode.no_grad():
        rows = _as_rows(input)
        z, counts = _pair_margins(rows, target.reshape(rows.shape))
        losses = (ember.where(z > 0, z * counts, 0.0).sum((1, 2)) / num_classes)
        loss = _reduce(losses if input.dim() == 2 else losses.reshape(()), reduction)
    return attach(_result(loss), MultilabelMarginLossBackward0, (input,), (input, target), reduction=reduction)


# ----- multilabel_soft_margin_loss ------------------------------------------------------------------------
@profiled("aten::multilabel_soft_margin_loss")
def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross entropy of logits per class, optionally weighted, averaged over the classes (last dim):
    one loss per sample, then reduced."""
    if size_average is not None or reduce is not None:
        reduction = _reduction_of(size_average, reduce, reduction)
    if input.dim() == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not valid")
    return _reduce(loss, reduction)
