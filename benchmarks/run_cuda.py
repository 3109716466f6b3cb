"""ember on a CUDA device beside PyTorch's eager CUDA and raw cupy, in one run (issue 9).

    python benchmarks/run_cuda.py [--device cuda:0] [--repeat N] [--only NAME] [--json PATH]

Each cell is the median wall time per call over N samples (± interquartile range), the device
synchronised at the end of each sample, so queued work is charged to the sample that queued it. The
header names the GPU and counts ember's kernel calls per MLP step (and PyTorch's CUDA kernels, from its
profiler). Without a GPU, cupy or ember-cuda the run prints one line saying why and exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from types import ModuleType
from typing import Any

from cuda_cases import COLUMNS, CUDA_CASES, CudaCase
from run import count_kernel_calls, format_time, import_framework
from timing import Measurement, Timer, measure_side_by_side


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda:0", help="ember's and PyTorch's CUDA device (default: cuda:0)")
    parser.add_argument("--repeat", type=int, default=10, help="timed samples per cell (default: 10)")
    parser.add_argument("--only", action="append", metavar="NAME", help="the cases whose name contains NAME")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    return parser.parse_args()


def unavailable() -> tuple[str | None, dict[str, ModuleType]]:
    """Why the CUDA benchmarks cannot run here (None when they can), and the modules: ember, cupy and,
    when it has CUDA, torch."""
    cupy, why = import_framework("cupy")
    if cupy is None:
        return f"cupy is not importable ({why})", {}
    if not cupy.cuda.is_available():
        return "no CUDA GPU (cupy.cuda.is_available() is False)", {}
    ember, why = import_framework("ember")
    if ember is None or not ember.cuda.is_available():
        return f"ember has no CUDA device (is ember-cuda installed? {why})", {}
    modules = {"ember": ember, "cupy": cupy}
    torch, _ = import_framework("torch")
    if torch is not None and torch.cuda.is_available():
        modules["torch"] = torch
    return None, modules


def synchronizer(name: str, modules: dict[str, ModuleType], device: str):
    """What ends a sample of column `name`: a synchronisation of its device."""
    if name == "cupy":
        return lambda result: modules["cupy"].cuda.Device().synchronize()
    return lambda result: modules[name].cuda.synchronize(device)


def build(case: CudaCase, name: str, modules: dict[str, ModuleType], device: str):
    builder = getattr(case, name)
    if builder is None or name not in modules:
        return None
    with modules["cupy"].cuda.Device(int(device.partition(":")[2] or 0)):
        return builder(modules["cupy"]) if name == "cupy" else builder(modules[name], device)


def run_case(case: CudaCase, modules: dict[str, ModuleType], device: str, repeat: int):
    timers, errors = {}, {}
    for name in COLUMNS:
        try:
            run = build(case, name, modules, device)
            if run is not None:
                timers[name] = Timer(run, synchronizer(name, modules, device))
        except Exception as error:  # one failing cell does not end the run
            errors[name] = "".join(traceback.format_exception_only(type(error), error)).strip()
    return measure_side_by_side(timers, repeat), errors


def torch_kernels_per_step(torch: ModuleType, device: str) -> int:
    """CUDA kernels PyTorch launches in one eager MLP step (b64), from its profiler."""
    from cases import mlp_step

    step = mlp_step(torch, device, 64)
    step()
    torch.cuda.synchronize(device)
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CUDA]) as profile:
        step()
        torch.cuda.synchronize(device)
    return sum(event.count for event in profile.key_averages()
               if str(event.device_type).endswith("CUDA") and event.key != "Activity Buffer Request")


def ratio(times: dict[str, Measurement], baseline: str) -> float | None:
    return times["ember"].median / times[baseline].median if "ember" in times and baseline in times else None


def main() -> int:
    args = parse_args()
    why, modules = unavailable()
    if why is not None:
        print(f"CUDA benchmarks skipped: {why}")
        return 0
    cupy, ember = modules["cupy"], modules["ember"]
    index = int(args.device.partition(":")[2] or 0)
    gpu = cupy.cuda.runtime.getDeviceProperties(index)["name"].decode()
    environment: dict[str, Any] = {"gpu": gpu, "device": args.device, "cupy": cupy.__version__,
                                   "ember": getattr(ember, "__version__", "unknown")}
    print(f"GPU {gpu} ({args.device}); cupy {cupy.__version__}; torch "
          f"{modules['torch'].__version__ if 'torch' in modules else 'without CUDA: column skipped'}")
    calls = count_kernel_calls(ember, args.device)
    environment["ember_kernel_calls_per_mlp_step"] = calls
    print(f"ember  kernel calls per MLP 784-256-10 CrossEntropy + SGD-momentum step (b64): "
          f"{calls['all'] - calls['metadata']} (target <= 16; {calls['host_reads']} host reads), "
          f"plus {calls['metadata']} metadata-only")
    if "torch" in modules:
        try:
            environment["torch_cuda_kernels_per_mlp_step"] = launches = torch_kernels_per_step(modules["torch"],
                                                                                              args.device)
            print(f"torch  CUDA kernels per eager MLP step (b64): {launches}")
        except Exception as error:
            print(f"torch  CUDA kernels per step: not counted ({type(error).__name__}: {error})")
    print(f"median wall time per call over {args.repeat} samples taken in turns, ± interquartile range\n")
    cases = [case for case in CUDA_CASES if not args.only or any(name in case.name for name in args.only)]
    results = []
    lines = [["case", *COLUMNS, "ember/torch", "ember/cupy", "target", ""]]
    for case in cases:
        times, errors = run_case(case, modules, args.device, args.repeat)
        met = None if case.target is None or ratio(times, case.target.baseline) is None else \
            ratio(times, case.target.baseline) <= case.target.ratio
        cells = ["failed" if name in errors else "-" if name not in times else
                 f"{format_time(times[name].median)} ±{format_time(times[name].iqr)}" for name in COLUMNS]
        ratios = ["-" if ratio(times, b) is None else f"{ratio(times, b):.2f}x" for b in ("torch", "cupy")]
        verdict = {True: "met", False: "MISSED", None: ""}[met]
        lines.append([case.name, *cells, *ratios, str(case.target or "-"), verdict])
        results.append({"case": case.name, "seconds": {n: vars(m) for n, m in times.items()}, "errors": errors,
                        "target": str(case.target or ""), "target_met": met})
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    for position, line in enumerate(lines):
        print("  ".join([line[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(line[1:], widths[1:]))]).rstrip())
        if position == 0:
            print("  ".join("-" * width for width in widths))
    for result in results:
        for name, error in result["errors"].items():
            print(f"{result['case']} [{name}] failed: {error}")
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"environment": environment, "results": results}, file, indent=2)
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
