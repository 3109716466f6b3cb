"""`F.conv1d`, `F.conv2d`, `F.conv3d`, their transposed forms, and `F.unfold`/`F.fold` (im2col/col2im): the ops live in
`ember._ops.convolution` and `ember._ops.im2col`."""

from ember._ops.convolution import conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d
from ember._ops.im2col import fold, unfold

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "fold", "unfold"]
