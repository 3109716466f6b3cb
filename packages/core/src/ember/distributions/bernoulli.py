"""`Bernoulli`: 1 with probability `probs` (or sigmoid(`logits`)), else 0."""
from __future__ import annotations

import math

import ember

from .._size import Size
from ..autograd import grad_mode
from . import constraints
from .exp_family import ExponentialFamily
from .utils import batched, broadcast_all, lazy_property, logits_to_probs, probs_or_logits, probs_to_logits

__all__ = ["Bernoulli"]


class BinaryParameters:
    """The parameters of a distribution over one success probability: `probs`, or `logits` (log-odds),
    each computed from the other when first used."""

    def _set_probs_or_logits(self, probs, logits) -> Size:
        """Keep `probs` or `logits` (exactly one given) broadcast to a tensor; return the batch shape."""
        probs_or_logits(probs, logits)
        if probs is not None:
            (self.probs,), batch_shape = batched(probs)
        else:
            (self.logits,), batch_shape = batched(logits)
        return batch_shape

    def _set_count_and_probs_or_logits(self, total_count, probs, logits) -> Size:
        """Keep `total_count` and `probs` or `logits` (exactly one given) broadcast together, the count of the
        parameter's dtype; return the batch shape (the parameter's)."""
        probs_or_logits(probs, logits)
        self.total_count, param = broadcast_all(total_count, probs if probs is not None else logits)
        self.total_count = self.total_count.type_as(param)
        setattr(self, "probs" if probs is not None else "logits", param)
        self._param = param
        return param.size()

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)


class Bernoulli(BinaryParameters, ExponentialFamily):
    """The Bernoulli distribution over {0, 1}, parameterised by `probs` or by `logits` (log-odds)."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True
    _mean_carrier_measure = 0

    def __init__(self, probs=None, logits=None, validate_args=None) -> None:
        batch_shape = self._set_probs_or_logits(probs, logits)
        self._param = self.probs if probs is not None else self.logits
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(Bernoulli, batch_shape, _instance, ("probs", "logits"))

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        mode = (self.probs >= 0.5).to(self.probs)
        return mode.masked_fill(self.probs == 0.5, math.nan)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    @property
    def param_shape(self) -> Size:
        return self._param.size()

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with grad_mode.no_grad():
            return ember.bernoulli(self.probs.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -ember.nn.functional.binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        return ember.nn.functional.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand=True):
        values = ember.arange(2, dtype=self._param.dtype, device=self._param.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + self._batch_shape) if expand else values

    @property
    def _natural_params(self):
        return (self.probs.logit(),)

    def _log_normalizer(self, x):
        return x.exp().log1p()
