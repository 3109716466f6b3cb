"""ember side by side with PyTorch and raw numpy, in one run.

    python benchmarks/run.py [--device cpu] [--repeat N] [--only NAME] [--json PATH] [--threads N]

Each cell is the median time per call over N samples, with the interquartile range; the ratio columns
divide ember's median by PyTorch's and by numpy's. See benchmarks/README.md for what each row measures.

numpy's BLAS and PyTorch get one thread each by default (``--threads``): with more, their thread pools
fight over the cores in turns and a small machine slows numpy's MLP step ~50x.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import traceback
from dataclasses import asdict, dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

# Set before numpy and PyTorch load their threading libraries (main() imports them after parse_args):
# PyTorch's OpenMP threads otherwise spin for a while after each parallel region, fighting numpy's BLAS
# threads for the cores in the very next sample.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")

if TYPE_CHECKING:
    from cases import Case
    from timing import Measurement

FRAMEWORKS = ("ember", "torch", "numpy")


@dataclass
class Row:
    case: Case
    times: dict[str, Measurement]
    errors: dict[str, str]

    def ratio(self, baseline: str) -> float | None:
        if "ember" in self.times and baseline in self.times:
            return self.times["ember"].median / self.times[baseline].median
        return None

    def target_met(self) -> bool | None:
        target = self.case.target
        ratio = None if target is None else self.ratio(target.baseline)
        return None if ratio is None else ratio <= target.ratio


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="ember device to benchmark (default: cpu)")
    parser.add_argument("--repeat", type=int, default=10, help="timed samples per cell (default: 10)")
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="run the cases whose name contains NAME (repeatable)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads for numpy's BLAS and for PyTorch (default: 1); 0 keeps each library's own default",
    )
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.threads < 0:
        parser.error("--threads must be 0 (the libraries' defaults) or more")
    return args


def limit_threads(threads: int) -> None:
    """Give numpy's BLAS and OpenMP `threads` threads, through the environment: called before numpy loads."""
    if threads:
        for variable in THREAD_VARIABLES:
            os.environ[variable] = str(threads)


