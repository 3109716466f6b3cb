"""``torch.<name>`` forms of nn functional ops, with PyTorch's torch-level signatures, which differ from
``F``'s: ``torch.dropout(input, p, train)`` (a RuntimeError for a bad p), losses whose ``reduction`` is an
int (0 none, 1 mean, 2 sum, as ``torch.nn._reduction``; by default none, as PyTorch 2.13's bindings do
whatever their schema says), ``torch.embedding(weight, indices, ...)`` with
padding_idx -1 for none, and the norms' ``cudnn_enable(d)`` flags. Each calls ``F``'s op."""
from __future__ import annotations

from ._dtype import int32, int64
from .nn import functional as F

NAMES: tuple[str, ...] = (  # what ember exports from here
    "alpha_dropout", "alpha_dropout_", "batch_norm", "bilinear", "binary_cross_entropy_with_logits", "celu", "celu_",
    "cosine_embedding_loss", "dropout", "dropout_", "embedding", "embedding_renorm_", "feature_alpha_dropout",
    "feature_alpha_dropout_", "group_norm", "hardshrink", "hinge_embedding_loss", "instance_norm", "kl_div",
    "layer_norm",
    "margin_ranking_loss", "poisson_nll_loss", "selu", "selu_", "triplet_margin_loss")
celu, celu_, selu, selu_, bilinear = F.celu, F.celu_, F.selu, F.selu_, F.bilinear  # the same signatures as F's


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, 0 elsewhere (as torch.hardshrink and Tensor.hardshrink)."""
    return F.hardshrink(input, lambd)


def _probability(p) -> None:
    if p < 0.0 or p > 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout(op, inplace: bool):
    """The torch form ``name(input, p, train)`` of F's dropout `op`, in place when `inplace`."""
    def dropout(input, p, train):
        _probability(p)
        return op(input, p, train, inplace)
    dropout.__name__ = dropout.__qualname__ = op.__name__ + ("_" if inplace else "")
    dropout.__doc__ = f"``F.{op.__name__}(input, p, train{', inplace=True' if inplace else ''})``, as torch's."
    return dropout


dropout, dropout_ = _dropout(F.dropout, False), _dropout(F.dropout, True)
alpha_dropout, alpha_dropout_ = _dropout(F.alpha_dropout, False), _dropout(F.alpha_dropout, True)
feature_alpha_dropout = _dropout(F.feature_alpha_dropout, False)
feature_alpha_dropout_ = _dropout(F.feature_alpha_dropout, True)


def _reduction(op: str, reduction, position: int) -> str:
    """F's reduction name for PyTorch's enum value: 1 mean, 2 sum, anything else none (as aten's
    apply_loss_reduction)."""
    if not isinstance(reduction, int) or isinstance(reduction, bool):
        raise TypeError(f"{op}(): argument 'reduction' (position {position}) must be int, not "
                        f"{type(reduction).__name__}")
    return {1: "mean", 2: "sum"}.get(reduction, "none")


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """Rows of `weight` at `indices` (as torch.embedding; a negative padding_idx means none)."""
    return F.embedding(indices, weight, None if padding_idx < 0 else padding_idx,
                       scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def embedding_renorm_(input, indices, max_norm, norm_type):
    """Rows of `input` that `indices` pick scaled in place to `norm_type`-norm at most `max_norm` (as
    torch.embedding_renorm_, the renormalisation behind embedding's max_norm); returns `input`."""
    from ._ops.indexing import check_inplace
    from .nn.functional.embedding import _checked_indices, renorm_rows_

    if indices.dtype not in (int64, int32):
        raise RuntimeError(f"Expected tensor for argument #2 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {indices.type()} instead (while checking arguments for "
                           "embedding_renorm_)")
    if input.dim() != 2:
        raise RuntimeError(f"Expected 2-dimensional tensor, but got {input.dim()}-dimensional tensor for argument #1 "
                           "'self' (while checking arguments for embedding_renorm_)")
    check_inplace(input, "embedding_renorm_")
    renorm_rows_(input, _checked_indices(indices, input, "embedding_renorm_"), max_norm, norm_type)
    return input


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    return F.binary_cross_entropy_with_logits(
        input, target, weight, reduction=_reduction("binary_cross_entropy_with_logits", reduction, 5),
        pos_weight=pos_weight)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    return F.cosine_embedding_loss(input1, input2, target, margin,
                                   reduction=_reduction("cosine_embedding_loss", reduction, 5))


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    return F.hinge_embedding_loss(input, target, margin, reduction=_reduction("hinge_embedding_loss", reduction, 4))


def kl_div(input, target, reduction=0, *, log_target=False):
    """F.kl_div, whose warning about 'mean' torch.kl_div does not give."""
    name = _reduction("kl_div", reduction, 3)
    loss = F.kl_div(input, target, reduction="none" if name == "mean" else name, log_target=log_target)
    return loss.mean() if name == "mean" else loss


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    return F.margin_ranking_loss(input1, input2, target, margin,
                                 reduction=_reduction("margin_ranking_loss", reduction, 5))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps,
                              reduction=_reduction("poisson_nll_loss", reduction, 6))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-06, swap=False, reduction=0):
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                 reduction=_reduction("triplet_margin_loss", reduction, 8))


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    """F.layer_norm (`cudnn_enable` has no effect: there is no cuDNN path)."""
    if isinstance(normalized_shape, int) or not isinstance(normalized_shape, (tuple, list)):
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
                        f"{type(normalized_shape).__name__}")
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    """F.group_norm (`cudnn_enabled` has no effect)."""
    return F.group_norm(input, num_groups, weight, bias, eps)


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled):
    """F.batch_norm with torch.batch_norm's order of arguments (`cudnn_enabled` has no effect)."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled):
    """F.instance_norm with torch.instance_norm's order of arguments (`cudnn_enabled` has no effect)."""
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)
