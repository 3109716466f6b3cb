"""`ExponentialFamily`: distributions whose density is ``h(x) exp(<t(x), θ> - F(θ))``; their entropy (and
the KL divergence between two of one family) follow from the log normaliser F by autograd."""
from __future__ import annotations

from .. import autograd
from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Base of the exponential-family distributions (Normal, Bernoulli, Exponential ...)."""

    @property
    def _natural_params(self):
        """The natural parameters θ, a tuple of tensors."""
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        """The log normaliser F(θ)."""
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> float:
        """The expected carrier measure E[log h(x)]."""
        raise NotImplementedError

    def entropy(self):
        """The entropy as the Bregman divergence of the log normaliser: ``F(θ) - <θ, ∇F(θ)> - E[log h]``."""
        result = -self._mean_carrier_measure
        params = [p.detach().requires_grad_() for p in self._natural_params]
        log_normalizer = self._log_normalizer(*params)
        gradients = autograd.grad(log_normalizer.sum(), params, create_graph=True)
        result = result + log_normalizer
        for param, gradient in zip(params, gradients):
            result = result - (param * gradient).reshape(self._batch_shape + (-1,)).sum(-1)
        return result
