"""`standard_gamma`: reparameterised Gamma(`concentration`, 1) draws (PyTorch's ``torch._standard_gamma``),
by Marsaglia and Tsang's rejection sampler run over whole tensors from ember's generators."""
from __future__ import annotations

import ember

from .._tensor import Tensor
from ..autograd import grad_mode

__all__ = ["standard_gamma"]


def _accepted_normals(d: Tensor) -> Tensor:
    """For each element of `d` (= α - 1/3, α ≥ 1), the standard normal draw z that Marsaglia-Tsang
    accepts: v = (1 + z / √(9d))³ > 0 and log U < z²/2 + d - d v + d log v; redrawn where refused."""
    c = (9 * d).rsqrt()
    z = ember.zeros_like(d)
    pending = ember.ones_like(d, dtype=ember.bool)
    while bool(pending.any()):
        draw = ember.empty_like(d).normal_()
        uniform = ember.empty_like(d).uniform_()
        v = (1 + c * draw) ** 3
        positive = v > 0
        log_v = ember.where(positive, v, ember.ones_like(v)).log()
        accepted = positive & (uniform.log() < 0.5 * draw**2 + d - d * v + d * log_v)
        take = pending & accepted
        z = ember.where(take, draw, z)
        pending = pending & ~take
    return z


def standard_gamma(concentration: Tensor) -> Tensor:
    """Gamma(`concentration`, 1) draws, differentiable in `concentration`: the accepted normal draw z (and,
    below α = 1, the boosting uniform U) held fixed, the draw is ``d (1 + z/√(9d))³ · U^(1/α)`` with
    d = α' - 1/3, α' = α (+ 1 below 1), whose derivative in α flows to `concentration`."""
    boosted = ember.where(concentration < 1, concentration + 1, concentration)
    d = boosted - 1.0 / 3
    with grad_mode.no_grad():
        z = _accepted_normals(d.detach())
        uniform = ember.empty_like(concentration).uniform_()
    value = d * (1 + z * (9 * d).rsqrt()) ** 3
    boost = ember.where(concentration < 1, uniform.log() / concentration, ember.zeros_like(concentration)).exp()
    return value * boost
