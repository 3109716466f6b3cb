"""``replace_all_batch_norm_modules_``: batch norms that keep no running statistics, so that a vmapped model
in training does not write its per-sample statistics into buffers shared by every sample."""
from __future__ import annotations

from ..nn.modules.batchnorm import _BatchNorm


def replace_all_batch_norm_modules_(root):
    """Set ``running_mean``, ``running_var`` and ``num_batches_tracked`` to None and ``track_running_stats`` to
    False in every batch norm of `root` (in place); returns `root`."""
    for module in root.modules():
        if isinstance(module, _BatchNorm) and module.track_running_stats:
            module.running_mean = module.running_var = module.num_batches_tracked = None
            module.track_running_stats = False
    return root
