"""DataLoader worker processes: what runs in each worker, and `get_worker_info` for the code it runs.

A worker receives ``(epoch, task, indices)`` on its own index queue and puts ``(epoch, task, batch)`` on
the shared result queue (a failure travels as an `ExceptionWrapper`, the end of an iterable dataset's
share as `IterableEnd`). ``None`` stops it; ``(epoch, None, None)`` restarts an iterable dataset for the
next epoch of persistent workers.
"""
from __future__ import annotations

import dataclasses
import os
import queue
import random
import sys
import traceback
from typing import Any

import numpy as np

from ... import _generator
from .collate import default_collate
from .dataset import TensorDataset

_worker_info: list = [None]


@dataclasses.dataclass(frozen=True)
class WorkerInfo:
    """What a worker process is: its `id` in [0, `num_workers`), its `seed` (the loader's base seed plus
    the id, also ember's, Python's and numpy's seed there) and its copy of the `dataset`."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


def get_worker_info() -> WorkerInfo | None:
    """The `WorkerInfo` of the worker process calling it; None in the main process."""
    return _worker_info[0]


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process with its traceback's text."""

    def __init__(self, error: BaseException, where: str) -> None:
        self.exc_type = type(error)
        self.message = f"Caught {type(error).__name__} {where}.\nOriginal {''.join(traceback.format_exc())}"

    def reraise(self) -> None:
        """Raise the worker's exception type with the worker's traceback in its message."""
        try:
            error = self.exc_type(self.message)
        except Exception:  # an exception type whose constructor takes other arguments
            raise RuntimeError(self.message) from None
        raise error


@dataclasses.dataclass(frozen=True)
class IterableEnd:
    """A worker's share of an iterable dataset is exhausted."""

    worker_id: int


class Fetcher:
    """One batch (or, without auto-collation, one sample) from a map-style or iterable dataset."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.dataset, self.auto_collation, self.collate_fn, self.drop_last = (
            dataset, auto_collation, collate_fn, drop_last)
        self.stream = None
        # a plain TensorDataset under default_collate: a batch is one index per tensor (not for tensors
        # that require grad, whose batches PyTorch's stack records as StackBackward0)
        self.stacks_rows = (collate_fn is default_collate and isinstance(dataset, TensorDataset)
                            and type(dataset).__getitem__ is TensorDataset.__getitem__
                            and not any(t.requires_grad for t in dataset.tensors))

    def restart(self) -> None:
        """Start a new pass over an iterable dataset."""
        self.stream = iter(self.dataset)

    def fetch(self, indices):
        """The collated items at `indices` (a map-style dataset), or the next batch of the stream: a
        batch of `indices` items (a count), StopIteration at its end."""
        if self.stream is not None:
            if not self.auto_collation:
                return self.collate_fn(next(self.stream))
            data = []
            for item in self.stream:
                data.append(item)
                if len(data) == indices:
                    break
            if not data or (self.drop_last and len(data) < indices):
                raise StopIteration
            return self.collate_fn(data)
        if not self.auto_collation:
            return self.collate_fn(self.dataset[indices])
        if self.stacks_rows:
            return self.dataset.rows(indices)
        getitems = getattr(self.dataset, "__getitems__", None)
        data = getitems(indices) if callable(getitems) else [self.dataset[i] for i in indices]
        return self.collate_fn(data)


def seed_worker(seed: int) -> None:
    """Seed ember's default generators, Python's `random` and numpy's global state in a worker."""
    _generator.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)


def worker_loop(dataset, fetcher: Fetcher, index_queue, result_queue, worker_id: int, num_workers: int,
                base_seed: int, init_fn, iterable: bool) -> None:
    """The body of a worker process: seed, run `init_fn`, then serve tasks until told to stop."""
    try:
        seed = base_seed + worker_id
        seed_worker(seed)
        _worker_info[0] = WorkerInfo(worker_id, num_workers, seed, dataset)
        failure = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            if iterable:
                fetcher.restart()
        except Exception as error:
            failure = ExceptionWrapper(error, f"in DataLoader worker process {worker_id}")
        ended = False
        parent = os.getppid()
        while True:
            try:
                task = index_queue.get(timeout=5.0)
            except queue.Empty:
                if os.getppid() != parent:  # the main process is gone without stopping us
                    break
                continue
            if task is None:
                break
            epoch, number, indices = task
            if number is None:  # a new epoch of persistent workers
                if iterable and failure is None:
                    fetcher.restart()
                ended = False
                continue
            if failure is not None:
                result: Any = failure
            elif ended:
                result = IterableEnd(worker_id)
            else:
                try:
                    result = fetcher.fetch(indices)
                except StopIteration:
                    ended, result = True, IterableEnd(worker_id)
                except Exception as error:
                    result = ExceptionWrapper(error, f"in DataLoader worker process {worker_id}")
            result_queue.put((epoch, number, result))
            del result
    except KeyboardInterrupt:
        pass
    finally:
        result_queue.cancel_join_thread()
        sys.stdout.flush()
