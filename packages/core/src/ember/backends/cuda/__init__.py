"""`ember.backends.cuda`: ``matmul.allow_tf32``, whether the cuda backend's float32 matmul may use TF32 tensor
cores (False by default, as in PyTorch); the cuda ``matmul`` kernel reads it on each call.
``ember.set_float32_matmul_precision`` sets it too ('highest': False, 'high' or 'medium': True).

The scaled-dot-product-attention switches (``enable_flash_sdp``, ``math_sdp_enabled``...) are PyTorch's; on
ember every backend computes the math path, so they only decide whether a backend is viable at all
(`ember.nn.attention.sdpa_kernel` sets them)."""
from __future__ import annotations

from .._flags import Flags

matmul = Flags("set_allow_tf32_cublas", allow_tf32=False)

_sdp_enabled = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}


def _enable_sdp(name: str, enabled: bool) -> None:
    if not isinstance(enabled, bool):
        raise RuntimeError(f"set_sdp_use_{name} expects a bool, but got {type(enabled).__name__}")
    _sdp_enabled[name] = enabled


def flash_sdp_enabled() -> bool:
    """Whether flash scaled dot product attention is enabled."""
    return _sdp_enabled["flash"]


def enable_flash_sdp(enabled: bool) -> None:
    """Enables or disables flash scaled dot product attention."""
    _enable_sdp("flash", enabled)


def mem_efficient_sdp_enabled() -> bool:
    """Whether memory-efficient scaled dot product attention is enabled."""
    return _sdp_enabled["mem_efficient"]


def enable_mem_efficient_sdp(enabled: bool) -> None:
    """Enables or disables memory-efficient scaled dot product attention."""
    _enable_sdp("mem_efficient", enabled)


def math_sdp_enabled() -> bool:
    """Whether math scaled dot product attention is enabled."""
    return _sdp_enabled["math"]


def enable_math_sdp(enabled: bool) -> None:
    """Enables or disables math scaled dot product attention."""
    _enable_sdp("math", enabled)


def cudnn_sdp_enabled() -> bool:
    """Whether cuDNN scaled dot product attention is enabled."""
    return _sdp_enabled["cudnn"]


def enable_cudnn_sdp(enabled: bool) -> None:
    """Enables or disables cuDNN scaled dot product attention."""
    _enable_sdp("cudnn", enabled)


__all__ = ["cudnn_sdp_enabled", "enable_cudnn_sdp", "enable_flash_sdp", "enable_math_sdp", "enable_mem_efficient_sdp",
           "flash_sdp_enabled", "math_sdp_enabled", "matmul", "mem_efficient_sdp_enabled"]
