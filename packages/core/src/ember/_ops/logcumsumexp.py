"""logcumsumexp, as PyTorch's: log(cumsum(exp(x))) along a dim without overflow, as a prefix scan of
logaddexp (log2(n) rounds of shifted logaddexp over the whole dim), so it is differentiable everywhere
logaddexp is."""
from __future__ import annotations

from .._tensor import _wrap_dim
from . import binary, joining, views
from .dispatch import profiled, type_name


@profiled("aten::logcumsumexp")
def logcumsumexp(input, dim, *, out=None):
    """log(exp(x_0) + ... + exp(x_i)) for every i along `dim`, computed stably."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{type_name(input.dtype)}'")
    d = _wrap_dim(dim, max(input.ndim, 1), "logcumsumexp")
    result = _scan(input, d) if input.ndim else input
    result = views.clone(result) if result is input else result
    if out is not None:
        from .linalg import write_out
        return write_out(out, "logcumsumexp", result._data, result._dtype, (input,))
    return result


def _scan(input, dim: int):
    n, shift = input.shape[dim], 1
    while shift < n:
        head = views.narrow(input, dim, 0, shift)
        combined = binary.FUNCTIONS["logaddexp"](views.narrow(input, dim, shift, n - shift),
                                                 views.narrow(input, dim, 0, n - shift))
        input = joining.cat([head, combined], dim)
        shift *= 2
    return input