def numpy_blas_threads(requested: int) -> tuple[int, str]:
    """How many threads numpy's BLAS runs, and how that was found."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        if requested:
            return requested, f"set by {', '.join(THREAD_VARIABLES)}"
        return os.cpu_count() or 1, "assumed: one per core (install threadpoolctl to detect)"
    blas = [info for info in threadpool_info() if info["user_api"] == "blas"]
    own = [info for info in blas if "numpy" in info["filepath"]] or blas
    if not own:
        return 1, "no BLAS library found"
    return own[0]["num_threads"], f"{own[0]['internal_api']}, detected by threadpoolctl"


def import_framework(name: str) -> tuple[ModuleType | None, str]:
    """The module, or None and why it cannot be used."""
    try:
        return importlib.import_module(name), ""
    except Exception as error:  # a broken install is reported in the output, not fatal
        return None, f"{type(error).__name__}: {error}"


def torch_device(torch: ModuleType, ember_device: str) -> str:
    """PyTorch runs on CUDA when ember does and PyTorch can; otherwise on the CPU."""
    if ember_device.startswith("cuda") and torch.cuda.is_available():
        return ember_device
    return "cpu"


def sync_for(device: str):
    """What ends a sample: nothing on the CPU; elsewhere, reading one value back waits for the queue."""
    if device == "cpu":
        return lambda result: None
    return lambda result: result.reshape(-1)[0].item()


def run_case(case: Case, modules: dict[str, ModuleType], devices: dict[str, str], repeat: int) -> Row:
    from timing import Timer, measure_side_by_side

    timers: dict[str, Timer] = {}
    errors: dict[str, str] = {}
    for name in FRAMEWORKS:
        if name not in modules:
            continue
        try:
            if name == "numpy":
                if case.numpy is not None:
                    timers[name] = Timer(case.numpy(), sync_for("cpu"))
            else:
                timers[name] = Timer(case.framework(modules[name], devices[name]), sync_for(devices[name]))
        except Exception as error:  # one failing cell does not end the run
            errors[name] = "".join(traceback.format_exception_only(type(error), error)).strip()
    return Row(case, measure_side_by_side(timers, repeat), errors)


def format_time(seconds: float) -> str:
    """Three significant digits in the unit that keeps them below 1000."""
    for unit, scale in (("ns", 1e-9), ("us", 1e-6), ("ms", 1e-3)):
        if seconds < 999.5 * scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds:.3g} s"


def format_cell(row: Row, name: str) -> str:
    if name in row.errors:
        return "failed"
    if name not in row.times:
        return "-"
    measurement = row.times[name]
    return f"{format_time(measurement.median)} ±{format_time(measurement.iqr)}"


def print_table(rows: list[Row]) -> None:
    header = ["case", "ember", "torch", "numpy", "ember/torch", "ember/numpy", "target", ""]
    lines = [header]
    for row in rows:
        ratios = [row.ratio(baseline) for baseline in ("torch", "numpy")]
        met = row.target_met()
        lines.append(
            [
                row.case.name,
                *(format_cell(row, name) for name in FRAMEWORKS),
                *("-" if ratio is None else f"{ratio:.2f}x" for ratio in ratios),
                "-" if row.case.target is None else str(row.case.target),
                {True: "met", False: "MISSED", None: ""}[met],
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for index, line in enumerate(lines):
        cells = [line[0].ljust(widths[0]), *(cell.rjust(width) for cell, width in zip(line[1:], widths[1:]))]
        print("  ".join(cells).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))
    for row in rows:
        for name, error in row.errors.items():
            print(f"{row.case.name} [{name}] failed: {error}")


def to_json(rows: list[Row], environment: dict[str, Any]) -> dict[str, Any]:
    return {
        "environment": environment,
        "results": [
            {
                "case": row.case.name,
                "seconds": {name: asdict(measurement) for name, measurement in row.times.items()},
                "errors": row.errors,
                "ratios": {baseline: row.ratio(baseline) for baseline in ("torch", "numpy")},
                "target": None if row.case.target is None else asdict(row.case.target),
                "target_met": row.target_met(),
            }
            for row in rows
        ],
    }


# Kernels that only read or make buffer metadata (strides, views): no device work, no launch.
METADATA_KERNELS = frozenset({"strides", "is_contiguous", "storage_offset", "as_strided", "permute", "slice"})


def count_kernel_calls(ember: ModuleType, device: str, batch: int = 64) -> dict[str, int]:
    """Kernel calls of one MLP 784-256-10 training step on `device` (after a warm-up step), as the
    profiler records them: all, those touching only metadata, and host reads (to_numpy)."""
    from cases import mlp_step

    step = mlp_step(ember, device, batch)
    step()
    with ember.profiler.profile() as prof:
        step()
    calls = prof.kernel_calls()
    return {
        "all": sum(call.calls for call in calls),
        "metadata": sum(call.calls for call in calls if call.name in METADATA_KERNELS),
        "host_reads": sum(call.calls for call in calls if call.name == "to_numpy"),
    }


STEADY_STEPS = 10  # MLP steps the steady-state counters average over (fewer than ember._checks.MAX_PENDING)


def steady_state_counters(ember: ModuleType, device: str, batch: int = 64) -> dict[str, float] | None:
    """Per MLP 784-256-10 step after two warm-up steps, with no synchronisation between steps, on a backend
    that counts what it asks of the device (ember-opencl's `counters`): program builds, new buffer
    allocations, host round trips, kernel launches. None on other devices."""
    if not device.startswith("opencl"):
        return None
    from cases import mlp_step
    from ember_opencl import counters

    step = mlp_step(ember, device, batch)
    step()
    step().item()
    before = counters.snapshot()
    for _ in range(STEADY_STEPS):
        step()
    counted = counters.snapshot() - before
    return {name: value / STEADY_STEPS for name, value in vars(counted).items()}


def main() -> int:
    args = parse_args()
    limit_threads(args.threads)
    import numpy as np
    from cases import CASES

    cases = [case for case in CASES if not args.only or any(name in case.name for name in args.only)]
    if not cases:
        names = ", ".join(case.name for case in CASES)
        print(f"no case matches {args.only}; the cases are: {names}", file=sys.stderr)
        return 2

    threads, threads_source = numpy_blas_threads(args.threads)
    modules: dict[str, ModuleType] = {"numpy": np}
    devices = {"numpy": "cpu", "ember": args.device}
    environment: dict[str, Any] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "repeat": args.repeat,
        "numpy": np.__version__,
        "numpy_blas_threads": threads,
        "OMP_WAIT_POLICY": os.environ["OMP_WAIT_POLICY"],
    }
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    print(f"numpy  {np.__version__}: BLAS threads: {threads} ({threads_source})")
    set_by = f"--threads {args.threads}" if args.threads else "--threads 0: library defaults"
    print(f"threads: {set_by}; OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}")
    for name in ("ember", "torch"):
        module, why = import_framework(name)
        if module is None:
            print(f"{name:6} not importable, column skipped ({why})")
            continue
        modules[name] = module
        environment[name] = getattr(module, "__version__", "unknown")
        if name == "torch":
            if args.threads:
                module.set_num_threads(args.threads)
                module.set_num_interop_threads(args.threads)
            devices["torch"] = torch_device(module, args.device)
            environment["torch_threads"] = module.get_num_threads()
            print(f"torch  {module.__version__} on {devices['torch']}: {module.get_num_threads()} intra-op, "
                  f"{module.get_num_interop_threads()} inter-op threads")
        else:
            print(f"ember  {environment['ember']} on {args.device}")
            calls = count_kernel_calls(module, args.device)
            environment["kernel_calls_per_mlp_step"] = calls
            print(f"ember  kernel calls per MLP 784-256-10 CrossEntropy + SGD-momentum step (b64): "
                  f"{calls['all'] - calls['metadata']} (of which {calls['host_reads']} host reads), "
                  f"plus {calls['metadata']} metadata-only ({', '.join(sorted(METADATA_KERNELS))})")
            steady = steady_state_counters(module, args.device)
            if steady is not None:
                environment["steady_state_per_mlp_step"] = steady
                print(f"ember  per steady-state MLP step (b64, {STEADY_STEPS} steps without synchronising): "
                      + ", ".join(f"{value:g} {name.replace('_', ' ')}" for name, value in steady.items()))
    environment["devices"] = {name: devices[name] for name in modules}
    print(f"median time per call over {args.repeat} samples taken in turns, ± interquartile range\n")

    rows = [run_case(case, modules, devices, args.repeat) for case in cases]
    print_table(rows)
    if args.json:
        with open(args.json, "w") as file:
            json.dump(to_json(rows, environment), file, indent=2)
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
