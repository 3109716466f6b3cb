"""ember.utils.data: datasets, samplers, collation and the DataLoader, in the main process and with worker
processes (fork and spawn): every sample once per epoch, determinism with a seed, last-batch handling,
workers giving the batches of num_workers=0, seeding, errors, timeouts and no leaked processes."""
from __future__ import annotations

import collections
import multiprocessing
import os
import time

import numpy as np
import pytest

import ember
from ember.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    get_worker_info,
    random_split,
)


def _dataset(n=23):
    return TensorDataset(ember.arange(n * 2, dtype=ember.float32).reshape(n, 2), ember.arange(n))


def _labels(loader):
    return [batch[1].tolist() for batch in loader]


class _Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": np.full(2, i, dtype=np.float32), "y": i * i, "name": f"s{i}"}


class _Range(IterableDataset):
    """Yields 0..n-1, split between workers by worker id."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        return self.n


class _Seeds(Dataset):
    """Each item tells which worker read it and what that worker's state is."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = get_worker_info()
        return (info.id, info.seed, ember.initial_seed(), os.getpid())


class _Failing(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise KeyError(f"bad item {i}")
        return i


class _Slow(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        time.sleep(1)
        return i


def _init_marks(worker_id):
    os.environ["EMBER_TEST_WORKER"] = str(worker_id * 10)


class _InitSeen(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return int(os.environ.get("EMBER_TEST_WORKER", "-1"))


def _no_children():
    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not multiprocessing.active_children()


# ----- datasets and samplers -----------------------------------------------------------------------------
def test_datasets():
    ds = _dataset(5)
    assert len(ds) == 5 and ds[2][1].item() == 2 and ds[2][0].tolist() == [4.0, 5.0]
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(ember.zeros(2), ember.zeros(3))
    sub = Subset(range(10), [7, 2, 5])
    assert len(sub) == 3 and [sub[i] for i in range(3)] == [7, 2, 5]
    cat = ConcatDataset([range(3), range(10, 12)])
    assert len(cat) == 5 and [cat[i] for i in range(5)] == [0, 1, 2, 10, 11] and cat[-1] == 11
    with pytest.raises(ValueError, match="absolute value of index"):
        cat[-6]
    assert len(_Squares(2) + _Squares(3)) == 5


def test_random_split():
    g = ember.Generator().manual_seed(0)
    parts = random_split(range(10), [3, 7], generator=g)
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    again = random_split(range(10), [3, 7], generator=ember.Generator().manual_seed(0))
    assert again[0].indices == parts[0].indices
    assert [len(p) for p in random_split(range(10), [0.33, 0.33, 0.34])] == [4, 3, 3]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(range(10), [3, 3])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(2), [1.0, 0.0])


def test_samplers():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    s = RandomSampler(range(10), generator=ember.Generator().manual_seed(1))
    assert sorted(s) == list(range(10)) and len(s) == 10
    s = RandomSampler(range(4), num_samples=10, generator=ember.Generator().manual_seed(1))
    drawn = list(s)
    assert len(drawn) == 10 and sorted(drawn[:4]) == [0, 1, 2, 3] and sorted(drawn[4:8]) == [0, 1, 2, 3]
    s = RandomSampler(range(3), replacement=True, num_samples=100, generator=ember.Generator().manual_seed(1))
    assert len(list(s)) == 100 and set(s) == {0, 1, 2}
    assert sorted(SubsetRandomSampler([5, 8, 9])) == [5, 8, 9]
    w = list(WeightedRandomSampler([0.0, 1.0, 3.0], 400, generator=ember.Generator().manual_seed(0)))
    counts = collections.Counter(w)
    assert counts[0] == 0 and 60 < counts[1] < 140
    assert sorted(WeightedRandomSampler([1.0, 1.0, 1.0], 3, replacement=False)) == [0, 1, 2]
    assert list(BatchSampler(range(7), 3, False)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(BatchSampler(range(7), 3, True)) == [[0, 1, 2], [3, 4, 5]]
    assert len(BatchSampler(range(7), 3, False)) == 3 and len(BatchSampler(range(7), 3, True)) == 2


@pytest.mark.parametrize("make, error, message", [
    (lambda: RandomSampler(range(3), num_samples=0), ValueError, "num_samples should be a positive integer"),
    (lambda: RandomSampler(range(3), replacement=1), TypeError, "replacement should be a boolean value"),
    (lambda: BatchSampler(range(3), 0, False), ValueError, "batch_size should be a positive integer value"),
    (lambda: BatchSampler(range(3), 2, 1), ValueError, "drop_last should be a boolean value"),
    (lambda: WeightedRandomSampler([[1.0]], 2), ValueError, "weights should be a 1d sequence"),
    (lambda: DataLoader(range(3), num_workers=-1), ValueError, "num_workers option should be non-negative"),
    (lambda: DataLoader(range(3), timeout=-1), ValueError, "timeout option should be non-negative"),
    (lambda: DataLoader(range(3), prefetch_factor=2), ValueError, "prefetch_factor option could only be specified"),
    (lambda: DataLoader(range(3), persistent_workers=True), ValueError, "persistent_workers option needs"),
    (lambda: DataLoader(range(3), sampler=[0], shuffle=True), ValueError, "mutually exclusive with shuffle"),
    (lambda: DataLoader(range(3), batch_sampler=[[0]], batch_size=2), ValueError,
     "batch_sampler option is mutually exclusive"),
    (lambda: DataLoader(range(3), batch_size=None, drop_last=True), ValueError, "batch_size=None option"),
    (lambda: DataLoader(_Range(3), shuffle=True), ValueError, "expected unspecified shuffle option"),
])
def test_argument_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


# ----- the loader in the main process ----------------------------------------------------------------------
def test_every_sample_once_per_epoch_and_last_batch():
    ds = _dataset(23)
    loader = DataLoader(ds, batch_size=5, shuffle=True)
    for _ in range(2):
        labels = _labels(loader)
        assert [len(b) for b in labels] == [5, 5, 5, 5, 3] and sorted(sum(labels, [])) == list(range(23))
    assert len(loader) == 5
    dropped = DataLoader(ds, batch_size=5, shuffle=True, drop_last=True)
    assert len(dropped) == 4 and [len(b) for b in _labels(dropped)] == [5, 5, 5, 5]


def test_shuffle_is_deterministic_with_a_seeded_generator():
    ds = _dataset(23)

    def epochs(seed):
        loader = DataLoader(ds, batch_size=4, shuffle=True, generator=ember.Generator().manual_seed(seed))
        return [_labels(loader) for _ in range(2)]
    first = epochs(5)
    assert first == epochs(5) and first != epochs(6) and first[0] != first[1]
    ember.manual_seed(3)
    a = _labels(DataLoader(ds, batch_size=4, shuffle=True))
    ember.manual_seed(3)
    assert _labels(DataLoader(ds, batch_size=4, shuffle=True)) == a


def test_batch_tensors_and_unbatched_loading():
    x, y = next(iter(DataLoader(_dataset(6), batch_size=4)))
    assert x.shape == (4, 2) and x.dtype == ember.float32 and y.tolist() == [0, 1, 2, 3]
    items = list(DataLoader(_Squares(3), batch_size=None))
    assert items[2]["y"] == 4 and isinstance(items[2]["x"], ember.Tensor) and items[2]["name"] == "s2"
    batches = list(DataLoader(range(5), batch_sampler=[[4, 0], [2]]))
    assert [b.tolist() for b in batches] == [[4, 0], [2]]
    assert [b.tolist() for b in DataLoader(range(6), sampler=[5, 3, 1], batch_size=2)] == [[5, 3], [1]]
    assert list(DataLoader(range(3), batch_size=2, collate_fn=list)) == [[0, 1], [2]]


def test_iterable_dataset_batches_and_length():
    loader = DataLoader(_Range(7), batch_size=3)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]] and len(loader) == 3
    loader = DataLoader(_Range(7), batch_size=3, drop_last=True)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5]] and len(loader) == 2
    assert list(DataLoader(_Range(3), batch_size=None)) == [0, 1, 2]  # numbers stay numbers


