"""`ember.version`: what a build reports, under PyTorch's names (``torch.version.cuda`` and its siblings), so
that code printing or branching on them runs. ember compiles nothing: no toolkit versions, a release build."""
from __future__ import annotations

__version__ = "0.1.0"
git_version = "unknown"  # ember is installed from sources, not from a tagged build
debug = False
cuda: str | None = None  # no build-time CUDA: the cuda backend's runtime is ember.cuda's business
hip: str | None = None
rocm: str | None = None
xpu: str | None = None
