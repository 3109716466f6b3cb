"""`ember.nn`: modules, parameters, losses, initialisations and the functional API, as in ``torch.nn``."""

from ember.nn import attention, functional, init, modules, utils
from ember.nn.modules import *  # noqa: F403  (the module classes, as listed in ember.nn.modules.__all__)
from ember.nn.parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter

__all__ = [*modules.__all__, "Buffer", "Parameter", "UninitializedBuffer", "UninitializedParameter", "attention",
           "functional", "init", "utils"]
