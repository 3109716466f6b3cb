"""`ember.Generator`: a seeded random stream on one device, and the default generator of each device.

A generator holds a seed and, made lazily from it, two states: the backend's (``DeviceType.new_generator``,
which the ``uniform`` and ``normal`` kernels draw from) and a host stream for the few draws core makes on the
host (permutations, Poisson counts). A backend whose state is PyTorch's CPU generator (an `MT19937Engine`, the
CPU's) is the whole state: the host stream draws from its words, and `get_state` is PyTorch's 5056 bytes;
core samples it with ATen's CPU samplers, so that a seed gives PyTorch's CPU numbers. Other backends' host
stream is numpy's PCG64 beside their state. Drawing from one generator never moves another.
"""
from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Callable
from typing import Any

import numpy as np

from ._device import device as _device_class
from ._device import resolve
from ._mt19937 import MT19937Engine

DEFAULT_SEED = 67280421310721  # PyTorch's seed of a new Generator and of the default generators of devices
# The seed of every default generator once ember.manual_seed (or seed) has seeded them all together; None until
# then, when the CPU's default generator starts from the operating system's entropy, as PyTorch's does (ATen's
# getNonDeterministicRandom: an unseeded program draws other numbers on each run), the others from DEFAULT_SEED.
_seed: list[int | None] = [None]
_defaults: dict = {}  # resolved device -> its default Generator


def _checked_seed(seed) -> int:
    """A seed as PyTorch takes it: a float truncates, a string that is no number is a ValueError, and
    negative seeds wrap into uint64."""
    seed = int(seed)
    if not -2**63 <= seed < 2**64:
        raise ValueError(f"manual_seed(): Overflow when unpacking long long: {seed} is out of range")
    return seed & 0xFFFF_FFFF_FFFF_FFFF


class Generator:
    """A random stream for one device (``Generator(device='cpu')``), seeded with `manual_seed`; pass it
    as ``generator=`` to any random function. Its state (`get_state`) is a uint8 CPU tensor."""

    def __init__(self, device: Any = "cpu") -> None:
        self._device = _device_class(device)  # resolved (its backend loaded) at the first draw
        self._seed = DEFAULT_SEED
        self._engine: Any = None
        self._host: np.random.Generator | None = None

    @property
    def device(self) -> _device_class:
        """The device whose kernels this generator feeds."""
        return self._device

    def manual_seed(self, seed) -> Generator:
        """Restart the stream from `seed`; returns the generator, as PyTorch's."""
        self._seed = _checked_seed(seed)
        self._engine = self._host = None
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy; returns that seed."""
        self.manual_seed(secrets.randbits(63))
        return self._seed

    def initial_seed(self) -> int:
        """The seed the stream last started from (that of a restored state)."""
        return self._seed

    def engine(self) -> Any:
        """The backend's random state, passed to the ``uniform``/``normal`` kernels as ``gen``."""
        if self._engine is None:
            self._engine = self._device_type().new_generator(self._seed, self._device.index or 0)
        return self._engine

    def _device_type(self) -> Any:
        return resolve(self._device).device_type

    def host(self) -> np.random.Generator:
        """The host stream, for the draws core makes on the host."""
        if self._host is None:
            engine = self.engine()
            self._host = (engine.host() if isinstance(engine, MT19937Engine)
                          else np.random.Generator(np.random.PCG64(self._seed)))
        return self._host

    def get_state(self):
        """The whole state as a uint8 CPU tensor for `set_state`: PyTorch's 5056 bytes for an MT19937 state,
        else the seed, host stream and backend state."""
        from ._ops.creation import from_numpy
        export = self._device_type().get_generator_state
        if export is None:
            raise RuntimeError(f"Generator.get_state(): device type '{self._device.type}' cannot export its "
                               "generator's state (its backend has no get_generator_state)")
        engine = self.engine()
        if isinstance(engine, MT19937Engine):
            data = export(engine)
        else:
            data = json.dumps({"seed": self._seed, "host": self.host().bit_generator.state,
                               "device": export(engine).hex()}).encode()
        return from_numpy(np.frombuffer(data, dtype=np.uint8).copy())

    def set_state(self, new_state) -> Generator:
        """Restore a state `get_state` returned (of a generator of the same device type)."""
        from ._dtype import uint8
        from ._tensor import Tensor
        if not isinstance(new_state, Tensor) or new_state.dtype is not uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        device_type = self._device_type()
        restore = device_type.set_generator_state
        if restore is None:
            raise RuntimeError(f"Generator.set_state(): device type '{self._device.type}' cannot restore its "
                               "generator's state (its backend has no set_generator_state)")
        data = new_state.detach().cpu().numpy().tobytes()
        engine = device_type.new_generator(DEFAULT_SEED, self._device.index or 0)
        if isinstance(engine, MT19937Engine):
            try:
                restore(engine, data)
            except ValueError as error:
                raise RuntimeError(str(error)) from None
            self._seed, self._host, self._engine = engine.initial_seed, None, engine
            return self
        try:
            record = json.loads(data)
            seed, device_state = _checked_seed(record["seed"]), bytes.fromhex(record["device"])
            host = np.random.Generator(np.random.PCG64())
            host.bit_generator.state = record["host"]
            engine = restore(device_type.new_generator(seed, self._device.index or 0), device_state)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise RuntimeError(f"Generator.set_state(): not an RNG state of a '{self._device.type}' generator "
                               f"({new_state.numel()} bytes: {error})") from None
        self._seed, self._host, self._engine = seed, host, engine
        return self

    def __repr__(self) -> str:
        return f"<ember.Generator device='{self._device}' initial_seed={self._seed}>"