def test_default_collate_structures():
    Point = collections.namedtuple("Point", "x y")
    batch = default_collate([{"a": 1.5, "b": (1, "u"), "p": Point(np.int32(1), ember.ones(2))},
                             {"a": 2.5, "b": (2, "v"), "p": Point(np.int32(2), ember.zeros(2))}])
    assert batch["a"].dtype == ember.float64 and batch["a"].tolist() == [1.5, 2.5]
    assert isinstance(batch["b"], list) and batch["b"][0].tolist() == [1, 2] and batch["b"][1] == ("u", "v")
    assert isinstance(batch["p"], Point) and batch["p"].x.dtype == ember.int32
    assert batch["p"].y.tolist() == [[1.0, 1.0], [0.0, 0.0]]
    assert default_collate([True, False]).dtype == ember.bool
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        default_collate([object(), object()])


# ----- worker processes ------------------------------------------------------------------------------------
@pytest.mark.parametrize("shuffle", [False, True])
def test_workers_give_the_batches_of_the_main_process(shuffle):
    ds = _dataset(23)

    def run(workers):
        loader = DataLoader(ds, batch_size=3, shuffle=shuffle, num_workers=workers,
                            generator=ember.Generator().manual_seed(8))
        return [[t.tolist() for t in batch] for batch in loader]
    assert run(2) == run(0)
    assert _no_children()


