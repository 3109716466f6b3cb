"""gcd and lcm of integer tensors, as PyTorch's: Euclid's algorithm run on all elements at once (fmod, as
C's %, in at most ~log(max) rounds), lcm from the gcd."""
from __future__ import annotations

from .. import _dtype
from .._tensor import Tensor
from . import binary, pointwise, unary
from .broadcasting import broadcast_tensors
from .dispatch import type_name


def _integers(op: str, input, other) -> tuple:
    for position, (name, t) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): argument '{name}' (position {position}) must be Tensor, not "
                            f"{type(t).__name__}")
    common = _dtype.promote(input.dtype, 2, other.dtype, 2)
    if common.is_floating_point or common is _dtype.bool_:
        raise NotImplementedError(f"\"{op}_cpu\" not implemented for '{type_name(common)}'")
    return input.detach().to(common), other.detach().to(common)


def _gcd(a, b):
    a, b = unary.FUNCTIONS["abs"](a), unary.FUNCTIONS["abs"](b)
    a, b = broadcast_tensors(a, b)
    while bool((b != 0).any()):
        nonzero = b != 0
        remainder = binary.FUNCTIONS["fmod"](a, pointwise.where(nonzero, b, 1))
        a, b = pointwise.where(nonzero, b, a), pointwise.where(nonzero, remainder, 0)
    return a


def gcd(input, other):
    """The greatest common divisor of each pair of elements (non-negative; gcd(0, 0) = 0)."""
    return _gcd(*_integers("gcd", input, other))


def lcm(input, other):
    """The least common multiple of each pair of elements (non-negative; 0 when either is 0)."""
    a, b = _integers("lcm", input, other)
    divisor = _gcd(a, b)
    zero = divisor == 0
    return pointwise.where(zero, 0, unary.FUNCTIONS["abs"](binary.FUNCTIONS["div"](
        a, pointwise.where(zero, 1, divisor), rounding_mode="trunc") * b))
