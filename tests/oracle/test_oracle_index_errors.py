"""Out-of-range index tensors in getitem, setitem and index_put: ember's IndexError (on the CPU at once, on
OpenCL at the next synchronisation) against PyTorch's, class and message."""
from __future__ import annotations

import pytest
from outcomes import devices

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle


def _setitem(x, key):
    x[key] = 1.0
    return x


KEYS = {  # op on x = arange(24.).view(2, 3, 4), given a function making an index tensor
    "x[[1, 5]]": lambda x, i: x[i(1, 5)],
    "x[[-3]]": lambda x, i: x[i(-3)],
    "x[:, [0, 1], [0, 9]]": lambda x, i: x[:, i(0, 1), i(0, 9)],
    "x[[0], :, [9]]": lambda x, i: x[i(0), :, i(9)],
    "x[..., [-7]]": lambda x, i: x[..., i(-7)],
    "x[[1], [3]] = 1": lambda x, i: _setitem(x, (i(1), i(3))),
    "x[:, :, [4]] = 1": lambda x, i: _setitem(x, (slice(None), slice(None), i(4))),
    "index_put": lambda x, i: x.index_put((i(0), i(-4)), x.new_ones(())),
}


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("op", tuple(KEYS))
def test_a_bad_index_raises_torchs_error(op, device):
    with pytest.raises(Exception) as expected:
        KEYS[op](torch.arange(24.0).view(2, 3, 4), lambda *v: torch.tensor(list(v)))
    x = ember.arange(24.0).view(2, 3, 4).to(device)
    with pytest.raises(type(expected.value)) as got:
        KEYS[op](x, lambda *v: ember.tensor(list(v), device=device)).sum().item()
    assert str(got.value) == str(expected.value)
