"""`DataLoader`: batches of a dataset in the order of a sampler, read in the main process or in worker
processes (``num_workers``), with PyTorch's arguments, checks, lengths and seeding."""
from __future__ import annotations

import itertools
import multiprocessing
import queue
import time
from typing import Any

from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler, fresh_seed
from .worker import ExceptionWrapper, Fetcher, IterableEnd, worker_loop

_POLL_S = 1.0  # how often a waiting main process checks that its workers are alive


class _InfiniteConstantSampler:
    """An iterable dataset's "sampler": there is no index, only the next item."""

    def __iter__(self):
        return itertools.repeat(None)


class DataLoader:
    """Iterate over `dataset` in batches of `batch_size` (``None``: single samples), shuffled with
    `shuffle` (from `generator`), in the order of `sampler` or `batch_sampler`, collated by `collate_fn`,
    read by `num_workers` worker processes (each seeded with the iterator's base seed plus its id, each
    keeping up to `prefetch_factor` batches in flight). `pin_memory` is accepted (ember's host memory is
    pageable numpy memory, so it changes nothing)."""

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None, sampler=None,
                 batch_sampler=None, num_workers: int = 0, collate_fn=None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn=None, multiprocessing_context=None,
                 generator=None, *, prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers "
                             "> 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        if prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self.generator = generator
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            for name, value in (("shuffle", shuffle), ("sampler", sampler), ("batch_sampler", batch_sampler)):
                if value not in (None, False):
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} option, but "
                                     f"got {name}={value}")
        elif shuffle not in (None, False) and sampler is not None:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with "
                             "drop_last")
        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self._iterator: _MultiProcessIter | None = None

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self) -> _LoaderIter:
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        if not self.persistent_workers:
            return _MultiProcessIter(self)
        if self._iterator is None:
            self._iterator = _MultiProcessIter(self)
        else:
            self._iterator.reset()
        return self._iterator

    def __len__(self) -> int:
        if self._iterable:
            length = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else -(-length // self.batch_size)
            return length
        return len(self._index_sampler)


class _LoaderIter:
    """What the iterators share: the base seed drawn from the loader's generator, then the sampler. An
    iterator keeps what it needs of the loader, not the loader (which keeps a persistent iterator)."""

    def __init__(self, loader: DataLoader) -> None:
        self._iterable = loader._iterable
        self._batch_size = loader.batch_size
        try:
            self._length: int | None = len(loader)
        except TypeError:  # a dataset or sampler without len(): so is the iterator
            self._length = None
        self._index_sampler = loader._index_sampler
        self._fetcher = Fetcher(loader.dataset, loader._auto_collation, loader.collate_fn, loader.drop_last)
        self._base_seed = fresh_seed(loader.generator)
        self._sampler_iter = iter(self._index_sampler)

    def _next_indices(self) -> Any:
        """The next batch's indices; for an iterable dataset the batch size (None: one sample)."""
        if self._iterable:
            return self._batch_size
        return next(self._sampler_iter)

    def __iter__(self) -> _LoaderIter:
        return self

    def __len__(self) -> int:
        if self._length is None:
            raise TypeError("this DataLoader's dataset or sampler has no len()")
        return self._length


class _SingleProcessIter(_LoaderIter):
    """Batches read in the main process."""

    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        if self._iterable:
            self._fetcher.restart()

    def __next__(self):
        return self._fetcher.fetch(self._next_indices())


class _MultiProcessIter(_LoaderIter):
    """Batches read by worker processes, handed out in the sampler's order (task numbers), with at most
    ``prefetch_factor`` tasks in flight per worker; the workers stop at the end of the epoch (unless
    persistent), when the iterator is deleted, or on a timeout."""

    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        context = loader.multiprocessing_context
        if context is None or isinstance(context, str):
            context = multiprocessing.get_context(context)
        self._timeout = loader.timeout
        self._prefetch = max(1, loader.prefetch_factor or 0)
        self._persistent = loader.persistent_workers
        self._result_queue = context.Queue()
        self._index_queues: list = []
        self._workers: list = []
        self._epoch = 0
        for worker_id in range(loader.num_workers):
            index_queue = context.Queue()
            index_queue.cancel_join_thread()
            worker = context.Process(target=worker_loop, daemon=True, args=(
                loader.dataset, self._fetcher, index_queue, self._result_queue, worker_id, loader.num_workers,
                self._base_seed, loader.worker_init_fn, self._iterable))
            worker.start()
            self._index_queues.append(index_queue)
            self._workers.append(worker)
        self._begin_epoch()

    def _begin_epoch(self) -> None:
        self._sent = self._received = 0
        self._in_flight: dict[int, int] = {}  # task -> worker
        self._ready: dict[int, Any] = {}  # task -> result, received ahead of its turn
        self._active = [True] * len(self._workers)
        self._turns = itertools.cycle(range(len(self._workers)))
        self._exhausted = False
        for _ in range(self._prefetch * len(self._workers)):
            self._send_task()

    def reset(self) -> None:
        """A new epoch on the same (persistent) workers: a new sampler pass; late results of the previous
        epoch are dropped."""
        self._sampler_iter = iter(self._index_sampler)
        self._epoch += 1
        for index_queue in self._index_queues:
            index_queue.put((self._epoch, None, None))
        self._begin_epoch()

    def _send_task(self) -> None:
        if self._exhausted or not any(self._active):
            return
        worker = next(self._turns)
        while not self._active[worker]:
            worker = next(self._turns)
        try:
            indices = self._next_indices()
        except StopIteration:
            self._exhausted = True
            return
        self._index_queues[worker].put((self._epoch, self._sent, indices))
        self._in_flight[self._sent] = worker
        self._sent += 1

    def __next__(self):
        while True:
            if self._received in self._ready:
                result = self._ready.pop(self._received)
                self._received += 1
                if isinstance(result, IterableEnd):
                    self._active[result.worker_id] = False
                    continue
                self._send_task()
                if isinstance(result, ExceptionWrapper):
                    result.reraise()
                return result
            if self._received >= self._sent:
                if not self._persistent:
                    self._shutdown()
                raise StopIteration
            epoch, task, result = self._get()
            if epoch == self._epoch:
                self._in_flight.pop(task, None)
                self._ready[task] = result

    def _get(self):
        """The next result from any worker; RuntimeError when a worker died or the timeout passed."""
        start = time.monotonic()
        while True:
            wait = _POLL_S if not self._timeout else min(_POLL_S, self._timeout)
            try:
                return self._result_queue.get(timeout=wait)
            except queue.Empty:
                dead = [w.pid for w in self._workers if not w.is_alive()]
                if dead:
                    self._shutdown()
                    raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(map(str, dead))}) exited "
                                       "unexpectedly") from None
                if self._timeout and time.monotonic() - start >= self._timeout:
                    self._shutdown()
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds") from None

    def _shutdown(self) -> None:
        """Stop the workers (asking, then terminating any that do not stop) and close the queues."""
        workers, self._workers = self._workers, []
        for index_queue in self._index_queues:
            index_queue.put(None)
        for worker in workers:
            worker.join(timeout=5.0)
            if worker.is_alive():
                worker.terminate()
                worker.join()
        for q in (*self._index_queues, self._result_queue):
            q.cancel_join_thread()
            q.close()
        self._index_queues = []
        self._exhausted = True
        self._sent = self._received

    def __del__(self) -> None:
        if getattr(self, "_workers", None):
            self._shutdown()
