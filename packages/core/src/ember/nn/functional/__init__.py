"""`ember.nn.functional`: the stateless functions behind the layers and losses (``import ... as F``)."""

from ember.nn.functional.activation import (
    celu,
    celu_,
    elu,
    elu_,
    gelu,
    hardshrink,
    hardsigmoid,
    hardswish,
    hardtanh,
    hardtanh_,
    leaky_relu,
    leaky_relu_,
    log_softmax,
    logsigmoid,
    mish,
    relu,
    relu6,
    relu_,
    selu,
    selu_,
    sigmoid,
    silu,
    softmax,
    softmin,
    softplus,
    softshrink,
    softsign,
    tanh,
    tanhshrink,
)
from ember.nn.functional.attention import multi_head_attention_forward, scaled_dot_product_attention
from ember.nn.functional.conv import (
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
    fold,
    unfold,
)
from ember.nn.functional.dropouts import (
    alpha_dropout,
    dropout,
    dropout1d,
    dropout2d,
    dropout3d,
    feature_alpha_dropout,
)
from ember.nn.functional.encoding import one_hot
from ember.nn.functional.layer_normalization import layer_norm
from ember.nn.functional.linear import linear
from ember.nn.functional.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
)
from ember.nn.functional.padding import pad
from ember.nn.functional.pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    adaptive_max_pool1d,
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d,
    adaptive_max_pool2d_with_indices,
    adaptive_max_pool3d,
    adaptive_max_pool3d_with_indices,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    max_pool1d,
    max_pool1d_with_indices,
    max_pool2d,
    max_pool2d_with_indices,
    max_pool3d,
    max_pool3d_with_indices,
)

# isort: split
# normalisation, embedding, losses (issue 10)
from ember.nn.functional.batch_norm import batch_norm
from ember.nn.functional.embedding import embedding
from ember.nn.functional.group_norm import group_norm
from ember.nn.functional.interpolate import interpolate
from ember.nn.functional.kl_div import kl_div
from ember.nn.functional.ranking_loss import cosine_embedding_loss, margin_ranking_loss
from ember.nn.functional.robust_loss import huber_loss, smooth_l1_loss

# isort: split
# margin, likelihood and triplet losses, bilinear (session 7)
from ember.nn.functional.bilinear import bilinear
from ember.nn.functional.likelihood_loss import gaussian_nll_loss, poisson_nll_loss
from ember.nn.functional.margin_loss import (
    hinge_embedding_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    soft_margin_loss,
)
from ember.nn.functional.triplet_loss import triplet_margin_loss, triplet_margin_with_distance_loss

# isort: split
# distances, activations, normalisations and shuffles users reach for (session 7)
from ember.nn.functional.activation import threshold, threshold_
from ember.nn.functional.distance import cosine_similarity, normalize, pairwise_distance
from ember.nn.functional.gated_linear import glu
from ember.nn.functional.instance_norm import instance_norm
from ember.nn.functional.local_response_norm import local_response_norm
from ember.nn.functional.rectifiers import prelu, rrelu, rrelu_
from ember.nn.functional.rms_norm import rms_norm
from ember.nn.functional.shuffles import channel_shuffle, pixel_shuffle, pixel_unshuffle

# isort: split
# modules and functionals users reach for (session 8)
from ember.nn.functional.distance import pdist
from ember.nn.functional.embedding_bag import embedding_bag
from ember.nn.functional.gumbel import gumbel_softmax
from ember.nn.functional.interpolate import upsample, upsample_bilinear, upsample_nearest
from ember.nn.functional.lp_pooling import lp_pool1d, lp_pool2d, lp_pool3d
from ember.nn.functional.unpooling import max_unpool1d, max_unpool2d, max_unpool3d

# isort: split
# spatial transformers, CTC and the rarer layers (session 9)
from ember.nn.functional.conv_tbc import conv_tbc
from ember.nn.functional.ctc_loss import ctc_loss
from ember.nn.functional.fractional_pooling import (
    fractional_max_pool2d,
    fractional_max_pool2d_with_indices,
    fractional_max_pool3d,
    fractional_max_pool3d_with_indices,
)
from ember.nn.functional.grid_sampling import affine_grid, grid_sample
from ember.nn.functional.shuffles import native_channel_shuffle

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d",
    "adaptive_max_pool3d",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "fold",
    "max_pool1d",
    "max_pool1d_with_indices",
    "max_pool2d",
    "max_pool3d",
    "max_pool2d_with_indices",
    "max_pool3d_with_indices",
    "unfold",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "celu",
    "celu_",
    "cross_entropy",
    "elu",
    "elu_",
    "gelu",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hardtanh_",
    "l1_loss",
    "leaky_relu",
    "leaky_relu_",
    "linear",
    "log_softmax",
    "logsigmoid",
    "mish",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "pad",
    "relu",
    "relu6",
    "relu_",
    "selu",
    "selu_",
    "sigmoid",
    "silu",
    "softmax",
    "softmin",
    "softplus",
    "softshrink",
    "softsign",
    "tanh",
    "tanhshrink",
    "batch_norm",  # normalisation, embedding, losses (issue 10)
    "group_norm",
    "interpolate",
    "embedding",
    "kl_div",
    "cosine_embedding_loss",
    "margin_ranking_loss",
    "huber_loss",
    "smooth_l1_loss",
    "alpha_dropout",
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "feature_alpha_dropout",
    "layer_norm",
    "multi_head_attention_forward",
    "scaled_dot_product_attention",
    "bilinear",  # margin, likelihood and triplet losses, bilinear (session 7)
    "gaussian_nll_loss",
    "poisson_nll_loss",
    "hinge_embedding_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
    "cosine_similarity",  # distances, activations, normalisations and shuffles (session 7)
    "normalize",
    "pairwise_distance",
    "channel_shuffle",
    "glu",
    "instance_norm",
    "local_response_norm",
    "prelu",
    "pixel_shuffle",
    "pixel_unshuffle",
    "rms_norm",
    "rrelu",
    "rrelu_",
    "threshold",
    "threshold_",
    "upsample",  # modules and functionals users reach for (session 8)
    "upsample_bilinear",
    "upsample_nearest",
    "gumbel_softmax",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "pdist",
    "embedding_bag",
    "affine_grid",  # spatial transformers, CTC and the rarer layers (session 9)
    "grid_sample",
    "ctc_loss",
    "conv_tbc",
    "native_channel_shuffle",
    "fractional_max_pool2d",
    "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d",
    "fractional_max_pool3d_with_indices",
]
