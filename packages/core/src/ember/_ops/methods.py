"""Bind the op library to Tensor as methods and Python operators (PyTorch's Tensor API)."""
from __future__ import annotations

from .._tensor import Tensor
from . import (
    activation,
    addcmul,
    aminmax,
    binary,
    blas,
    cholesky_ops,
    conjugation,
    conversion,
    covariance,
    creation,
    cross,
    eigh_ops,
    exponents,
    fill_diagonal,
    gcd,
    histograms,
    householder_ops,
    index_builders,
    index_ops,
    indexing,
    inner,
    inplace,
    lerp,
    linalg,
    logcumsumexp,
    logit,
    lu_ops,
    matrix_chains,
    matrix_exp,
    matrix_norms,
    nan_reductions,
    norms,
    pointwise,
    polygamma,
    pseudoinverse,
    python_apply,
    qr_ops,
    quantiles,
    queries,
    rearranging,
    reduction,
    resizing,
    rounding,
    sampling,
    scan,
    scatter,
    sections,
    shape,
    signs,
    sorting,
    stacking,
    strided,
    sum_to,
    svd_decomposition,
    unary,
    unfold,
    view_inplace,
    views,
)


def _record_stream(self, stream):
    """PyTorch's ``Tensor.record_stream`` (ember/cuda/_record_stream.py; imported late: ember.cuda needs ops)."""
    from ..cuda._record_stream import record_stream

    record_stream(self, stream)


def _where(self, condition, other):
    return pointwise.where(condition, self, other)


def _new_factory(factory):
    def method(self, *sizes, size=None, dtype=None, layout=None, device=None, pin_memory=False,
               requires_grad=False):
        return factory(*(sizes if size is None else (size,)), dtype=dtype or self._dtype,
                       device=device or self._device, requires_grad=requires_grad)
    method.__name__ = "new_" + factory.__name__
    return method


def _new_full(self, size, fill_value, *, dtype=None, layout=None, device=None, pin_memory=False,
              requires_grad=False):
    return creation.full(size, fill_value, dtype=dtype or self._dtype, device=device or self._device,
                         requires_grad=requires_grad)


def _new_tensor(self, data, *, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False):
    return creation.tensor(data, dtype=dtype or self._dtype, device=device or self._device,
                           requires_grad=requires_grad)


def _new(self, *args, device=None):
    """PyTorch's legacy ``Tensor.new`` (old code's ``weight.new(n, h).zero_()``): the typed constructors'
    ``new(*sizes)`` (uninitialised) or ``new(data)``, of this tensor's dtype and, by default, device."""
    return creation.legacy_new(Tensor, args, self._device if device is None else device, self._dtype)


