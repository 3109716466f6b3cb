"""The "opencl" device type: every working device of every OpenCL platform, GPUs first.

Devices are found once, on first use. A platform is used only if its compiler builds a tiny test
program: a broken one (PyPI's PoCL 3.0 fails with "unknown target CPU 'generic'" on some x86 CPUs) is
skipped, and the reason is shown by ``python -m ember info``. ``EMBER_OPENCL_DEVICE=N`` (an index in
the natural order) or pyopencl's ``PYOPENCL_CTX="platform:device"`` makes that device ``opencl:0``,
as ``CUDA_VISIBLE_DEVICES`` reorders CUDA devices.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field

from ember.plugins import DeviceType

from .counters import COUNTS

try:
    import pyopencl as cl
    import pyopencl.tools as cl_tools
except ImportError as error:  # the device type then says why it is unavailable
    cl = cl_tools = None  # type: ignore[assignment]
    _IMPORT_ERROR: str | None = f"pyopencl cannot be imported: {error}"
else:
    _IMPORT_ERROR = None

# An OpenCL context does not survive fork (PoCL's threads are gone in the child, which then waits forever):
# a forked child (a DataLoader worker, say) that touches the device gets PyTorch's CUDA error instead.
_FORKED = ("Cannot re-initialize OpenCL in forked subprocess. To use OpenCL with multiprocessing, you must use "
           "the 'spawn' start method")
_forked = False


def _after_fork_in_child() -> None:
    global _forked
    _forked = True


os.register_at_fork(after_in_child=_after_fork_in_child)

_PROBE = "__kernel void probe(__global int *x) { x[get_global_id(0)] += 1; }"
# float16 on every device: stored as half and computed in float through vload_half/vstore_half, core
# OpenCL C that needs no cl_khr_fp16 (elementwise kernels natively, the other families through float32,
# half.py)
_BASE_DTYPES = frozenset({"bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32"})


@dataclass
class Device:
    """One OpenCL device with its in-order queue and its compiled programs, in its platform's context (the
    devices of one platform share it, so a buffer of one is a buffer of all: memory.copy_to copies
    between them without the host)."""

    device: cl.Device
    platform_index: int
    device_index: int
    context: cl.Context
    _queue: cl.CommandQueue = field(init=False, repr=False)
    programs: dict = field(default_factory=dict, init=False)  # generated source -> built kernel
    # Device memory by size class: a dead array's block is reused (the in-order queue runs a reuser's
    # kernels after the earlier ones); held blocks are freed when an allocation would fail.
    _pool: cl_tools.MemoryPool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # profiling on (every OpenCL device supports it): the profiler's device time reads the
        # timestamps of marker events (timing.py)
        self._queue = cl.CommandQueue(self.context, properties=cl.command_queue_properties.PROFILING_ENABLE)
        self._pool = cl_tools.MemoryPool(cl_tools.ImmediateAllocator(self._queue))

    @property
    def queue(self) -> cl.CommandQueue:
        if _forked:
            raise RuntimeError(_FORKED)
        return self._queue

    @property
    def pool(self) -> cl_tools.MemoryPool:
        if _forked:
            raise RuntimeError(_FORKED)
        return self._pool

    @property
    def dtypes(self) -> frozenset[str]:
        extensions = self.device.extensions.split()
        dtypes = set(_BASE_DTYPES)
        if "cl_khr_fp64" in extensions:
            dtypes.add("float64")
        return frozenset(dtypes)

    @property
    def int64_atomics(self) -> bool:
        """Whether kernels may update 64-bit words atomically (cl_khr_int64_base_atomics)."""
        return "cl_khr_int64_base_atomics" in self.device.extensions.split()

    def describe(self) -> str:
        return f"{self.device.name.strip()} ({self.device.platform.name.strip()})"


@dataclass(frozen=True)
class Discovery:
    """The usable devices, in ember's order, and why the other platforms were skipped."""

    devices: tuple[Device, ...]
    skipped: tuple[str, ...]


def _probe(platform) -> cl.Context | str:
    """The context of all the platform's devices when its compiler builds a one-line kernel, else why not."""
    try:
        devices = platform.get_devices()
        if not devices:
            return "no devices"
        context = cl.Context(devices)
        cl.Program(context, _PROBE).build()
    except Exception as error:  # any failure of the driver or its compiler
        return f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
    return context


def _preferred(found: list[Device]) -> int | None:
    """The index in `found` that EMBER_OPENCL_DEVICE or PYOPENCL_CTX chooses, or None."""
    chosen = os.environ.get("EMBER_OPENCL_DEVICE")
    if chosen:
        number = int(chosen)
        if not 0 <= number < len(found):
            raise RuntimeError(f"EMBER_OPENCL_DEVICE={chosen}: there are {len(found)} OpenCL devices")
        return number
    context = os.environ.get("PYOPENCL_CTX")
    if context:
        platform_text, _, device_text = context.partition(":")
        for number, device in enumerate(found):
            if (str(device.platform_index) == platform_text
                    and str(device.device_index) == (device_text or "0")):
                return number
        raise RuntimeError(f"PYOPENCL_CTX={context} names no working OpenCL device")
    return None


@functools.cache
def discover() -> Discovery:
    """Every device of every platform whose compiler works, GPUs first, the chosen default first of all."""
    if cl is None:
        return Discovery((), (_IMPORT_ERROR or "",))
    try:
        platforms = cl.get_platforms()
    except Exception as error:  # no ICD loader, or no platform registered
        return Discovery((), (f"no OpenCL platform: {error}",))
    found, skipped = [], []
    for platform_index, platform in enumerate(platforms):
        context = _probe(platform)
        if isinstance(context, str):
            skipped.append(f"platform {platform_index} ({platform.name.strip()}) skipped: {context}")
            continue
        for device_index, device in enumerate(context.devices):
            found.append(Device(device, platform_index, device_index, context))
    found.sort(key=lambda device: not device.device.type & cl.device_type.GPU)  # stable: GPUs first
    preferred = _preferred(found)
    if preferred is not None:
        found.insert(0, found.pop(preferred))
    return Discovery(tuple(found), tuple(skipped))


def get(index: int) -> Device:
    devices = discover().devices
    if not 0 <= index < len(devices):
        raise RuntimeError(f"opencl:{index} does not exist: {len(devices)} OpenCL device(s) found")
    return devices[index]


def _is_available() -> bool:
    return bool(discover().devices)


def _device_count() -> int:
    return len(discover().devices)


def _synchronize(index: int) -> None:
    get(index).queue.finish()
    COUNTS.round_trips += 1


def notes() -> tuple[str, ...]:
    """What ``python -m ember info`` shows under the device type: each device, each skipped platform."""
    discovery = discover()
    lines = [f"opencl:{number} {device.describe()}" for number, device in enumerate(discovery.devices)]
    return (*lines, *discovery.skipped)


def _dtypes() -> frozenset[str]:
    """The dtypes every device has (float64 only where each has cl_khr_fp64)."""
    devices = discover().devices
    if not devices:
        return _BASE_DTYPES
    return frozenset.intersection(*(device.dtypes for device in devices))


def device_type() -> DeviceType:
    from . import philox, timing

    return DeviceType(
        name="opencl",
        is_available=_is_available,
        device_count=_device_count,
        synchronize=_synchronize,
        new_generator=philox.new_generator,
        get_generator_state=philox.get_state,
        set_generator_state=philox.set_state,
        dtypes=_dtypes(),
        has_queue=True,
        notes=notes,
        start_timer=timing.start_timer,
        elapsed_us=timing.elapsed_us,
    )
