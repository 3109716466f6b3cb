"""`Dirichlet`: the distribution over the probability simplex with `concentration` α (its last dimension
the categories), drawn as independent Gamma(α_i, 1) draws normalised to sum to one, differentiated as
PyTorch's (`_Dirichlet`)."""
from __future__ import annotations

import ember

from .. import _aten_sampling as aten
from .. import _generator
from .._mt19937 import MT19937Engine
from ..autograd.function import Function, once_differentiable
from . import constraints
from .dirichlet_grad import dirichlet_grad
from .exp_family import ExponentialFamily
from .standard_gamma import standard_gamma
from .utils import finfo

__all__ = ["Dirichlet"]


def sample_dirichlet(concentration):
    """Dirichlet(`concentration`) draws along the last dim: gamma draws normalised, clamped into
    [tiny, 1 - eps] (from an MT19937 generator ATen's ``_s_dirichlet_cpu`` itself: PyTorch's CPU draws)."""
    engine = _generator.chosen(None, concentration.device, "_sample_dirichlet").engine()
    if isinstance(engine, MT19937Engine):
        alphas = concentration.detach()
        draws = aten.dirichlet(engine, alphas.cpu().numpy(), alphas.dtype.numpy)
        return ember.tensor(draws, dtype=alphas.dtype, device=alphas.device)
    gammas = standard_gamma(concentration)
    limits = finfo(concentration.dtype)
    return (gammas / gammas.sum(-1, True)).clamp(min=float(limits.tiny), max=1 - float(limits.eps))


class _Dirichlet(Function):
    """PyTorch's _Dirichlet: draws recorded as _DirichletBackward, whose gradient is the implicit
    reparameterisation one (`dirichlet_grad`), projected onto the simplex."""

    @staticmethod
    def forward(ctx, concentration):
        x = sample_dirichlet(concentration)
        ctx.save_for_backward(x, concentration)
        return x

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output):
        x, concentration = ctx.saved_tensors
        total = concentration.sum(-1, True).expand_as(concentration)
        return dirichlet_grad(x, concentration, total) * (grad_output - (x * grad_output).sum(-1, True))


class Dirichlet(ExponentialFamily):
    """The Dirichlet distribution; event shape ``concentration.shape[-1:]``, `rsample` reparameterised."""

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None) -> None:
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(Dirichlet, batch_shape, _instance, ("concentration",), self.event_shape)

    def rsample(self, sample_shape=()):
        return _Dirichlet.apply(self.concentration.expand(self._extended_shape(sample_shape)))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return (ember.xlogy(self.concentration - 1.0, value).sum(-1) + ember.lgamma(self.concentration.sum(-1))
                - ember.lgamma(self.concentration).sum(-1))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        concentrationm1 = (self.concentration - 1).clamp(min=0.0)
        mode = concentrationm1 / concentrationm1.sum(-1, True)
        mask = (self.concentration < 1).all(dim=-1)
        mode[mask] = ember.nn.functional.one_hot(mode[mask].argmax(dim=-1), concentrationm1.shape[-1]).to(mode)
        return mode

    @property
    def variance(self):
        con0 = self.concentration.sum(-1, True)
        return self.concentration * (con0 - self.concentration) / (con0.pow(2) * (con0 + 1))

    def entropy(self):
        k = self.concentration.size(-1)
        a0 = self.concentration.sum(-1)
        return (ember.lgamma(self.concentration).sum(-1) - ember.lgamma(a0) - (k - a0) * ember.digamma(a0)
                - ((self.concentration - 1.0) * ember.digamma(self.concentration)).sum(-1))

    @property
    def _natural_params(self):
        return (self.concentration,)

    def _log_normalizer(self, x):
        return x.lgamma().sum(-1) - ember.lgamma(x.sum(-1))