_METHODS = {
    # arithmetic and math (add, sub, mul, div, pow: binary registry entries)
    "reciprocal": pointwise.reciprocal,
    **unary.FUNCTIONS,
    "round": rounding.round,
    **binary.FUNCTIONS,
    "square": pointwise.square, "clamp": pointwise.clamp, "clip": pointwise.clamp, "maximum": pointwise.maximum,
    "minimum": pointwise.minimum, "where": _where, "masked_fill": pointwise.masked_fill,
    "sigmoid": activation.sigmoid, "relu": activation.relu, "softmax": activation.softmax,
    "log_softmax": activation.log_softmax,
    "eq": pointwise.eq, "ne": pointwise.ne, "lt": pointwise.lt, "le": pointwise.le, "gt": pointwise.gt,
    "ge": pointwise.ge, "logical_not": pointwise.logical_not, "logical_and": pointwise.logical_and,
    "logical_or": pointwise.logical_or, "logical_xor": pointwise.logical_xor,
    "matmul": linalg.matmul, "mm": linalg.mm, "mv": linalg.mv, "dot": linalg.dot, "outer": linalg.outer,
    # reductions
    **reduction.FUNCTIONS, "norm": matrix_norms.tensor_norm, "logsumexp": norms.logsumexp,
    "count_nonzero": norms.count_nonzero,
    "isclose": norms.isclose, "allclose": norms.allclose, "clamp_min": pointwise.clamp_min,
    "clamp_max": pointwise.clamp_max,
    # scans and sorting
    "cumsum": scan.cumsum, "cumprod": scan.cumprod, "cummax": scan.cummax, "cummin": scan.cummin,
    "sort": sorting.sort, "argsort": sorting.argsort, "msort": sorting.msort, "topk": sorting.topk,
    "kthvalue": sorting.kthvalue, "median": sorting.median, "nanmedian": sorting.nanmedian, "mode": sorting.mode,
    "unique": sorting.unique, "unique_consecutive": sorting.unique_consecutive,
    # shape
    "view": views.view, "view_as": views.view_as, "reshape": views.reshape, "reshape_as": views.reshape_as,
    "flatten": views.flatten, "unflatten": views.unflatten, "squeeze": views.squeeze,
    "unsqueeze": views.unsqueeze, "transpose": views.transpose, "swapaxes": views.swapaxes,
    "permute": views.permute, "t": views.t, "expand": views.expand, "expand_as": views.expand_as,
    "broadcast_to": views.broadcast_to, "contiguous": views.contiguous, "clone": views.clone,
    "narrow": views.narrow, "select": views.select, "storage_offset": views.storage_offset,
    "sum_to_size": sum_to.sum_to_size,
    "split": shape.split_method, "chunk": shape.chunk, "unbind": shape.unbind, "movedim": shape.movedim,
    "moveaxis": shape.movedim, "diagonal": shape.diagonal, "flip": shape.flip_method, "roll": shape.roll,
    "tril": shape.tril, "triu": shape.triu, "diag": shape.diag, "repeat": shape.repeat,
    "swapdims": views.transpose, "as_strided": strided.as_strided, "fliplr": shape.fliplr, "flipud": shape.flipud,
    "tensor_split": sections.tensor_split, "hsplit": sections.hsplit, "vsplit": sections.vsplit,
    "dsplit": sections.dsplit, "split_with_sizes": shape.split_with_sizes,
    "unsafe_split": shape.unsafe_split, "unsafe_chunk": shape.unsafe_chunk,
    "unsafe_split_with_sizes": shape.unsafe_split_with_sizes, **view_inplace.METHODS,
    # conversions
    "to": conversion.to, "cpu": conversion.cpu, "cuda": conversion.cuda, "record_stream": _record_stream,
    "float": conversion.float_,
    "double": conversion.double, "half": conversion.half, "long": conversion.long, "int": conversion.int_,
    "bool": conversion.bool_, "byte": conversion.byte, "char": conversion.char, "short": conversion.short,
    "type_as": conversion.type_as, "type": conversion.type_,
    "new_zeros": _new_factory(creation.zeros), "new_ones": _new_factory(creation.ones),
    "new_empty": _new_factory(creation.empty), "new_full": _new_full, "new_tensor": _new_tensor,
    "new": _new,
    # in place
    "fill_": inplace.fill_, "zero_": inplace.zero_, "copy_": inplace.copy_,
    "fill_diagonal_": fill_diagonal.fill_diagonal_,
    "apply_": python_apply.apply_, "map_": python_apply.map_,
    "resize_": resizing.resize_, "resize_as_": resizing.resize_as_, "resize": resizing.resize,
    "resize_as": resizing.resize_as,
    **sampling.METHODS,  # bernoulli, multinomial, uniform_, normal_, random_, exponential_...
    # Python operators
    "__matmul__": linalg.matmul, "__neg__": unary.FUNCTIONS["neg"], "__abs__": unary.FUNCTIONS["abs"],
    "__pos__": conjugation.positive, "__invert__": binary.invert,
    **binary.OPERATORS,
    "__eq__": pointwise.eq, "__ne__": pointwise.ne, "__lt__": pointwise.lt, "__le__": pointwise.le,
    "__gt__": pointwise.gt, "__ge__": pointwise.ge,
    "__getitem__": indexing.getitem, "__setitem__": indexing.setitem,
    # matrix products (issue 7)
    "bmm": linalg.bmm, "vdot": linalg.vdot, "ger": linalg.ger, "addmm": blas.addmm, "addmv": blas.addmv,
    "addr": blas.addr, "baddbmm": blas.baddbmm, "addbmm": blas.addbmm, "lerp": lerp.lerp, "unfold": unfold.unfold,
    "addcmul": addcmul.addcmul, "addcdiv": addcmul.addcdiv, "logit": logit.logit,
    **scatter.FUNCTIONS,
    **index_ops.FUNCTIONS,
    # everyday ops composed of existing ones (session 7, helper ops)
    "ravel": stacking.ravel, "tile": stacking._tile_method, "kron": rearranging.kron, "rot90": rearranging.rot90,
    "diff": rearranging.diff, "trace": rearranging.trace, "diag_embed": rearranging.diag_embed,
    "diagflat": rearranging.diagflat, "argwhere": index_builders.argwhere, "bincount": index_builders.bincount,
    "nan_to_num": nan_reductions.nan_to_num, "nansum": nan_reductions.nansum, "nanmean": nan_reductions.nanmean,
    "signbit": signs.signbit, "sgn": signs.sgn, "heaviside": signs.heaviside, "gcd": gcd.gcd, "lcm": gcd.lcm,
    "logcumsumexp": logcumsumexp.logcumsumexp, "cross": cross.cross,
    "matrix_power": matrix_chains.matrix_power, "matrix_exp": matrix_exp.matrix_exp,
    # session 8: math ops
    "float_power": exponents.float_power, "float_power_": exponents.float_power_, "ldexp": exponents.ldexp,
    "frexp": exponents.frexp, "aminmax": aminmax.aminmax, "dist": norms.dist,
    "renorm": norms.renorm, "cov": covariance.cov, "corrcoef": covariance.corrcoef, "histc": histograms.histc,
    "histogram": histograms.histogram, "quantile": quantiles.quantile, "nanquantile": quantiles.nanquantile,
    "inner": inner.inner,
    # everyday basics (session 8)
    "nonzero": index_builders.nonzero, "equal": norms.equal_method,
    **queries.METHODS, **conjugation.METHODS,
    "polygamma": polygamma.polygamma_method, "mvlgamma": polygamma.mvlgamma,
    # the LU/Cholesky family (session 8)
    "det": lu_ops.det, "slogdet": lu_ops.legacy_slogdet, "logdet": lu_ops.logdet, "inverse": lu_ops.inverse,
    "cholesky_solve": cholesky_ops.cholesky_solve,
    # the QR and symmetric eigen decompositions (session 9)
    "qr": qr_ops.legacy_qr, "symeig": eigh_ops.symeig, "orgqr": householder_ops.orgqr,
    "geqrf": qr_ops.geqrf,
    "svd": svd_decomposition.legacy_svd, "pinverse": pseudoinverse.pinverse,
}

