"""`default_collate` (samples into a batch) and `default_convert` (one sample's arrays into tensors), with
PyTorch's rules for tensors, numpy arrays and scalars, numbers, strings, mappings, namedtuples and sequences."""
from __future__ import annotations

import collections.abc
from collections.abc import Sequence
from typing import Any

import numpy as np

from ... import _dtype
from ..._ops.creation import as_tensor, tensor
from ..._ops.joining import stack
from ..._tensor import Tensor

_ERROR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def _is_namedtuple(value) -> bool:
    return isinstance(value, tuple) and hasattr(value, "_fields")


def _rebuilt(elem, values):
    """A container of `elem`'s type holding `values` (a dict or list when that type cannot be built so)."""
    try:
        return type(elem)(values)
    except TypeError:
        return dict(values) if isinstance(elem, collections.abc.Mapping) else list(values)


def default_collate(batch: Sequence) -> Any:
    """Stack a list of samples into a batch: tensors stacked along a new first dim, numpy arrays and
    numbers made tensors (floats float64, ints int64), strings kept as a list, and mappings, namedtuples
    and sequences collated field by field (a tuple's fields come back as a list, as in PyTorch)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if isinstance(elem, (np.ndarray, np.generic)) and not isinstance(elem, (np.str_, np.bytes_)):
        if elem.dtype.kind in "SaUO":
            raise TypeError(_ERROR.format(elem.dtype))
        if isinstance(elem, np.ndarray) and elem.shape:
            return default_collate([as_tensor(b) for b in batch])
        return as_tensor(np.asarray(batch)) if isinstance(elem, np.ndarray) else tensor(batch)
    if isinstance(elem, float):
        return tensor(batch, dtype=_dtype.float64)
    if isinstance(elem, int):
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _rebuilt(elem, {key: default_collate([d[key] for d in batch]) for key in elem})
    if _is_namedtuple(elem):
        return type(elem)(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if not all(len(e) == size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = [default_collate(samples) for samples in zip(*batch)]
        return transposed if isinstance(elem, tuple) else _rebuilt(elem, transposed)
    raise TypeError(_ERROR.format(type(elem)))


def default_convert(data: Any) -> Any:
    """One sample as its tensors: numpy arrays become tensors (sharing memory), containers are
    converted element by element, everything else is left as it is (the collate_fn without batching)."""
    if isinstance(data, np.ndarray) and data.dtype.kind not in "SaUO":
        return as_tensor(data)
    if isinstance(data, np.generic) and not isinstance(data, (np.str_, np.bytes_)):
        return tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuilt(data, {key: default_convert(data[key]) for key in data})
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuilt(data, [default_convert(d) for d in data])
    return data
