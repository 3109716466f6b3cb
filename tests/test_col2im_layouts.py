"""col2im's two layouts (rows of windows, or runs of planes for short rows) add the same values in the same
order: bitwise equal results, for strided, dilated, padded and unevenly padded windows."""
import numpy as np
import pytest

import ember
from ember._ops import im2col

WINDOWS = [((3, 5, 6, 7), im2col.Window((3, 2), (1, 2), ((1, 2), (0, 1)), (2, 1))),
           ((2, 4, 4, 4), im2col.Window((3, 3), (1, 1), ((1, 1), (1, 1)), (1, 1))),
           ((2, 3, 9, 5), im2col.Window((2, 3), (2, 1), ((0, 0), (2, 1)), (1, 3))),
           ((1, 2, 20, 40), im2col.Window((3, 3), (1, 1), ((1, 1), (1, 1)), (1, 1))),
           ((0, 2, 4, 4), im2col.Window((2, 2), (1, 1), ((0, 0), (0, 0)), (2, 2)))]


def _reference(columns, size, window):
    """The adjoint of im2col, one element at a time."""
    (kh, kw), (dh, dw), ((top, _), (left, _)), (sh, sw) = window
    rows, cols = window.blocks(size)
    n, depth, _ = columns.shape
    c = depth // (kh * kw)
    blocks = columns.reshape(n, c, kh, kw, rows, cols)
    image = np.zeros((n, c, *size), columns.dtype)
    for i in range(kh):
        for j in range(kw):
            for r in range(rows):
                for q in range(cols):
                    y, x = r * sh + i * dh - top, q * sw + j * dw - left
                    if 0 <= y < size[0] and 0 <= x < size[1]:
                        image[:, :, y, x] += blocks[:, :, i, j, r, q]
    return image


@pytest.mark.parametrize(("shape", "window"), WINDOWS)
@pytest.mark.parametrize("short_row", [0, 16, 1000])
def test_col2im_layouts_agree(shape, window, short_row, monkeypatch):
    n, c, height, width = shape
    rows, cols = window.blocks((height, width))
    columns = np.random.default_rng(0).standard_normal(
        (n, c * window.kernel[0] * window.kernel[1], rows * cols)).astype(np.float32)
    device = ember.zeros(1)._device
    monkeypatch.setattr(im2col, "_SHORT_ROW", short_row)
    result = im2col.col2im_buffer(device, columns, (height, width), window, ember.float32)
    assert result.shape == shape and result.flags.c_contiguous
    np.testing.assert_allclose(result, _reference(columns, (height, width), window), rtol=1e-6, atol=1e-6)
    monkeypatch.setattr(im2col, "_SHORT_ROW", 0)
    np.testing.assert_array_equal(result, im2col.col2im_buffer(device, columns, (height, width), window,
                                                               ember.float32))
