"""`dirichlet_grad`: PyTorch's ``torch._dirichlet_grad``, the implicit reparameterisation gradient of
Dirichlet draws (each coordinate a Beta(α, total - α) draw x: -(d/dα cdf) / pdf / (1 - x)), composed from
ember ops over the regimes of its Distributions.h dirichlet_grad_one: Taylor series near x = 0 and x = 1,
Rice's saddle point expansion where α and total - α are both large, a rational correction elsewhere."""
from __future__ import annotations

import ember

from .._tensor import Tensor
from ..autograd import grad_mode

__all__ = ["dirichlet_grad"]

# c[0] the numerator's, c[1] the denominator's coefficients, by power of u = log x, of a = log α - u, then b
_RATIONAL = (
    (((1.003668233, -0.01061107488, -0.0657888334, 0.01201642863),
      (0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033),
      (-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013)),
     ((0.221950385, -0.3187676331, 0.01799915743, 0.01074823814),
      (-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057),
      (0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05)),
     ((-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565),
      (0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181),
      (0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05))),
    (((1, -0.02924021934, -0.04438342661, 0.007285809825),
      (0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521),
      (-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149)),
     ((0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273),
      (0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956),
      (-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05)),
     ((0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05),
      (0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05),
      (-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06))),
)


def _zero_nan(result: Tensor) -> Tensor:
    return ember.where(result.isnan(), ember.zeros_like(result), result)


def _alpha_small(x: Tensor, alpha: Tensor, beta: Tensor) -> Tensor:
    """The gradient in α of a Beta(α, β) draw x near 0, by its Taylor series (11 terms)."""
    factor = alpha.digamma() - (alpha + beta).digamma() - x.log()
    numer = ember.ones_like(x)
    series = numer / alpha * (factor + 1 / alpha)
    for i in range(1, 11):
        numer = numer * (i - beta) * x / i
        denom = alpha + i
        series = series + numer / denom * (factor + 1 / denom)
    return _zero_nan(x * (1 - x).pow(-beta) * series)


def _beta_small(x: Tensor, alpha: Tensor, beta: Tensor) -> Tensor:
    """The gradient in β of a Beta(α, β) draw x near 0, by its Taylor series (9 terms)."""
    factor = (alpha + beta).digamma() - beta.digamma()
    numer, betas, dbetas = ember.ones_like(x), ember.ones_like(x), ember.zeros_like(x)
    series = factor / alpha
    for i in range(1, 9):
        numer = numer * -x / i
        dbetas = dbetas * (beta - i) + betas
        betas = betas * (beta - i)
        series = series + numer / (alpha + i) * (dbetas + factor * betas)
    return _zero_nan(-(1 - x).pow(1 - beta) * series)


def _alpha_mid(x: Tensor, alpha: Tensor, beta: Tensor) -> Tensor:
    """The gradient in α of a Beta(α, β) draw x for large α and β: Rice's saddle point expansion, a
    polynomial within 0.1 standard deviation of the mean (its singularity)."""
    total = alpha + beta
    mean = alpha / total
    std = (alpha * beta / (total + 1)).sqrt() / total
    b2 = beta * beta
    poly = 47 * x * b2 * b2 + alpha * (
        (43 + 20 * (16 + 27 * beta) * x) * b2 * beta + alpha * (
            3 * (59 + 180 * beta - 90 * x) * b2 + alpha * (
                (453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (8 * (1 - x) * (135 * beta - 11)))))
    prefactor_num = (1 + 12 * alpha) * (1 + 12 * beta) / (total * total)
    prefactor_den = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total)
    near = prefactor_num / (1 - x) * poly / prefactor_den
    prefactor = -x / (2 * alpha * beta / total).sqrt()
    stirling = ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha)) * (1 + 1 / (12 * beta) + 1 / (288 * beta * beta))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    term1_num = 2 * (alpha * alpha) * (x - 1) + alpha * beta * (x - 1) - x * b2
    axbx = alpha * (x - 1) + beta * x
    term1 = term1_num / ((2 * alpha / beta).sqrt() * total.pow(1.5) * axbx * axbx)
    term2 = 0.5 * (alpha / (total * x)).log()
    term3 = (8 * alpha * beta / total).sqrt() / (beta * x + alpha * (x - 1))
    term4 = (beta * (beta / (total * (1 - x))).log() + alpha * (alpha / (total * x)).log()).pow(-1.5)
    far = stirling * prefactor * (term1 + term2 * (term3 + ember.where(x < mean, term4, -term4)))
    return ember.where((mean - 0.1 * std <= x) & (x <= mean + 0.1 * std), near, far)


def _rational(x: Tensor, alpha: Tensor, total: Tensor) -> Tensor:
    """A rational correction in (log x, log α - log x, log total - ...) to x (ψ(total) - ψ(α)) / β."""
    u = x.log()
    a = alpha.log() - u
    b = total.log() - a
    pow_u, pow_a = (1, u, u * u), (1, a, a * a)
    p, q = ember.zeros_like(x), ember.zeros_like(x)
    for i in range(3):
        for j in range(3):
            ua = pow_u[i] * pow_a[j]
            cp, cq = _RATIONAL[0][i][j], _RATIONAL[1][i][j]
            p = p + ua * (cp[0] + b * (cp[1] + b * (cp[2] + b * cp[3])))
            q = q + ua * (cq[0] + b * (cq[1] + b * (cq[2] + b * cq[3])))
    return p / q * (x * (total.digamma() - alpha.digamma()) / (total - alpha))


def dirichlet_grad(x: Tensor, alpha: Tensor, total: Tensor) -> Tensor:
    """``torch._dirichlet_grad(x, alpha, total)``: elementwise, for x a Beta(α, total - α) draw, the scaled
    gradient -(d/dα cdf(x)) / pdf(x) / (1 - x). Not differentiable, as PyTorch's; the expansion for large α
    and β and the rational correction computed in float64, as PyTorch's CPU kernel (its accscalar_t)."""
    with grad_mode.no_grad():
        beta = total - alpha
        boundary = total * x * (1 - x)
        wide_x, wide_alpha, wide_total = (v.double() for v in (x, alpha, total))
        result = ember.where((alpha > 6) & (beta > 6), _alpha_mid(wide_x, wide_alpha, wide_total - wide_alpha),
                             _rational(wide_x, wide_alpha, wide_total)).to(x.dtype)
        result = ember.where((x >= 0.5) & (boundary < 0.75), -_beta_small(1 - x, beta, alpha), result)
        return ember.where((x <= 0.5) & (boundary < 2.5), _alpha_small(x, alpha, beta), result)
