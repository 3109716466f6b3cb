"""`Laplace`: the double-exponential distribution with location `loc` and scale `scale`."""
from __future__ import annotations

from .distribution import Distribution
from .location_scale import LocationScale
from .utils import empty, finfo

__all__ = ["Laplace"]


class Laplace(LocationScale, Distribution):
    """The Laplace distribution, density ``exp(-|x - loc| / scale) / (2 scale)``; `rsample` inverts its cdf
    at a uniform draw."""


    def expand(self, batch_shape, _instance=None):
        return self._expanded(Laplace, batch_shape, _instance, ("loc", "scale"))

    @property
    def mean(self):
        return self.loc

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        return (2**0.5) * self.scale

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        u = empty(shape, self.loc).uniform_(float(finfo(self.loc.dtype).eps) - 1, 1)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 - 0.5 * (value - self.loc).sign() * (-(value - self.loc).abs() / self.scale).expm1()

    def icdf(self, value):
        term = value - 0.5
        return self.loc - self.scale * term.sign() * (-2 * term.abs()).log1p()

    def entropy(self):
        return 1 + (2 * self.scale).log()
