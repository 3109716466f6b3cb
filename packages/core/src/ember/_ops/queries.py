"""PyTorch's questions about a tensor that read no values (one reads one): is_signed, is_complex,
is_nonzero, is_same_size, is_inference, is_neg, is_conj, get_device, the byte sizes and is_pinned. ember has
no complex dtypes and no lazily negated or conjugated views, so is_complex, is_neg and is_conj are False for
every tensor."""
from __future__ import annotations

from .._tensor import Tensor


def tensor_argument(value, op: str, name: str = "input", position: int | None = 1) -> Tensor:
    """`value`, or PyTorch's TypeError naming the op's parameter (and its position, unless keyword-only) when
    it is not a tensor."""
    if not isinstance(value, Tensor):
        where = "" if position is None else f" (position {position})"
        raise TypeError(f"{op}(): argument '{name}'{where} must be Tensor, not {type(value).__name__}")
    return value


def is_signed(input) -> bool:
    """Whether the tensor's dtype holds negative numbers (the floats and the signed integers)."""
    return tensor_argument(input, "is_signed")._dtype.is_signed


def is_complex(input) -> bool:
    """Whether the tensor's dtype is complex: never, in ember."""
    return tensor_argument(input, "is_complex")._dtype.is_complex


def is_neg(input) -> bool:
    """Whether the tensor is a lazily negated view (PyTorch's of complex conjugates): never, in ember."""
    tensor_argument(input, "is_neg")
    return False


def is_conj(input) -> bool:
    """Whether the tensor is a lazily conjugated view: never, in ember (no complex dtypes)."""
    tensor_argument(input, "is_conj")
    return False


def is_nonzero(input) -> bool:
    """Whether a one-element tensor's value is not zero (NaN counts as nonzero); PyTorch's error otherwise."""
    return bool(tensor_argument(input, "is_nonzero"))


def is_same_size(input, other) -> bool:
    """Whether both tensors have the same shape."""
    tensor_argument(input, "is_same_size")
    return tuple(input._data.shape) == tuple(tensor_argument(other, "is_same_size", "other", 2)._data.shape)


def is_inference(input) -> bool:
    """Whether the tensor is an inference tensor (made in inference mode, or a view of one)."""
    return tensor_argument(input, "is_inference").is_inference()


def get_device(input) -> int:
    """The index of the tensor's device, -1 on the CPU."""
    return tensor_argument(input, "get_device").get_device()


def _is_same_size_method(self, other) -> bool:
    return is_same_size(self, tensor_argument(other, "is_same_size", "other", 1))


def _nbytes(self) -> int:
    """The bytes of the tensor's elements (numel times the element size; not its storage's size)."""
    return self.numel() * self._dtype.itemsize


def _itemsize(self) -> int:
    """The size of one element in bytes."""
    return self._dtype.itemsize


def _is_cpu(self) -> bool:
    """Whether the tensor lives on the CPU."""
    return self._device.type == "cpu"


def _is_pinned(self, device=None) -> bool:
    """Whether the tensor is in page-locked host memory: never, ember has no pinned allocator."""
    return False


def _pin_memory(self, device=None):
    """A copy in page-locked host memory: PyTorch's error without an accelerator; with one, ember's own
    (no backend provides a pinned allocator)."""
    from .. import accelerator

    accelerator._usable()
    raise RuntimeError("pin_memory(): ember has no pinned (page-locked) memory allocator; tensors stay in "
                       "pageable memory")


FUNCTIONS = {"is_signed": is_signed, "is_inference": is_inference, "is_complex": is_complex, "is_neg": is_neg,
             "is_conj": is_conj, "is_nonzero": is_nonzero, "is_same_size": is_same_size}
METHODS = {**{name: fn for name, fn in FUNCTIONS.items() if name != "is_inference"},  # Tensor's own method
           "is_same_size": _is_same_size_method, "is_pinned": _is_pinned, "pin_memory": _pin_memory}
PROPERTIES = {name: property(getter, doc=getter.__doc__)
              for name, getter in (("nbytes", _nbytes), ("itemsize", _itemsize), ("is_cpu", _is_cpu))}