def default_for(d) -> Generator:
    """The default generator of resolved device `d`, made on first use from the global seed."""
    gen = _defaults.get(d)
    if gen is None:
        seed = _seed[0]
        if seed is None:
            seed = secrets.randbits(64) if d.type == "cpu" else DEFAULT_SEED
        gen = _defaults[d] = Generator(d).manual_seed(seed)
    return gen


def cpu_device() -> _device_class:
    """The CPU device (whose default generator is ``ember.default_generator``)."""
    return _device_class("cpu")


# Callables told of every draw, with the generator about to be drawn from: vmap's randomness modes (ember.func).
draw_hooks: list[Callable[[Generator], None]] = []


def chosen(generator, d, op: str) -> Generator:
    """The generator an op on device `d` draws from: `generator`, checked, or `d`'s default one."""
    if generator is None:
        generator = default_for(d)
    elif not isinstance(generator, Generator):
        raise TypeError(f"{op}(): argument 'generator' must be ember.Generator, not {type(generator).__name__}")
    if generator._device.type != d.type:
        raise RuntimeError(f"Expected a '{d.type}' device type for generator but found '{generator._device.type}'"
                           f" (in {op})")
    for hook in draw_hooks:
        hook(generator)
    return generator


def manual_seed(seed) -> Generator:
    """Seed the default generators of every device; returns the CPU's (PyTorch's `manual_seed`)."""
    _seed[0] = seed = _checked_seed(seed)
    for gen in _defaults.values():
        gen.manual_seed(seed)
    return default_for(cpu_device())


def seed() -> int:
    """Seed every default generator non-deterministically; returns that seed."""
    return manual_seed(secrets.randbits(63)).initial_seed()


def initial_seed() -> int:
    """The initial seed of the CPU default generator (that of a state `set_rng_state` restored)."""
    return default_for(cpu_device()).initial_seed()


def get_rng_state():
    """The CPU default generator's state (a uint8 tensor)."""
    return default_for(cpu_device()).get_state()


def set_rng_state(new_state) -> None:
    """Restore the CPU default generator's state from `get_rng_state`."""
    default_for(cpu_device()).set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, device_type: str = "cuda"):
    """Run the block with default generators' states saved and restored afterwards, as PyTorch's: the
    CPU's, and those of the `device_type` devices in use (of the indices in `devices` when given)."""
    if not enabled:
        yield
        return
    wanted = None if devices is None else {i if isinstance(i, int) else _device_class(i).index or 0 for i in devices}
    forked = [default_for(cpu_device())] + [
        gen for d, gen in _defaults.items()
        if d.type == device_type and (wanted is None or (d.index or 0) in wanted)]
    saved = [(gen, gen.get_state()) for gen in forked]
    seed_before = _seed[0]
    try:
        yield
    finally:
        _seed[0] = seed_before
        for gen, state in saved:
            gen.set_state(state)
