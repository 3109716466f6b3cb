"""`standard_gamma`: reparameterised Gamma(`concentration`, 1) draws (PyTorch's ``torch._standard_gamma``),
by Marsaglia and Tsang's rejection sampler: ATen's own, element by element, from an MT19937 generator (the
CPU's, so its draws are PyTorch's), else run over whole tensors; with PyTorch's implicit reparameterisation
gradient (`standard_gamma_grad`, its ``torch._standard_gamma_grad``)."""
from __future__ import annotations

import ember

from .. import _aten_sampling as aten
from .. import _generator
from .._mt19937 import MT19937Engine
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.node import Node, attach

__all__ = ["StandardGammaBackward0", "standard_gamma", "standard_gamma_grad"]

# PyTorch's bivariate rational approximation of the gradient in log(x / α) and log(α) (its
# Distributions.h standard_gamma_grad_one): p's coefficients then q's, for each power of u
_RATIONAL_UV = (
    (0.16009398, -0.094634809, 0.025146376, -0.0030648343, 1, 0.32668115, 0.10406089, 0.0014179084),
    (0.53487893, 0.1298071, 0.065735949, -0.0015649758, 0.16639465, 0.020070113, -0.0035938915, -0.00058392623),
    (0.040121004, -0.0065914022, -0.0026286047, -0.0013441777, 0.017050642, -0.0021309326, 0.00085092367,
     -1.5247877e-07),
)


def _small_x(alpha: Tensor, x: Tensor) -> Tensor:
    """-(dP(α, x)/dα) / density for x < 0.8, by the Taylor series of P in x (6 terms); NaN becomes 0."""
    numer, denom = ember.ones_like(x), alpha
    series1, series2 = numer / denom, numer / (denom * denom)
    for i in range(1, 6):
        numer = numer * (-x / i)
        denom = denom + 1
        series1 = series1 + numer / denom
        series2 = series2 + numer / (denom * denom)
    pow_x_alpha = x.pow(alpha)
    pdf = x.pow(alpha - 1) * (-x).exp()
    cdf_alpha = (x.log() - alpha.digamma()) * pow_x_alpha * series1 - pow_x_alpha * series2
    result = -cdf_alpha / pdf
    return ember.where(result.isnan(), ember.zeros_like(result), result)


def _large_alpha(alpha: Tensor, x: Tensor) -> Tensor:
    """Rice's saddle point expansion, for α > 8: a polynomial within 10% of α, else in log(x / α)."""
    near = (1 + 24 * alpha * (1 + 12 * alpha)) * (
        1440 * (alpha * alpha) + 6 * x * (53 - 120 * x) - 65 * x * x / alpha + alpha * (107 + 3600 * x)
    ) / (1244160 * (alpha * alpha) * (alpha * alpha))
    denom = (8 * alpha).sqrt()
    term2 = denom / (alpha - x)
    term3 = (x - alpha - alpha * (x / alpha).log()).pow(-1.5)
    term23 = ember.where(x < alpha, term2 - term3, term2 + term3)
    term1 = (x / alpha).log() * term23 - (2 / alpha).sqrt() * (alpha + x) / ((alpha - x) * (alpha - x))
    stirling = 1 + 1 / (12 * alpha) * (1 + 1 / (24 * alpha))
    far = -stirling * x * term1 / denom
    return ember.where((0.9 * alpha <= x) & (x <= 1.1 * alpha), near, far)


def _rational(alpha: Tensor, x: Tensor) -> Tensor:
    u, v = (x / alpha).log(), alpha.log()
    coefficients = [row0 + u * (row1 + u * row2) for row0, row1, row2 in zip(*_RATIONAL_UV)]
    p = coefficients[0] + v * (coefficients[1] + v * (coefficients[2] + v * coefficients[3]))
    q = coefficients[4] + v * (coefficients[5] + v * (coefficients[6] + v * coefficients[7]))
    return (p / q).exp()


def standard_gamma_grad(alpha: Tensor, x: Tensor) -> Tensor:
    """d x / d α of a Gamma(α, 1) draw x held at its cdf (implicit reparameterisation), as PyTorch's
    ``_standard_gamma_grad``: the Taylor series below x = 0.8, Rice's expansion above α = 8, a rational
    approximation between. Not differentiable, as PyTorch's."""
    with grad_mode.no_grad():
        return ember.where(x < 0.8, _small_x(alpha, x),
                           ember.where(alpha > 8, _large_alpha(alpha, x), _rational(alpha, x)))


class StandardGammaBackward0(Node):
    """_standard_gamma's gradient: ``grad * _standard_gamma_grad(self, result)``."""

    _names_saved = ("self", "result")

    def backward(self, grad):
        concentration, result = self.saved_tensors
        return (grad * standard_gamma_grad(concentration, result),)


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
    """Gamma(`concentration`, 1) draws: below α = 1 a Gamma(α + 1) draw boosted by U^(1/α); recorded as
    PyTorch's StandardGammaBackward0, whose gradient is PyTorch's implicit one (`standard_gamma_grad`)."""
    engine = _generator.chosen(None, concentration.device, "_standard_gamma").engine()
    if isinstance(engine, MT19937Engine):
        alpha = concentration.detach()
        draws = aten.standard_gamma(engine, alpha.cpu().numpy(), alpha.dtype.numpy)
        value = ember.tensor(draws, dtype=alpha.dtype, device=alpha.device)
        return attach(value, StandardGammaBackward0, (concentration,), (concentration, value))
    with grad_mode.no_grad():
        alpha = concentration.detach()
        boosted = ember.where(alpha < 1, alpha + 1, alpha)
        d = boosted - 1.0 / 3
        z = _accepted_normals(d)
        uniform = ember.empty_like(alpha).uniform_()
        value = d * (1 + z * (9 * d).rsqrt()) ** 3
        boost = ember.where(alpha < 1, uniform.log() / alpha, ember.zeros_like(alpha)).exp()
        value = value * boost
    return attach(value, StandardGammaBackward0, (concentration,), (concentration, value))
