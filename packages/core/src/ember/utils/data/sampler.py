"""Samplers: the order in which a DataLoader reads a map-style dataset (PyTorch's ``torch.utils.data``)."""
from __future__ import annotations

from collections.abc import Iterator, Sequence

from ... import _dtype, _generator
from ..._ops.creation import empty, randint, randperm, tensor
from ..._ops.sampling import multinomial


class Sampler:
    """Yields dataset indices (or lists of them, for a batch sampler)."""

    def __init__(self, data_source=None) -> None:
        pass

    def __iter__(self) -> Iterator:
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


def fresh_seed(generator=None) -> int:
    """A seed drawn from `generator` (the CPU default one when None), as PyTorch draws its samplers' and
    workers' seeds: one int64 ``random_()`` draw, on the generator's device (the CPU's whatever the default
    device: a DataLoader's seeds are host values)."""
    return int(empty((), dtype=_dtype.int64, device=_home(generator)).random_(generator=generator).item())


def _home(generator):
    """Where a sampler draws: its generator's device, the CPU without one (whatever the default device:
    indices and seeds are host values)."""
    return "cpu" if generator is None else generator.device


class RandomSampler(Sampler):
    """Indices in random order: a permutation per pass (``num_samples`` may span several), or with
    `replacement` independent draws. Without a `generator` each pass seeds a new one from the default."""

    def __init__(self, data_source, replacement: bool = False, num_samples: int | None = None,
                 generator=None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        generator = self.generator
        if generator is None:
            generator = _generator.Generator().manual_seed(fresh_seed())
        if self.replacement:
            home = _home(generator)
            for _ in range(self.num_samples // 32):
                yield from randint(0, n, (32,), dtype=_dtype.int64, generator=generator, device=home).tolist()
            yield from randint(0, n, (self.num_samples % 32,), dtype=_dtype.int64, generator=generator,
                               device=home).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from randperm(n, generator=generator, device=_home(generator)).tolist()
            yield from randperm(n, generator=generator, device=_home(generator)).tolist()[:self.num_samples % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given `indices` in random order."""

    def __init__(self, indices: Sequence[int], generator=None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for i in randperm(len(self.indices), generator=self.generator, device=_home(self.generator)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """`num_samples` indices drawn with probabilities proportional to `weights` (``multinomial``)."""

    def __init__(self, weights, num_samples: int, replacement: bool = True, generator=None) -> None:
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        weights_tensor = tensor(weights, dtype=_dtype.float64, device="cpu")
        if weights_tensor.dim() != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape "
                             f"{tuple(weights_tensor.shape)}")
        self.weights = weights_tensor
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        yield from multinomial(self.weights, self.num_samples, self.replacement, generator=self.generator).tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Lists of `batch_size` indices from `sampler`; the last shorter one is dropped with `drop_last`."""

    def __init__(self, sampler, batch_size: int, drop_last: bool) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
