"""Memory formats (torch.memory_format): the order in memory of a dense tensor's dims that ``contiguous``,
``clone``, ``to``, ``empty`` and the ``*_like`` factories are asked for, and PyTorch's rules that read a
format back from a tensor's strides (``is_contiguous(memory_format=)``, its ``suggest_memory_format``)."""
from __future__ import annotations


class memory_format:
    """A layout request, as torch.memory_format: row-major, channels-last (NHWC, NDHWC) or the input's own."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"ember.{self.name}"

    def __reduce__(self) -> str:  # pickled as the module attribute of its name, so it stays a singleton
        return self.name


contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")

# The dims of a channels-last format from the fastest-moving to the slowest: the channels, the spatial dims
# from the last, the batch (PyTorch's {1, 3, 2, 0}); the format's rank is their number.
_ORDERS = {channels_last: (1, 3, 2, 0), channels_last_3d: (1, 4, 3, 2, 0)}


def parse(value, op: str, default: memory_format | None = None) -> memory_format:
    """`value` as a memory format, None taken as `default` where the op has one (PyTorch's optional
    ``memory_format``), else PyTorch's TypeError."""
    if value is None and default is not None:
        return default
    if not isinstance(value, memory_format):
        raise TypeError(f"{op}(): argument 'memory_format' must be ember.memory_format, not {type(value).__name__}")
    return value


def channels_last_strides(shape, fmt: memory_format) -> tuple:
    """The strides of a new `shape` tensor in channels-last format `fmt` (PyTorch's
    get_channels_last_strides_2d/3d: a size-0 or size-1 dim is counted as it is); RuntimeError when `shape`
    does not have the format's rank."""
    order = _ORDERS[fmt]
    if len(shape) != len(order):
        raise RuntimeError(f"required rank {len(order)} tensor to use {fmt.name} format")
    strides, step = [0] * len(order), 1
    for d in order:
        strides[d] = step
        step *= shape[d]
    return tuple(strides)


def is_channels_last_contiguous(shape, strides, fmt: memory_format) -> bool:
    """Whether (shape, strides) is dense in channels-last format `fmt`'s dim order (size-1 dims free): PyTorch's
    is_contiguous(memory_format=channels_last); False for another rank."""
    order = _ORDERS[fmt]
    if len(shape) != len(order):
        return False
    expected = 1
    for d in order:
        if shape[d] != 1:
            if strides[d] != expected:
                return False
            expected *= shape[d]
    return True


def suggest(shape, strides) -> memory_format:
    """The format a (shape, strides) tensor's strides look like (PyTorch's suggest_memory_format): a
    channels-last one when its dims' strides grow in that format's order, else contiguous_format."""
    for fmt in (channels_last, channels_last_3d):
        if len(shape) == len(_ORDERS[fmt]) and _strides_like(shape, strides, _ORDERS[fmt]):
            return fmt
    return contiguous_format


def _strides_like(shape, strides, order: tuple) -> bool:
    """PyTorch's is_channels_last_strides_2d/3d: the strides non-decreasing along `order`, ambiguous cases
    (a zero channel stride, an empty dim, N111 tensors, 1C1W permutations) read as row-major."""
    if strides[1] == 0:
        return False
    smallest = 0
    for d in order:
        if shape[d] == 0 or strides[d] < smallest:
            return False
        if d == 0 and smallest == strides[1]:
            return False
        smallest = strides[d] * shape[d] if shape[d] > 1 else strides[d]
    return True


def suggested_strides(shape, strides, result_shape) -> tuple | None:
    """The strides of a new `result_shape` tensor in the format a (shape, strides) input suggests, as
    PyTorch's kernels allocate results (``empty(..., memory_format=input.suggest_memory_format())``); None
    for row-major."""
    fmt = suggest(shape, strides)
    return None if fmt is contiguous_format else channels_last_strides(result_shape, fmt)
