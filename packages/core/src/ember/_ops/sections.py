"""Splitting into sections (``tensor_split``, ``hsplit``, ``vsplit``, ``dsplit``): pieces as slices of the
input, each its own view with a SliceBackward0 node, as PyTorch's."""
from __future__ import annotations

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from .dispatch import profiled, type_name
from .views import UNSET, missing_argument, slice_dim

_FORMS = ("tensor_split() received an invalid combination of arguments - got (Tensor, {}), but expected one of:\n"
          " * (Tensor input, tuple of ints indices, int dim = 0)\n"
          " * (Tensor input, Tensor tensor_indices_or_sections, int dim = 0)\n"
          " * (Tensor input, int sections, int dim = 0)\n")


def _section_bounds(size: int, sections: int) -> list:
    """Where each of `sections` near-equal pieces of a dim of `size` starts (the first size % sections
    pieces one element longer)."""
    if sections <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
    step, longer = divmod(size, sections)
    return [i * step + min(i, longer) for i in range(1, sections)]


def _split_points(size: int, indices_or_sections) -> list:
    if isinstance(indices_or_sections, Tensor):
        t = indices_or_sections
        if t._dtype is not _dtype.int64:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                               f"{type_name(t._dtype)}")
        if t.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               f"one-dimensional tensor, but got a tensor with {t.ndim} dims")
        indices_or_sections = t.item() if t.ndim == 0 else t.tolist()
    if isinstance(indices_or_sections, bool) or not isinstance(indices_or_sections, (int, tuple, list)) or (
            not isinstance(indices_or_sections, int) and not all(isinstance(i, int) for i in indices_or_sections)):
        raise TypeError(_FORMS.format(type(indices_or_sections).__name__))
    if isinstance(indices_or_sections, int):
        return _section_bounds(size, indices_or_sections)
    return list(indices_or_sections)


# The keywords PyTorch names each form of the split-into-pieces ops by, and what each must be.
_FORM_KEYWORDS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "sections": (int, "int"), "indices": ((tuple, list), "tuple of ints"),
    "tensor_indices_or_sections": (Tensor, "Tensor")}


def pieces_argument(op: str, positional, **named):
    """The sections (an int) or split indices of `op`, given positionally or by the keyword of its form
    (``t.tensor_split(sections=2)``, ``t.vsplit(indices=[1])``, ``tensor_indices_or_sections=``); none, two,
    or a value not of its keyword's form are PyTorch's TypeErrors."""
    given = {key: value for key, value in named.items() if value is not UNSET}
    if positional is not UNSET:
        if given:
            raise TypeError(f"{op}() got multiple values for argument '{next(iter(given))}'")
        return positional
    if not given:
        raise missing_argument(op, "indices_or_sections")
    if len(given) > 1:
        raise TypeError(f"{op}() got multiple values for argument '{list(given)[1]}'")
    (key, value), = given.items()
    kinds, expected = _FORM_KEYWORDS[key]
    if not isinstance(value, kinds) or isinstance(value, bool):
        raise TypeError(f"{op}(): argument '{key}' must be {expected}, not {type(value).__name__}")
    return value


@profiled("aten::tensor_split")
def tensor_split(input, indices_or_sections=UNSET, dim=0, *, sections=UNSET, indices=UNSET,
                 tensor_indices_or_sections=UNSET):
    """`input` split along `dim` into `indices_or_sections` near-equal pieces (an int), or at the listed
    indices (a sequence, or an int64 tensor of 0 or 1 dims), each a view (Python's slice bounds)."""
    indices_or_sections = pieces_argument("tensor_split", indices_or_sections, sections=sections, indices=indices,
                                          tensor_indices_or_sections=tensor_indices_or_sections)
    if input.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    d = _wrap_dim(dim, input.ndim, "tensor_split")
    size = input._data.shape[d]
    points = _split_points(size, indices_or_sections)
    starts, stops = [0, *points], [*points, size]
    return tuple(slice_dim(input, d, start, stop, 1) for start, stop in zip(starts, stops))


def _directional(name: str, dim: int, least: int):
    """hsplit/vsplit/dsplit: tensor_split along `dim` of a tensor of at least `least` dims, whose sections
    must divide it."""
    def split(input, indices_or_sections=UNSET, *, sections=UNSET, indices=UNSET):
        indices_or_sections = pieces_argument(name, indices_or_sections, sections=sections, indices=indices)
        if input.ndim < least:
            raise RuntimeError(f"ember.{name} requires a tensor with at least {least} dimension, but got a tensor "
                               f"with {input.ndim} dimensions!")
        d = 0 if name == "hsplit" and input.ndim == 1 else dim
        if isinstance(indices_or_sections, int) and not isinstance(indices_or_sections, bool):
            size = input._data.shape[d]
            if indices_or_sections == 0 or size % indices_or_sections:
                raise RuntimeError(f"ember.{name} attempted to split along dimension {d}, but the size of the "
                                   f"dimension {size} is not divisible by the split_size {indices_or_sections}!")
        return tensor_split(input, indices_or_sections, d)
    split.__name__ = split.__qualname__ = name
    split.__doc__ = f"``tensor_split`` along dim {dim} (as torch.{name}), the sections dividing it exactly."
    return split


hsplit = _directional("hsplit", 1, 1)
vsplit = _directional("vsplit", 0, 2)
dsplit = _directional("dsplit", 2, 3)
