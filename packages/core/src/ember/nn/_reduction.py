"""Losses' ``reduction`` argument, and the legacy ``size_average``/``reduce`` pair it replaced."""

from __future__ import annotations

import warnings


def legacy_get_string(
    size_average: bool | None, reduce: bool | None, emit_warning: bool = True, *, stacklevel: int = 3
) -> str:
    """The ``reduction`` that the deprecated ``size_average``/``reduce`` flags mean (None counts as True)."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        reduction = "mean"
    elif reduce:
        reduction = "sum"
    else:
        reduction = "none"
    if emit_warning:
        warnings.warn(
            f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.",
            stacklevel=stacklevel,
        )
    return reduction


def resolve(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """``reduction``, or what the legacy flags mean when either is given (warned at the caller's caller)."""
    if size_average is None and reduce is None:
        return reduction
    return legacy_get_string(size_average, reduce, stacklevel=4)


def check(reduction: str) -> None:
    """Reject an unknown ``reduction`` with PyTorch's ValueError."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
