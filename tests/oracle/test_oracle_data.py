"""ember.utils.data against torch.utils.data: default_collate and default_convert on every kind of sample,
DataLoader batches (structure, dtypes, values) and lengths for non-random settings, samplers, random_split's
lengths, and the constructors' errors."""
from __future__ import annotations

import collections

import numpy as np
import pytest

import ember
import ember.utils.data as edata

torch = pytest.importorskip("torch")
tdata = pytest.importorskip("torch.utils.data")

pytestmark = pytest.mark.oracle

Pair = collections.namedtuple("Pair", "left right")


# Workers are forked: a device whose context does not survive fork (any but the CPU here, as CUDA in
# PyTorch) raises PyTorch's error in the worker when the default device puts the data there.
FORK_SAFE = ember.get_default_device().type == "cpu"


def loaded(loader):
    """The batches of an ember loader, or PyTorch's forked-subprocess error where workers cannot use the
    default device."""
    if FORK_SAFE or not loader.num_workers:
        return list(loader)
    with pytest.raises(RuntimeError, match="Cannot re-initialize .* in forked subprocess"):
        list(loader)
    pytest.skip("workers cannot use the default device (checked: they raise PyTorch's error)")


def canonical(value):
    """A library-free description of a collated value: containers by type, tensors by dtype, shape, values."""
    if isinstance(value, (torch.Tensor, ember.Tensor)):
        return ("tensor", repr(value.dtype).rsplit(".", 1)[-1], tuple(value.shape), value.tolist())
    if isinstance(value, Pair):
        return ("Pair", *(canonical(v) for v in value))
    if isinstance(value, dict):
        return ("dict", {k: canonical(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [canonical(v) for v in value])
    if isinstance(value, np.ndarray):
        return ("ndarray", str(value.dtype), value.tolist())
    return (type(value).__name__, value)


def both(make):
    """`make(lib)` for ember and torch (the library's tensor constructor is ``lib.tensor``)."""
    return make(ember), make(torch)


SAMPLES = {
    "ints": lambda lib: [1, 2, 3],
    "floats": lambda lib: [1.5, 2.0],
    "bools": lambda lib: [True, False],
    "strings": lambda lib: ["a", "bc"],
    "bytes": lambda lib: [b"a", b"b"],
    "tensors": lambda lib: [lib.tensor([1.0, 2.0]), lib.tensor([3.0, 4.0])],
    "int tensors": lambda lib: [lib.tensor([[1, 2]], dtype=lib.int32), lib.tensor([[3, 4]], dtype=lib.int32)],
    "0-d tensors": lambda lib: [lib.tensor(1.5), lib.tensor(2.5)],
    "numpy arrays": lambda lib: [np.arange(3, dtype=np.float32), np.ones(3, dtype=np.float32)],
    "numpy int arrays": lambda lib: [np.arange(4).reshape(2, 2), np.zeros((2, 2), dtype=np.int64)],
    "0-d numpy arrays": lambda lib: [np.array(1.5), np.array(2.5)],
    "numpy scalars": lambda lib: [np.float32(1.5), np.float32(2.0)],
    "numpy int scalars": lambda lib: [np.int16(3), np.int16(4)],
    "numpy bools": lambda lib: [np.bool_(True), np.bool_(False)],
    "tuples": lambda lib: [(1, 2.0, "x"), (3, 4.0, "y")],
    "lists": lambda lib: [[1, 2], [3, 4]],
    "dicts": lambda lib: [{"a": 1, "b": lib.tensor([1.0])}, {"a": 2, "b": lib.tensor([2.0])}],
    "namedtuples": lambda lib: [Pair(1, np.ones(2)), Pair(2, np.zeros(2))],
    "nested": lambda lib: [{"x": (lib.tensor([1]), [1.0, 2.0]), "y": Pair("p", {"z": 1})},
                           {"x": (lib.tensor([2]), [3.0, 4.0]), "y": Pair("q", {"z": 2})}],
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_default_collate_matches_torch(name):
    ours, theirs = both(SAMPLES[name])
    assert canonical(edata.default_collate(ours)) == canonical(tdata.default_collate(theirs))


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_default_convert_matches_torch(name):
    ours, theirs = both(SAMPLES[name])
    assert canonical(edata.default_convert(ours[0])) == canonical(tdata.default_convert(theirs[0]))


@pytest.mark.parametrize("batch", [
    [[1, 2], [3]],
    [object(), object()],
    [np.array(["a"]), np.array(["b"])],
])
def test_default_collate_errors_match_torch(batch):
    with pytest.raises(Exception) as theirs:
        tdata.default_collate(batch)
    with pytest.raises(theirs.type) as ours:
        edata.default_collate(batch)
    assert str(ours.value).split(";")[0] == str(theirs.value).split(";")[0]


class _Items:
    """A map-style dataset of (features, label, name) samples, built for either library."""

    def __init__(self, lib, n):
        self.lib, self.n = lib, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return self.lib.tensor([i, i * 2.0]), i, {"name": f"item{i}", "w": np.float32(i / 2)}


class _Stream:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


class _EmberStream(_Stream, edata.IterableDataset):
    pass


class _TorchStream(_Stream, tdata.IterableDataset):
    pass


LOADERS = {
    "batch 4": dict(batch_size=4),
    "batch 4 drop_last": dict(batch_size=4, drop_last=True),
    "batch 1": dict(),
    "batch None": dict(batch_size=None),
    "batch larger than data": dict(batch_size=50),
    "sampler": dict(sampler=[9, 0, 4, 4, 2], batch_size=2),
    "batch_sampler": dict(batch_sampler=[[3, 1], [0], [5, 6, 7]]),
    "collate_fn": dict(batch_size=3, collate_fn=lambda batch: [b[1] for b in batch]),
}


@pytest.mark.parametrize("name", sorted(LOADERS))
@pytest.mark.parametrize("workers", [0, 2])
def test_loader_batches_match_torch(name, workers):
    options = LOADERS[name]
    ours = edata.DataLoader(_Items(ember, 11), num_workers=workers, **options)
    theirs = tdata.DataLoader(_Items(torch, 11), **options)
    assert len(ours) == len(theirs)
    assert [canonical(b) for b in loaded(ours)] == [canonical(b) for b in theirs]


@pytest.mark.parametrize("options", [dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None)])
def test_iterable_loader_matches_torch(options):
    ours, theirs = edata.DataLoader(_EmberStream(8), **options), tdata.DataLoader(_TorchStream(8), **options)
    assert len(ours) == len(theirs)
    assert [canonical(b) for b in ours] == [canonical(b) for b in theirs]


@pytest.mark.parametrize("workers", [0, 2])
@pytest.mark.parametrize("requires_grad", [False, True])
def test_tensor_dataset_batches_match_torch(workers, requires_grad):
    features = np.arange(40, dtype=np.float32).reshape(10, 2, 2)

    def loader(lib, d, **options):
        x = lib.tensor(features, requires_grad=requires_grad)
        return d.DataLoader(d.TensorDataset(x, lib.arange(10) % 3), batch_size=4, sampler=[9, 1, 5, 5, 0, 2],
                            **options)
    ours = loaded(loader(ember, edata, num_workers=0 if requires_grad else workers))
    theirs = list(loader(torch, tdata))
    assert [canonical(b) for b in ours] == [canonical(b) for b in theirs]
    assert [b[0].grad_fn and b[0].grad_fn.name() for b in ours] == [b[0].grad_fn and b[0].grad_fn.name()
                                                                    for b in theirs]


def test_samplers_match_torch():
    for drop_last in (False, True):
        ours, theirs = edata.BatchSampler(range(10), 4, drop_last), tdata.BatchSampler(range(10), 4, drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)
    assert list(edata.SequentialSampler(range(5))) == list(tdata.SequentialSampler(range(5)))
    assert len(edata.RandomSampler(range(5), num_samples=7)) == len(tdata.RandomSampler(range(5), num_samples=7))


@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.7], [0.33, 0.33, 0.34], [0.5, 0.5], [1 / 3] * 3, [0.1] * 10])
def test_random_split_lengths_match_torch(lengths):
    ours = edata.random_split(range(10), lengths, generator=ember.Generator().manual_seed(0))
    theirs = tdata.random_split(range(10), lengths, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in ours] == [len(s) for s in theirs]


