"""ember.cpu: the CPU's device module, as torch.cpu (its deprecated ``amp`` forms)."""
from . import amp

__all__ = ["amp"]
