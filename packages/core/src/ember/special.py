"""torch.special: PyTorch's special functions. Most are other names of ember's ops (`expit` is sigmoid,
recording SigmoidBackward0 as PyTorch's does; `gammaln` lgamma, `psi` digamma); the rest are composed
in `ember._ops.special_functions` (zeta, the modified Bessel functions I), `ember._ops.bessel` (J, Y,
K, Airy) and `ember._ops.orthogonal_polynomials` or have kernels of their own (lgamma, digamma, erfinv,
igamma: gammainc)."""
from __future__ import annotations

import math

from . import _dtype
from ._ops import activation, norms, rounding
from ._ops.bessel import FUNCTIONS as _BESSEL
from ._ops.linalg import write_out
from ._ops.logit import logit
from ._ops.orthogonal_polynomials import FUNCTIONS as _POLYNOMIALS
from ._ops.polygamma import mvlgamma, polygamma
from ._ops.scalar_ops import scaled
from ._ops.special_functions import FUNCTIONS as _SPECIAL
from ._ops.unary import FUNCTIONS as _UNARY
from ._tensor import Tensor
from .autograd import grad_mode

__all__ = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t",
           "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w", "digamma", "entr", "erf",
           "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc", "gammaincc", "gammaln",
           "hermite_polynomial_h", "hermite_polynomial_he", "i0", "i0e", "i1", "i1e", "laguerre_polynomial_l",
           "legendre_polynomial_p", "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp", "modified_bessel_i0",
           "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1", "multigammaln", "ndtr", "ndtri",
           "polygamma", "psi", "round", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
           "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
           "shifted_chebyshev_polynomial_w", "sinc", "softmax", "spherical_bessel_j0", "xlog1py", "xlogy", "zeta"]

erf, erfc, exp2, expm1, log1p = (_UNARY[name] for name in ("erf", "erfc", "exp2", "expm1", "log1p"))
erfinv, i0, sinc = _UNARY["erfinv"], _UNARY["i0"], _UNARY["sinc"]
gammaln, digamma = _UNARY["lgamma"], _UNARY["digamma"]
psi = digamma
multigammaln = mvlgamma
i0e, i1, i1e, entr, erfcx, log_ndtr, ndtri, xlog1py = (
    _SPECIAL[name] for name in ("i0e", "i1", "i1e", "entr", "erfcx", "log_ndtr", "ndtri", "xlog1py"))
zeta, modified_bessel_i0, modified_bessel_i1, spherical_bessel_j0 = (
    _SPECIAL[name] for name in ("zeta", "modified_bessel_i0", "modified_bessel_i1", "spherical_bessel_j0"))
(chebyshev_polynomial_t, chebyshev_polynomial_u, chebyshev_polynomial_v, chebyshev_polynomial_w,
 shifted_chebyshev_polynomial_t, shifted_chebyshev_polynomial_u, shifted_chebyshev_polynomial_v,
 shifted_chebyshev_polynomial_w, hermite_polynomial_h, hermite_polynomial_he, laguerre_polynomial_l,
 legendre_polynomial_p) = _POLYNOMIALS.values()
(bessel_j0, bessel_j1, bessel_y0, bessel_y1, modified_bessel_k0, modified_bessel_k1, scaled_modified_bessel_k0,
 scaled_modified_bessel_k1, airy_ai) = _BESSEL.values()


def gammainc(input, other, *, out=None):
    """The regularized lower incomplete gamma function P(input, other) (igamma)."""
    from ._ops.binary import FUNCTIONS
    return FUNCTIONS["igamma"](input, other, out=out)


def gammaincc(input, other, *, out=None):
    """The regularized upper incomplete gamma function Q(input, other) (igammac)."""
    from ._ops.binary import FUNCTIONS
    return FUNCTIONS["igammac"](input, other, out=out)


def xlogy(input, other, *, out=None):
    """input * log(other), 0 where input is 0 (unless other is NaN)."""
    from ._ops.binary import FUNCTIONS
    return FUNCTIONS["xlogy"](input, other, out=out)


def expit(input, *, out=None):
    """The logistic sigmoid 1 / (1 + exp(-input)) (torch.special.expit)."""
    if out is None:
        return activation.sigmoid(input)
    with grad_mode.no_grad():
        data = activation.sigmoid(input)._data
    return write_out(out, "sigmoid", data, _result_dtype(input), (input,), (input,))


def softmax(input, dim, *, dtype=None):
    """softmax along the required `dim` (torch.special.softmax)."""
    return activation.softmax(input, dim, dtype)


def log_softmax(input, dim, *, dtype=None):
    """log_softmax along the required `dim` (torch.special.log_softmax)."""
    return activation.log_softmax(input, dim, dtype)


def logsumexp(input, dim, keepdim=False, *, out=None):
    """log(sum(exp(input))) over `dim` (torch.special.logsumexp)."""
    if out is None:
        return norms.logsumexp(input, dim, keepdim)
    with grad_mode.no_grad():
        result = norms.logsumexp(input, dim, keepdim)
    return write_out(out, "logsumexp", result._data, result._dtype, (input,), (input,))


def ndtr(input):
    """The standard normal CDF (1 + erf(x / sqrt(2))) / 2 (torch.special.ndtr), composed as PyTorch's: its
    products by numbers are C++ Scalar products (MulBackward1)."""
    return scaled(1 + scaled(input, math.sqrt(0.5)).erf(), 0.5)


def _result_dtype(input: Tensor):
    return input._dtype if input._dtype.is_floating_point else _dtype.get_default_dtype()


round = rounding.round_decimals  # noqa: A001 - PyTorch's name: torch.special.round is round.decimals