# In-place versions: name_ -> out-of-place op (and whether that op accepts out=).
_INPLACE = {
    "nan_to_num_": (nan_reductions.nan_to_num, True), "sgn_": (signs.sgn, False), "gcd_": (gcd.gcd, False),
    "lcm_": (gcd.lcm, False), "heaviside_": (signs.heaviside, False),
    "clamp_": (pointwise.clamp, True),
    **{name + "_": (unary.FUNCTIONS[name], True) for name in unary.IN_PLACE},
    "round_": (rounding.round, True),
    **{name + "_": (binary.FUNCTIONS[name], True) for name in binary.IN_PLACE},
    **{name + "_": (compared, False) for name, compared in binary.COMPARED_IN_PLACE.items()},
    **{name + "_": (getattr(pointwise, name), False) for name in ("logical_and", "logical_or", "logical_xor",
                                                                   "logical_not")},
    "clip_": (pointwise.clamp, True), "clamp_min_": (pointwise.clamp_min, True),
    "clamp_max_": (pointwise.clamp_max, True), "sigmoid_": (activation.sigmoid, False),
    "relu_": (activation.relu, False), "reciprocal_": (pointwise.reciprocal, False),
    "square_": (pointwise.square, True),
    **{name + "_": (blas.in_place_form(getattr(blas, name)), False)
       for name in ("addmm", "addmv", "addr", "baddbmm", "addbmm")},
    "lerp_": (lerp.lerp, False), "tril_": (shape.tril, False), "triu_": (shape.triu, False),
    "addcmul_": (addcmul.addcmul, True), "addcdiv_": (addcmul.addcdiv, True), "logit_": (logit.logit, True),
    "renorm_": (norms.renorm, True), "ldexp_": (exponents.ldexp, True),
    "polygamma_": (polygamma.polygamma_method, True), "mvlgamma_": (polygamma.mvlgamma, True),
}
INPLACE_METHODS = {name: inplace.make_inplace(op, name, writes_out) for name, (op, writes_out) in _INPLACE.items()}
INPLACE_METHODS["masked_fill_"] = inplace.make_inplace(pointwise.masked_fill, "masked_fill_", False,
                                                       inplace.begin_masked_fill)
INPLACE_METHODS.update(scan.INPLACE_METHODS)
INPLACE_METHODS.update(scatter.INPLACE_METHODS, **index_ops.INPLACE_METHODS)
_IN_OPERATORS = binary.IN_OPERATORS


def bind() -> None:
    """Install every op as a Tensor method (run once when ember is imported)."""
    for name, fn in _METHODS.items():
        setattr(Tensor, name, fn)
    for name, fn in INPLACE_METHODS.items():
        setattr(Tensor, name, fn)
    for name, target in _IN_OPERATORS.items():
        setattr(Tensor, name, INPLACE_METHODS[target])
    Tensor.T = property(views.T, doc="All dims reversed.")  # type: ignore[attr-defined]
    Tensor.mT = property(views.mT, doc="The last two dims swapped.")  # type: ignore[attr-defined]
    for name, attribute in {**queries.PROPERTIES, **conjugation.PROPERTIES}.items():
        setattr(Tensor, name, attribute)
