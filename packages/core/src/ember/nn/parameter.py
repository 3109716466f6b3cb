"""`nn.Parameter`: a Tensor that a Module registers as one of its learnable parameters."""

from __future__ import annotations

from typing import Any, cast

import ember
from ember._tensor import Tensor


class Parameter(Tensor):
    """A Tensor that, assigned as a Module attribute, is added to the module's parameters.

    It shares memory and the version counter with ``data``, and requires grad by default, even under
    ``no_grad``.
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            data = ember.empty(0)
        elif not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): data must be a Tensor, but got {type(data).__name__}")
        if requires_grad and not data._dtype.is_floating_point:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        param = cast(Parameter, cls._make(data._data, data._dtype, data._device, requires_grad))
        param._version = data._version_counter
        return param

    # Tensor.__repr__'s keyword-only ``tensor_contents`` is passed on; mypy drops the names of a dunder
    # method's parameters, and so misreads both the override and the keyword call.
    def __repr__(self, *, tensor_contents: object = None) -> str:  # type: ignore[override]
        tensor_text = super().__repr__(tensor_contents=tensor_contents)  # type: ignore[call-arg]
        return "Parameter containing:\n" + tensor_text

    def __reduce_ex__(self, protocol: object) -> tuple:
        return (type(self), (self.detach(), self.requires_grad))


_UNINITIALIZED_USE = (
    "Attempted to use an uninitialized parameter in {}. This error happens when you are using a `LazyModule` or "
    "explicitly manipulating `ember.nn.parameter.UninitializedParameter` objects. When using LazyModules Call "
    "`forward` with a dummy batch to initialize the parameters before calling ember functions"
)


class _Uninitialized:
    """What a lazy module's uninitialised parameter and buffer share: a dtype and a device (moved and cast with
    its module) but no shape until `materialize` turns it, in place, into a `cls_to_become` of a given shape."""

    cls_to_become: type
    data: Tensor
    device: Any
    dtype: Any

    def materialize(self, shape: tuple[int, ...], device: object = None, dtype: object = None) -> None:
        """Become a `cls_to_become` of `shape` (uninitialised values), on this tensor's device and dtype unless
        given; every reference to it (a module's, an optimizer's) sees the change."""
        data = ember.empty(shape, device=self.device if device is None else device,
                           dtype=self.dtype if dtype is None else dtype)
        self.__class__ = self.cls_to_become
        self.data = data

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually happens in "
            "`load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call "
            "`forward` to initialize the parameters before accessing their attributes."
        )

    def dim(self) -> int:
        raise ValueError(_UNINITIALIZED_USE.format("dim"))

    def numel(self) -> int:
        raise ValueError(_UNINITIALIZED_USE.format("numel"))

    def __repr__(self, *, tensor_contents: object = None) -> str:
        return f"<{type(self).__name__}>"


class UninitializedParameter(_Uninitialized, Parameter):  # type: ignore[misc]
    """A lazy module's parameter before its shape is known; `materialize` makes it a plain `Parameter`."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device: object = None, dtype: object = None) -> UninitializedParameter:
        return cast(UninitializedParameter, Parameter.__new__(cls, ember.empty(0, device=device, dtype=dtype),
                                                              requires_grad))

    def __reduce_ex__(self, protocol: object) -> tuple:
        return (type(self), (self.requires_grad, self.device, self.dtype))


class Buffer(Tensor):
    """A Tensor that, assigned as a Module attribute, is registered as a buffer of that module (in its state
    dict unless ``persistent=False``). It shares memory and the version counter with ``data``, detached from
    its history, and requires grad as ``data`` does. (PyTorch's is a plain Tensor flagged as a buffer; ember's
    is this subclass, as `Parameter` is one.)"""

    persistent: bool

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Buffer:
        if data is None:
            data = ember.empty(0)
        elif not isinstance(data, Tensor):
            raise TypeError(f"Buffer(): data must be a Tensor, but got {type(data).__name__}")
        buffer = cast(Buffer, cls._make(data._data, data._dtype, data._device, data._requires_grad))
        buffer._version = data._version_counter
        buffer.persistent = persistent
        return buffer

    def __reduce_ex__(self, protocol: object) -> tuple:
        return (_rebuild_buffer, (self.detach(), self.requires_grad, self.persistent))


def _rebuild_buffer(data: Tensor, requires_grad: bool, persistent: bool) -> Buffer:
    return Buffer(data.requires_grad_(requires_grad), persistent=persistent)


class UninitializedBuffer(_Uninitialized, Buffer):  # type: ignore[misc]
    """A lazy module's buffer before its shape is known; `materialize` makes it a `Buffer` (PyTorch's becomes
    a Tensor flagged as a buffer, which is what ember's Buffer is)."""

    cls_to_become = Buffer

    def __new__(cls, requires_grad: bool = False, device: object = None, dtype: object = None,
                persistent: bool = True) -> UninitializedBuffer:
        data = ember.empty(0, device=device, dtype=dtype).requires_grad_(requires_grad)
        return cast(UninitializedBuffer, Buffer.__new__(cls, data, persistent=persistent))

    def __reduce_ex__(self, protocol: object) -> tuple:
        return (type(self), (self.requires_grad, self.device, self.dtype, self.persistent))
