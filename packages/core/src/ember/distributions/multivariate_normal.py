"""`MultivariateNormal`: the Gaussian over vectors, by its mean `loc` and one of its covariance matrix,
precision matrix or lower Cholesky factor of the covariance (`scale_tril`)."""
from __future__ import annotations

import math

import ember

from .._size import Size
from . import constraints
from .distribution import Distribution
from .utils import lazy_property, standard_normal

__all__ = ["MultivariateNormal"]


def batch_mv(bmat, bvec):
    """The matrix-vector products of a batch of matrices and a batch of vectors (broadcast)."""
    return ember.matmul(bmat, bvec.unsqueeze(-1)).squeeze(-1)


def batch_mahalanobis(b_l, bx):
    """The squared Mahalanobis distances ``x^T (L L^T)^-1 x`` of the vectors `bx` for Cholesky factors `b_l`,
    broadcast over their batch dims (shape of `bx` without its last dim)."""
    batch_shape = ember.broadcast_shapes(b_l.shape[:-2], bx.shape[:-1])
    n = bx.size(-1)
    scaled = ember.linalg.solve_triangular(b_l.expand(batch_shape + (n, n)),
                                           bx.expand(batch_shape + (n,)).unsqueeze(-1), upper=False)
    return scaled.squeeze(-1).pow(2).sum(-1)


def cholesky_inverse(scale_tril):
    """``(L L^T)^-1`` from the lower Cholesky factor L (PyTorch's ``torch.cholesky_inverse``)."""
    eye = ember.eye(scale_tril.size(-1), dtype=scale_tril.dtype, device=scale_tril.device)
    scale_tril_inv = ember.linalg.solve_triangular(scale_tril, eye.expand_as(scale_tril), upper=False)
    return ember.matmul(scale_tril_inv.mT, scale_tril_inv)


def precision_to_scale_tril(precision):
    """The lower Cholesky factor of the covariance ``P^-1``, from the Cholesky factor of the flipped P."""
    flipped_tril = ember.linalg.cholesky(ember.flip(precision, (-2, -1)))
    scale_tril_inv = ember.transpose(ember.flip(flipped_tril, (-2, -1)), -2, -1)
    eye = ember.eye(precision.shape[-1], dtype=precision.dtype, device=precision.device)
    return ember.linalg.solve_triangular(scale_tril_inv, eye, upper=False)


def one_matrix(error, covariance_matrix, precision_matrix, scale_tril):
    """The name and value of the one covariance parameter given, refusing none or several with `error`."""
    given = [(name, matrix) for name, matrix in (("covariance_matrix", covariance_matrix), ("precision_matrix",
             precision_matrix), ("scale_tril", scale_tril)) if matrix is not None]
    if len(given) != 1:
        raise error("Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
    return given[0]


def scale_tril_of(covariance_matrix, precision_matrix, scale_tril):
    """The lower Cholesky factor of the covariance, from whichever of the three parameters is given."""
    if scale_tril is not None:
        return scale_tril
    if covariance_matrix is not None:
        return ember.linalg.cholesky(covariance_matrix)
    return precision_to_scale_tril(precision_matrix)


def half_log_det(scale_tril):
    """``log det(L)``: half the log-determinant of the covariance ``L L^T``."""
    return scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)


class MultivariateNormal(Distribution):
    """The multivariate normal N(`loc`, Σ), Σ given by exactly one of `covariance_matrix`,
    `precision_matrix` (Σ^-1) or `scale_tril` (L with Σ = L L^T); `rsample` is ``loc + L ε``."""

    arg_constraints = {"loc": constraints.real_vector, "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite, "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None) -> None:
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        name, matrix = one_matrix(ValueError, covariance_matrix, precision_matrix, scale_tril)
        if matrix.dim() < 2:
            what = "scale_tril matrix" if name == "scale_tril" else name
            raise ValueError(f"{what} must be at least two-dimensional, with optional leading batch dimensions")
        batch_shape = ember.broadcast_shapes(matrix.shape[:-2], loc.shape[:-1])
        setattr(self, name, matrix.expand(batch_shape + (-1, -1)))
        self.loc = loc.expand(batch_shape + (-1,))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        self._unbroadcasted_scale_tril = scale_tril_of(covariance_matrix, precision_matrix, scale_tril)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(MultivariateNormal, _instance)
        batch_shape = Size(batch_shape)
        new.loc = self.loc.expand(batch_shape + self.event_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(batch_shape + self.event_shape + self.event_shape))
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _matrix_shape(self):
        return self._batch_shape + self._event_shape + self._event_shape

    @lazy_property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self):
        tril = self._unbroadcasted_scale_tril
        return ember.matmul(tril, tril.mT).expand(self._matrix_shape())

    @lazy_property
    def precision_matrix(self):
        return cholesky_inverse(self._unbroadcasted_scale_tril).expand(self._matrix_shape())

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(self._batch_shape + self._event_shape)

    def rsample(self, sample_shape=()):
        eps = standard_normal(self._extended_shape(sample_shape), dtype=self.loc.dtype, device=self.loc.device)
        return self.loc + batch_mv(self._unbroadcasted_scale_tril, eps)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        mahalanobis = batch_mahalanobis(self._unbroadcasted_scale_tril, value - self.loc)
        return (-0.5 * (self._event_shape[0] * math.log(2 * math.pi) + mahalanobis)
                - half_log_det(self._unbroadcasted_scale_tril))

    def entropy(self):
        entropy = (0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi))
                   + half_log_det(self._unbroadcasted_scale_tril))
        return entropy if len(self._batch_shape) == 0 else entropy.expand(self._batch_shape)
