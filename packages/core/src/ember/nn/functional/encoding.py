"""one_hot: class indices as rows of a one-hot int64 matrix."""
from __future__ import annotations

import ember
from ember import _dtype
from ember._tensor import Tensor


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """A new last dim of `num_classes` (max index + 1 when -1) with a 1 at each element's index, as int64.
    Reads the indices' range on the host, as PyTorch does to check them."""
    if not isinstance(tensor, Tensor) or tensor.dtype is not _dtype.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() == 0:
        if num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    else:
        if int(tensor.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        largest = int(tensor.max())
        if num_classes == -1:
            num_classes = largest + 1
        elif largest >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    classes = ember.arange(num_classes, device=tensor.device)
    return (tensor.unsqueeze(-1) == classes).long()
