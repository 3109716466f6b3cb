"""`instance_norm`: normalise each channel of each sample over its spatial dims. As in PyTorch, it is
batch_norm over the input viewed as one sample of N * C channels (its node is that view's, ViewBackward0),
with the per-channel weight, bias and running statistics repeated N times and averaged back. The running
statistics take the weight's dtype (the input's without a weight) first, as in PyTorch, so they may be of any
floating dtype."""

from __future__ import annotations

from ember._ops.dispatch import profiled
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.nn.functional.batch_norm import batch_norm


def _verify_spatial_size(shape: tuple) -> None:
    """PyTorch's refusal of a single value per channel when the statistics come from the input."""
    values = 1
    for size in shape[2:]:
        values *= size
    if values == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {shape}")


@profiled("aten::instance_norm")
def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """(x - mean) / sqrt(var + eps) per sample and channel of ``input`` (N, C, *), over the spatial dims
    (``use_input_stats``, updating the running statistics by ``momentum`` when given) or by the running
    statistics; then scale by ``weight`` and shift by ``bias`` (each (C,), optional)."""
    if use_input_stats:
        _verify_spatial_size(input.shape)
    elif running_mean is None or running_var is None:
        raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
    batch, channels = input.shape[0], input.shape[1]
    statistics_dtype = input._dtype if weight is None else weight._dtype
    weight_, bias_ = (None if t is None else t.repeat(batch) for t in (weight, bias))
    mean_, var_ = (None if t is None else t.to(statistics_dtype).repeat(batch) for t in (running_mean, running_var))
    flat = input.contiguous().view(1, batch * channels, *input.shape[2:])
    output = batch_norm(flat, mean_, var_, weight_, bias_, use_input_stats, momentum, eps)
    with grad_mode.no_grad():
        for running, repeated in ((running_mean, mean_), (running_var, var_)):
            if running is not None and repeated is not None:
                running.copy_(repeated.view(batch, channels).mean(0))
    return output.view(input.shape)
