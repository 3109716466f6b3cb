"""`ember.optim.swa_utils`: stochastic weight averaging and exponential moving averages of a model's
weights (``AveragedModel`` and its averaging functions), the SWA learning rate (``SWALR``) and the
recomputation of batch-norm statistics for the averaged weights (``update_bn``)."""

from ember.optim.swa_utils.averaging import (
    AveragedModel,
    get_ema_avg_fn,
    get_ema_multi_avg_fn,
    get_swa_avg_fn,
    get_swa_multi_avg_fn,
)
from ember.optim.swa_utils.batch_norm import update_bn
from ember.optim.swa_utils.swalr import SWALR

__all__ = [
    "AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn", "get_ema_avg_fn",
    "get_swa_avg_fn",
]
