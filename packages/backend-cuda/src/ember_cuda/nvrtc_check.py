"""Compiles the fused kernels' CUDA C sources with NVRTC, which needs no GPU and no driver: CI's check that
every source the backend ships, with every template instantiation it calls, compiles for the GPU
architectures it targets (`python -m ember_cuda.nvrtc_check` prints the same report)."""
from __future__ import annotations

import sys
from types import ModuleType

from .fused_sources import OPTIONS, SOURCES, Source

ARCHITECTURES = ("sm_80", "sm_90")


def nvrtc() -> ModuleType:
    """cuda-bindings' NVRTC module; ImportError (with the reason) when it or libnvrtc is missing."""
    try:
        from cuda.bindings import nvrtc as module
    except ImportError as error:
        raise ImportError(f"NVRTC is not installed (pip install cuda-bindings nvidia-cuda-nvrtc): {error}") from error
    result = module.nvrtcVersion()[0]
    if result != module.nvrtcResult.NVRTC_SUCCESS:
        raise ImportError(f"libnvrtc could not be loaded: {result}")
    return module


def compile_source(source: Source, architecture: str) -> tuple[bool, str, dict[str, str]]:
    """(compiled, NVRTC's log, each name expression's lowered name) for `source` on `architecture`."""
    return compile_code(source.code, source.file, architecture, source.name_expressions)


def compile_code(code: str, file: str, architecture: str,
                 name_expressions: tuple[str, ...] | list[str] = ()) -> tuple[bool, str, dict[str, str]]:
    """(compiled, NVRTC's log, each name expression's lowered name) for CUDA C `code` on `architecture`."""
    module = nvrtc()
    _, program = module.nvrtcCreateProgram(code.encode(), file.encode(), 0, [], [])
    try:
        for name in name_expressions:
            module.nvrtcAddNameExpression(program, name.encode())
        options = [f"--gpu-architecture={architecture}".encode(), *(option.encode() for option in OPTIONS)]
        (result,) = module.nvrtcCompileProgram(program, len(options), options)
        _, size = module.nvrtcGetProgramLogSize(program)
        log = b" " * size
        module.nvrtcGetProgramLog(program, log)
        compiled = result == module.nvrtcResult.NVRTC_SUCCESS
        lowered = {}
        if compiled:
            for name in name_expressions:
                _, symbol = module.nvrtcGetLoweredName(program, name.encode())
                lowered[name] = symbol.decode()
        return compiled, log.rstrip(b"\0 ").decode(), lowered
    finally:
        module.nvrtcDestroyProgram(program)


def main() -> int:
    failed = 0
    for source in SOURCES:
        for architecture in ARCHITECTURES:
            compiled, log, lowered = compile_source(source, architecture)
            print(f"{source.file} {architecture}: {'ok' if compiled else 'FAILED'}, {len(lowered)} kernels")
            if log:
                print(log)
            failed += not compiled
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
