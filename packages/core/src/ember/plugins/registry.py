"""What plugins register (device types, kernels by priority) and the kernel tables built from it."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from .streams import StreamHooks

# The backend contract (docs/internals.md): core composes every other op, and every gradient, from these.
REQUIRED_KERNELS: tuple[str, ...] = (
    "empty", "full", "arange", "uniform", "normal", "from_numpy", "to_numpy", "copy_", "astype",
    "neg", "exp", "log", "sin", "cos", "tanh", "sqrt", "abs", "sign",
    "exp2", "expm1", "log2", "log10", "log1p", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh",
    "atanh", "floor", "ceil", "trunc", "round", "erf", "erfc", "lgamma", "digamma", "erfinv", "i0",
    "add", "sub", "mul", "div", "pow", "maximum", "minimum",
    "eq", "ne", "lt", "le", "gt", "ge",
    "floor_divide", "remainder", "fmod", "atan2", "copysign", "logaddexp", "logaddexp2", "hypot", "nextafter",
    "igamma", "igammac",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift", "bitwise_not",
    "where", "sum", "max", "argmax", "matmul",
    "strides", "as_strided", "contiguous", "index", "index_put_",
    "cumsum", "cumprod", "sort",
    "index_reduce_",
)
# Faster versions of ops core otherwise composes (and the decompositions core cannot compose); a missing one is
# None in the kernel table.
OPTIONAL_KERNELS: tuple[str, ...] = (
    "reshape", "permute", "slice", "storage_offset", "is_contiguous",
    # a buffer's bytes read as another dtype (Tensor.view(dtype)): core has no composition, so a device without it
    # refuses view(dtype) with a NotImplementedError naming the op and the device
    "view_dtype",
    "relu", "sigmoid", "min", "argmin", "cat",
    "softmax", "log_softmax", "cross_entropy", "binary_cross_entropy_with_logits", "sgd_step",
    "adam_step", "lerp",
    # fused kernels of a training step (core composes each from required kernels when it is missing)
    "addmm", "threshold_backward", "softmax_backward", "log_softmax_backward", "cross_entropy_backward",
    "mse_loss", "mse_loss_backward", "zero_", "copy_to", "tanh_backward", "sigmoid_backward",
    "cross_entropy_checked",
    # DLPack exchange (ember.from_dlpack, Tensor.__dlpack__): without them a device cannot exchange buffers
    "from_dlpack", "to_dlpack", "dlpack_device",
    # the LU/Cholesky family's primitives (ember/_ops/matrix_kernels.py composes each without them)
    "lu_factor", "cholesky", "triangular_solve",
    # the QR and symmetric eigen decompositions: core has no composition, so a device without them refuses
    # linalg.qr / torch.geqrf / linalg.eigh with a NotImplementedError naming the op and the device
    "qr", "geqrf", "eigh",
    # the SVD (ember/_ops/svd_decomposition.py): core has no composition; without it the SVD family is refused
    "svd",
)
# The kernels that make a buffer from nothing but arguments: core calls them with the keyword ``index=``,
# the index of the device the buffer goes to (every other kernel makes its result where its inputs are).
CREATION_KERNELS: tuple[str, ...] = ("empty", "full", "arange", "uniform", "normal", "from_numpy", "from_dlpack")

Kernel = Callable[..., Any]


@dataclass(frozen=True, eq=False)
class DeviceType:
    """A kind of device a plugin provides, such as "cpu": availability, count, queues, RNG and dtypes.

    Attributes:
        name: the device type users name in ``ember.device("cuda:1")``.
        is_available: ``() -> bool``, whether the device can be used on this machine now.
        device_count: ``() -> int``, how many devices of this type there are.
        synchronize: ``(index) -> None``, wait until device ``index`` has finished its queued work.
        new_generator: ``(seed, index) -> generator``, a seeded random state for device ``index``,
            passed to the ``uniform`` and ``normal`` kernels as ``gen``.
        dtypes: the names of the dtypes the device supports ("float32", ...); others are clear errors.
        has_queue: whether kernels run asynchronously on a queue (the profiler then times the device).
        set_device: optional ``(index) -> None``, told when the user makes device ``index`` current
            (``ember.cuda.set_device``); core keeps the current index itself and puts ``'cuda'`` there.
        get_generator_state: optional ``(generator) -> bytes``, the state of a generator `new_generator`
            made, for ``Generator.get_state`` (without it that raises).
        set_generator_state: optional ``(generator, state: bytes) -> generator``, the generator restored to
            a `get_generator_state` (it may be a new object); ValueError for bytes it cannot read.
        notes: optional ``() -> tuple[str, ...]``, lines ``python -m ember info`` shows under the device
            type (which hardware each index is, why a driver was skipped).
        device_properties: optional ``(index) -> Mapping[str, Any]``, PyTorch's device property names and
            values ("name", "major", "minor", "total_memory" in bytes, "multi_processor_count", ...) for
            ``ember.cuda.get_device_properties/get_device_name/get_device_capability``.
        mem_get_info: optional ``(index) -> (free_bytes, total_bytes)`` of device memory (``ember.cuda.mem_get_info``).
        memory_allocated: optional ``(index) -> int``, bytes held by live buffers (``ember.cuda.memory_allocated``).
        memory_reserved: optional ``(index) -> int``, bytes held by the backend's allocator, cached blocks
            included (``ember.cuda.memory_reserved``).
        empty_cache: optional ``() -> None``, release the allocator's cached blocks (``ember.cuda.empty_cache``).
        begin_capture: optional ``(index) -> None``: from now on the kernels of device `index` are captured
            into a graph (on a capture stream, allocating from a pool the graph keeps alive), not run
            (``ember.cuda.CUDAGraph.capture_begin``).
        end_capture: optional ``(index) -> graph``: stop capturing; ``graph.replay()`` relaunches the
            captured work and ``graph.reset()`` frees it (``capture_end``).
        start_timer: optional ``(index) -> token``, record a mark (an event) on device `index`'s queue; the
            profiler records one before and one after each op on the device.
        elapsed_us: optional ``(start_token, end_token) -> float``, the device time in microseconds between
            two marks; it may synchronise: the profiler calls it only when it stops.
        set_num_threads: optional ``(n) -> None``, make the device's kernels compute with `n` host threads
            (``ember.set_num_threads``; the CPU backend sets numpy's BLAS threads). Without it the backend
            keeps its own default.
        get_num_threads: optional ``() -> int``, the host threads the device's kernels compute with now
            (``ember.get_num_threads``).
        streams: optional ``ember.plugins.streams.StreamHooks``, the device type's streams and events
            (``ember.cuda.Stream``/``Event``); without it each device has one queue (core's ``SingleQueue``).
    """

    name: str
    is_available: Callable[[], bool]
    device_count: Callable[[], int]
    synchronize: Callable[[int], None]
    new_generator: Callable[[int, int], Any]
    dtypes: frozenset[str]
    has_queue: bool = False
    set_device: Callable[[int], None] | None = None
    get_generator_state: Callable[[Any], bytes] | None = None
    set_generator_state: Callable[[Any, bytes], Any] | None = None
    notes: Callable[[], tuple[str, ...]] | None = None
    device_properties: Callable[[int], Mapping[str, Any]] | None = None
    mem_get_info: Callable[[int], tuple[int, int]] | None = None
    memory_allocated: Callable[[int], int] | None = None
    memory_reserved: Callable[[int], int] | None = None
    empty_cache: Callable[[], None] | None = None
    begin_capture: Callable[[int], None] | None = None
    end_capture: Callable[[int], Any] | None = None
    start_timer: Callable[[int], Any] | None = None
    elapsed_us: Callable[[Any, Any], float] | None = None
    set_num_threads: Callable[[int], None] | None = None
    get_num_threads: Callable[[], int] | None = None
    streams: StreamHooks | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "dtypes", frozenset(self.dtypes))

    def __repr__(self) -> str:
        return f"DeviceType({self.name!r}, dtypes={sorted(self.dtypes)}, has_queue={self.has_queue})"


class RegistrationConflict(RuntimeError):
    """Two registrations that load order would otherwise decide between; `device` is the one affected."""

    def __init__(self, device: str, message: str) -> None:
        super().__init__(message)
        self.device = device


class KernelTable:
    """One device's kernels, resolved once: each op is a plain attribute, no lookup per op.

    A missing optional kernel is None (core then composes the op); a missing required kernel is a
    function raising NotImplementedError, so the gap shows where it is hit. A backend may add kernels
    core does not name (a fused ``conv2d``, say): they are attributes too, and ``get(name)`` finds them.
    """

    def __init__(self, device: str, kernels: Mapping[str, Kernel], providers: Mapping[str, str]) -> None:
        self.device = device
        self._providers = dict(providers)
        self._kernels = dict(kernels)
        for op in REQUIRED_KERNELS:
            setattr(self, op, kernels[op] if op in kernels else _missing_kernel(device, op))
        for op in OPTIONAL_KERNELS:
            setattr(self, op, kernels.get(op))
        for op, fn in kernels.items():
            setattr(self, op, fn)

    def get(self, op: str) -> Kernel | None:
        """The kernel named `op` (core's or a backend's own name), or None when none is registered."""
        return self._kernels.get(op)

    def for_index(self, index: int) -> KernelTable:
        """The table of device `index` of this type: each of CREATION_KERNELS gets ``index=index``, bound
        once here so that no op passes it."""
        kernels = {op: partial(fn, index=index) if op in CREATION_KERNELS else fn
                   for op, fn in self._kernels.items()}
        return KernelTable(self.device, kernels, self._providers)

    def wrapped(self, wrap: Callable[[str, Kernel], Kernel]) -> KernelTable:
        """A copy whose every present kernel is ``wrap(op, kernel)`` (the profiler's kernel recording)."""
        table = KernelTable(self.device, {op: wrap(op, fn) for op, fn in self._kernels.items()}, self._providers)
        for op in REQUIRED_KERNELS:
            if op not in self._kernels:
                setattr(table, op, wrap(op, getattr(self, op)))
        return table

    def coverage(self) -> dict[str, str | None]:
        """For every contract op and every extra kernel, the plugin providing it, or None if missing."""
        names = dict.fromkeys(REQUIRED_KERNELS + OPTIONAL_KERNELS + tuple(self._kernels))
        return {op: self._providers.get(op) for op in names}

    def __repr__(self) -> str:
        present = sum(op in self._providers for op in REQUIRED_KERNELS)
        return f"<KernelTable {self.device!r}: {present}/{len(REQUIRED_KERNELS)} required kernels>"


# Names a kernel cannot take: the table's own attributes.
_RESERVED_NAMES = frozenset(name for name in vars(KernelTable) if not name.startswith("__")) | {"device"}


def _missing_kernel(device: str, op: str) -> Kernel:
    def missing(*args: object, **kwargs: object) -> Any:
        raise NotImplementedError(f"device {device!r} has no kernel {op!r} "
                                  "(required by the backend contract)")

    missing.__name__ = op
    return missing


_Checkpoint = tuple[dict[str, tuple[DeviceType, str]], dict[tuple[str, str], dict[int, tuple[Kernel, str]]]]


class Registry:
    """What plugins' hooks fill in: device types and kernels, each credited to the plugin that added it.

    The plugin manager names the plugin whose hooks it is about to call (`_begin`) and, when they
    raise, rolls back (`_rollback`) so that a broken plugin leaves nothing half-registered.
    """

    def __init__(self) -> None:
        self._plugin = "<unnamed>"
        self._devices: dict[str, tuple[DeviceType, str]] = {}
        # (device, op) -> {priority: (kernel, plugin)}: every priority is kept, so that a tie is an
        # error whatever order the plugins came in.
        self._kernels: dict[tuple[str, str], dict[int, tuple[Kernel, str]]] = {}

    def add_device(self, device_type: DeviceType) -> None:
        """Declare a device type; its name must not be declared by any other registration."""
        if not isinstance(device_type, DeviceType):
            raise TypeError(f"add_device() expects an ember.plugins.DeviceType, got "
                            f"{type(device_type).__name__} (plugin {self._plugin!r})")
        name = device_type.name
        if name in self._devices:
            other = self._devices[name][1]
            raise RegistrationConflict(
                name, f"device type {name!r} is declared twice: by plugin {other!r} and by plugin "
                      f"{self._plugin!r}; disable one with EMBER_DISABLED_PLUGINS")
        self._devices[name] = (device_type, self._plugin)

    def add_kernel(self, device: str, op: str, fn: Kernel, priority: int = 0) -> None:
        """Register `fn` as the kernel of `op` on `device`; the highest priority wins, a tie is an error."""
        if not isinstance(op, str) or not op.isidentifier() or op.startswith("_") or op in _RESERVED_NAMES:
            raise ValueError(f"invalid kernel name {op!r} for device {device!r} (plugin {self._plugin!r}): a "
                             "kernel name is a Python identifier not starting with '_' and not one of "
                             f"{sorted(_RESERVED_NAMES)}")
        if not callable(fn):
            raise TypeError(f"kernel {op!r} for device {device!r} must be callable, got {type(fn).__name__}")
        if not isinstance(priority, int) or isinstance(priority, bool):
            raise TypeError(f"priority of kernel {op!r} must be an int, got {type(priority).__name__}")
        by_priority = self._kernels.setdefault((device, op), {})
        if priority in by_priority:
            other = by_priority[priority][1]
            raise RegistrationConflict(
                device, f"kernel {op!r} for device {device!r} is registered twice at priority {priority}: "
                        f"by plugin {other!r} and by plugin {self._plugin!r}; load order must not decide, so "
                        "give one a higher priority= or disable one with EMBER_DISABLED_PLUGINS")
        by_priority[priority] = (fn, self._plugin)

    def add_kernels(self, device: str, kernels: Mapping[str, Kernel], priority: int = 0) -> None:
        """Register several kernels of `device` at one priority: ``{op: fn}``."""
        for op, fn in kernels.items():
            self.add_kernel(device, op, fn, priority)

    def devices(self) -> dict[str, tuple[DeviceType, str]]:
        """The declared device types by name, each with the plugin that declared it."""
        return dict(self._devices)

    def kernel_table(self, device: str) -> KernelTable:
        """The table of `device`: for each op, the kernel registered with the highest priority."""
        kernels: dict[str, Kernel] = {}
        providers: dict[str, str] = {}
        for (kernel_device, op), by_priority in self._kernels.items():
            if kernel_device == device:
                kernels[op], providers[op] = by_priority[max(by_priority)]
        return KernelTable(device, kernels, providers)

    def _begin(self, plugin: str) -> _Checkpoint:
        """Credit the following registrations to `plugin`; returns a checkpoint for `_rollback`."""
        self._plugin = plugin
        return dict(self._devices), {key: dict(by_priority) for key, by_priority in self._kernels.items()}

    def _rollback(self, checkpoint: _Checkpoint) -> None:
        """Forget every registration made since `checkpoint` was taken."""
        self._devices, self._kernels = checkpoint
