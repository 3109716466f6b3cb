"""round with PyTorch's ``decimals=`` (its ``round.decimals`` overload, recorded as RoundBackward1) beside the
registry's plain round (RoundBackward0): ``ember.round``, ``Tensor.round``/``round_`` and ``ember.special.round``."""
from __future__ import annotations

from .._tensor import Tensor, wrap
from ..autograd import grad_mode
from ..autograd.node import attach, needs_grad
from .dispatch import profiled, type_name
from .linalg import write_out
from .registry import ZeroGradient, in_float32
from .unary import FUNCTIONS

RoundBackward1 = type("RoundBackward1", (ZeroGradient,), {"__module__": __name__})

_plain = FUNCTIONS["round"]
_UNSET = object()  # no ``decimals=`` given: PyTorch's plain ``round`` overload


def _scaled_round(x: Tensor, decimals: int) -> Tensor:
    """x rounded half to even at `decimals` decimal places (to tens, hundreds... when negative)."""
    scale = 10.0 ** abs(decimals)
    if decimals > 0:
        return in_float32(lambda x: (x * scale).round() / scale, x)
    return in_float32(lambda x: (x / scale).round() * scale, x)


@profiled("aten::round")
def round_decimals(input, *, decimals=0, out=None):
    """input rounded half to even, to `decimals` decimal places (PyTorch's ``round.decimals``, which
    torch.special.round always is)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"round(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(decimals, int) or isinstance(decimals, bool):
        raise TypeError(f"round(): argument 'decimals' must be int, not {type(decimals).__name__}")
    if not input._dtype.is_floating_point:
        kernel = "round_vml_cpu" if decimals == 0 else "round_cpu"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{type_name(input._dtype)}\'')
    with grad_mode.no_grad():
        data = (_plain(input) if decimals == 0 else _scaled_round(input, decimals))._data
    if out is not None:
        return write_out(out, "round", data, input._dtype, (input,), (input,))
    result = wrap(data, input._dtype, input._device)
    if needs_grad((input,)):
        attach(result, RoundBackward1, (input,), ())
    return result


def round(input, *, decimals=_UNSET, out=None):  # noqa: A001 - PyTorch's name
    """torch.round: the registry's elementwise round (RoundBackward0, the identity on integers), or with
    ``decimals=`` (even 0) PyTorch's ``round.decimals`` overload."""
    if decimals is _UNSET:
        return _plain(input, out=out)
    return round_decimals(input, decimals=decimals, out=out)


round.straight_kernel = _plain.straight_kernel  # type: ignore[attr-defined]  # round_()'s common call
