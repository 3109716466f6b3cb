"""`ember.backends.mps`: whether Apple's Metal (``'mps'``) device can be used, for the device choice of
ordinary PyTorch code (``"mps" if torch.backends.mps.is_available() else "cpu"``). The answer comes from the
backend plugins: ember's own packages provide no 'mps' device, so both are False unless a plugin adds one."""
from __future__ import annotations

__all__ = ["is_available", "is_built"]


def is_built() -> bool:
    """Whether an installed plugin provides the 'mps' device type (usable here or not)."""
    from ...plugins import plugin_report

    return any(status.name == "mps" and status.plugin is not None for status in plugin_report().devices)


def is_available() -> bool:
    """Whether a plugin provides the 'mps' device type and reports it usable."""
    from ...plugins import get_backend

    try:
        return bool(get_backend("mps").device_type.is_available())
    except RuntimeError:
        return False