def test_worker_seeds_info_and_init_fn():
    ember.manual_seed(1)
    base = ember.empty((), dtype=ember.int64).random_().item()  # what the loader draws as its base seed
    ember.manual_seed(1)
    rows = list(DataLoader(_Seeds(), batch_size=None, num_workers=2))
    by_worker = {worker: (seed, ember_seed) for worker, seed, ember_seed, _ in rows}
    assert by_worker == {0: (base, base), 1: (base + 1, base + 1)}
    assert len({pid for *_, pid in rows}) == 2 and os.getpid() not in {pid for *_, pid in rows}
    seen = list(DataLoader(_InitSeen(), batch_size=None, num_workers=2, worker_init_fn=_init_marks))
    assert seen == [0, 10, 0, 10]  # round robin over the workers, results in sampler order
    assert get_worker_info() is None


def test_iterable_dataset_sharded_between_workers():
    loader = DataLoader(_Range(7), batch_size=2, num_workers=2)
    assert [b.tolist() for b in loader] == [[0, 2], [1, 3], [4, 6], [5]]
    assert sorted(DataLoader(_Range(7), batch_size=None, num_workers=3)) == list(range(7))


def test_worker_error_is_raised_in_the_main_process():
    it = iter(DataLoader(_Failing(), batch_size=2, num_workers=2))
    batches = []
    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process 0"):
        batches.extend(b.tolist() for b in it)
    assert batches == [[0, 1], [2, 3]]
    assert [b.tolist() for b in it] == [[6, 7]]  # the next batches still come, as in PyTorch
    assert _no_children()


def test_timeout():
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.5 seconds"):
        next(iter(DataLoader(_Slow(), batch_size=None, num_workers=1, timeout=0.5, prefetch_factor=1)))
    assert _no_children()


def test_workers_stop_when_the_iterator_is_dropped_midway():
    it = iter(DataLoader(_dataset(40), batch_size=2, num_workers=2))
    next(it)
    assert len(multiprocessing.active_children()) == 2
    del it
    assert _no_children()


def test_persistent_workers_serve_several_epochs():
    loader = DataLoader(_dataset(10), batch_size=3, shuffle=True, num_workers=2, persistent_workers=True,
                        prefetch_factor=1, generator=ember.Generator().manual_seed(0))
    first = iter(loader)
    pids = {w.pid for w in first._workers}
    epochs = [_labels(first)] + [_labels(loader) for _ in range(2)]
    assert all(sorted(sum(e, [])) == list(range(10)) for e in epochs)
    assert {w.pid for w in loader._iterator._workers} == pids  # the same processes
    half = iter(loader)
    next(half)
    assert sorted(sum(_labels(loader), [])) == list(range(10))  # a fresh epoch after one left midway
    del loader, first, half
    assert _no_children()


def test_pin_memory_is_accepted():
    assert _labels(DataLoader(_dataset(4), batch_size=2, pin_memory=True)) == [[0, 1], [2, 3]]


def test_spawn_start_method():
    loader = DataLoader(_dataset(7), batch_size=3, num_workers=1, multiprocessing_context="spawn")
    assert _labels(loader) == [[0, 1, 2], [3, 4, 5], [6]]
    assert _no_children()