ERRORS = {
    "num_workers": lambda lib, d: d.DataLoader(range(3), num_workers=-1),
    "timeout": lambda lib, d: d.DataLoader(range(3), timeout=-1),
    "prefetch": lambda lib, d: d.DataLoader(range(3), prefetch_factor=2),
    "prefetch negative": lambda lib, d: d.DataLoader(range(3), num_workers=1, prefetch_factor=-1),
    "persistent": lambda lib, d: d.DataLoader(range(3), persistent_workers=True),
    "sampler and shuffle": lambda lib, d: d.DataLoader(range(3), sampler=[0], shuffle=True),
    "batch_sampler": lambda lib, d: d.DataLoader(range(3), batch_sampler=[[0]], drop_last=True),
    "drop_last without batches": lambda lib, d: d.DataLoader(range(3), batch_size=None, drop_last=True),
    "num_samples": lambda lib, d: d.RandomSampler(range(3), num_samples=0),
    "replacement": lambda lib, d: d.RandomSampler(range(3), replacement=1),
    "batch_size": lambda lib, d: d.BatchSampler(range(3), 0, False),
    "drop_last": lambda lib, d: d.BatchSampler(range(3), 2, 1),
    "weights": lambda lib, d: d.WeightedRandomSampler([[1.0]], 2),
    "weighted num_samples": lambda lib, d: d.WeightedRandomSampler([1.0], 0),
    "weighted replacement": lambda lib, d: d.WeightedRandomSampler([1.0], 1, replacement=1),
    "tensor sizes": lambda lib, d: d.TensorDataset(lib.zeros(2), lib.zeros(3)),
    "empty concat": lambda lib, d: d.ConcatDataset([]),
    "concat index": lambda lib, d: d.ConcatDataset([range(3)])[-4],
    "split sum": lambda lib, d: d.random_split(range(10), [3, 3]),
    "split fraction": lambda lib, d: d.random_split(range(10), [1.2, -0.2]),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name):
    with pytest.raises(Exception) as theirs:
        ERRORS[name](torch, tdata)
    with pytest.raises(theirs.type) as ours:
        ERRORS[name](ember, edata)
    assert str(ours.value) == str(theirs.value)
