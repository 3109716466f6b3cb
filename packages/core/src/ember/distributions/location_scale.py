"""`LocationScale`: what Normal, Laplace and Cauchy share: a real `loc` and a positive `scale` broadcast
together, real support, reparameterised samples and the mode at `loc`."""
from __future__ import annotations

from . import constraints
from .utils import batched

__all__ = ["LocationScale"]


class LocationScale:
    """The parameters and constants of a location-scale family on the real line (a mixin before
    `Distribution` in the family's bases)."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None) -> None:
        (self.loc, self.scale), batch_shape = batched(loc, scale)
        super().__init__(batch_shape, validate_args=validate_args)  # type: ignore[call-arg]

    @property
    def mode(self):
        return self.loc
