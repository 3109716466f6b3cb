"""ember's CUDA backend: devices ``cuda:N`` whose buffers are cupy arrays (see README.md)."""

__version__ = "0.1.0"
