"""A device with a queue (``DeviceType.has_queue``): ops never read tensor values on the host. Value checks
become pending device-side checks raised, with PyTorch's message, at the next synchronisation; a training
step performs no host read; moves between two devices of the backend go through its ``copy_to`` kernel.

The backend is test_contract_v2's fake two-device one, with a queue, every CPU kernel (optional ones too)
and a ``to_numpy`` that counts host reads."""
from __future__ import annotations

import numpy as np
import pytest
from test_contract_v2 import OnDevice, _creating

import ember
import ember._device
from ember import _checks
from ember._device import _current_index
from ember.nn import functional as F
from ember.plugins import CREATION_KERNELS, OPTIONAL_KERNELS, DeviceType, Registry, hookimpl, register_plugin
from ember.plugins.manager import _reset_for_tests
from ember.plugins.registry import KernelTable
from ember_cpu.device import CPU
from ember_cpu.kernels import KERNELS as CPU_KERNELS


class QueuedDevices:
    """Device types "queued" and "cuda" with a queue, two devices each; `host_reads` counts to_numpy calls,
    `copies` the copy_to calls (offered when `peer_copies`)."""

    def __init__(self, peer_copies: bool) -> None:
        self.host_reads = 0
        self.copies: list[int] = []
        self.peer_copies = peer_copies

    def device_type(self, name: str) -> DeviceType:
        return DeviceType(name, is_available=lambda: True, device_count=lambda: 2, synchronize=lambda index: None,
                          new_generator=CPU.new_generator, dtypes={"float32", "float64", "int64", "bool"},
                          has_queue=True)

    def to_numpy(self, buffer):
        self.host_reads += 1
        return np.asarray(buffer)

    def copy_to(self, buffer, index):
        self.copies.append(index)
        moved = np.array(buffer, copy=True).view(OnDevice)
        moved.index = index
        return moved

    @hookimpl
    def ember_register_devices(self, registry: Registry) -> None:
        registry.add_device(self.device_type("queued"))
        registry.add_device(self.device_type("cuda"))

    @hookimpl
    def ember_register_kernels(self, registry: Registry) -> None:
        kernels = {op: _creating(fn) if op in CREATION_KERNELS else fn for op, fn in CPU_KERNELS.items()}
        kernels["to_numpy"] = self.to_numpy
        if self.peer_copies:
            kernels["copy_to"] = self.copy_to
        else:
            del kernels["copy_to"]
        for name in ("queued", "cuda"):
            registry.add_kernels(name, kernels)


def _register(peer_copies: bool):
    _reset_for_tests()
    plugin = QueuedDevices(peer_copies)
    register_plugin(plugin, "queued-devices")
    return plugin


@pytest.fixture(params=[False, True], ids=["host-copies", "peer-copies"])
def backend(request, without_installed_cuda):
    """The queued backend, registered for one test (with and without copy_to); forgotten after."""
    plugin = _register(request.param)
    yield plugin
    for placed in ember.device._interned.values():
        if placed.type in ("queued", "cuda"):
            placed.kernels = placed.device_type = None
    _checks.pending.clear()
    _current_index.clear()
    _reset_for_tests()


@pytest.fixture(params=["fused", "composed"])
def kernels_used(request, backend):
    """Both ways core runs a step: with the backend's optional (fused) kernels, and composing without them."""
    placed = ember._device.resolve(ember.device("queued", 0))
    table = placed.kernels
    if request.param == "composed":
        kept = {name: plugin for name, plugin in table.coverage().items()
                if plugin is not None and name not in OPTIONAL_KERNELS}
        placed.kernels = KernelTable(table.device, {name: getattr(table, name) for name in kept}, kept)
    yield request.param
    placed.kernels = table


def test_an_mlp_training_step_reads_nothing_on_the_host(backend, kernels_used):
    model = ember.nn.Sequential(ember.nn.Linear(784, 256), ember.nn.ReLU(), ember.nn.Linear(256, 10)).to("queued:0")
    optimizer = ember.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = ember.randn(64, 784, device="queued:0")
    y = ember.randint(0, 10, (64,), device="queued:0")
    losses = []
    for _ in range(2):  # the first step makes the momentum buffers, the second uses them
        backend.host_reads = 0
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        assert backend.host_reads == 0
        losses.append(loss)
    # each step's target check, kept on the device (the fused kernel's flags: one check the steps share)
    assert len(_checks.pending[losses[0].device]) == (1 if kernels_used == "fused" else 2)
    assert losses[1].item() < losses[0].item()  # the first .item() synchronises: the checks pass
    assert not _checks.pending


def test_a_bad_target_raises_pytorchs_error_at_the_next_item(backend):
    logits = ember.randn(3, 5, device="queued:1", requires_grad=True)
    loss = F.cross_entropy(logits, ember.tensor([0, 7, 1], device="queued:1"))
    loss.backward()  # queued: nothing read, nothing raised yet
    assert backend.host_reads == 0
    with pytest.raises(IndexError, match=r"^Target 7 is out of bounds\.$"):
        loss.item()
    assert np.isfinite(loss.item())  # a check raises once
    with pytest.raises(IndexError, match=r"^Target -1 is out of bounds\.$"):
        F.nll_loss(logits.log_softmax(1), ember.tensor([0, -1, 1], device="queued:1")).tolist()
    ignored = F.cross_entropy(logits, ember.tensor([0, -100, 1], device="queued:1"))
    assert ignored.item() == pytest.approx(F.cross_entropy(logits.cpu(), ember.tensor([0, -100, 1])).item(),
                                           rel=1e-6)


SYNCHRONISATIONS = {"ember.cuda.synchronize": lambda t: ember.cuda.synchronize(1), "repr": repr,
                    "tolist": lambda t: t.tolist(), "format": lambda t: f"{t:.3f}", "cpu": lambda t: t.cpu()}


@pytest.mark.parametrize("synchronise", tuple(SYNCHRONISATIONS))
def test_pending_checks_raise_at_every_synchronisation(backend, synchronise):
    loss = F.binary_cross_entropy(ember.tensor([0.5, 1.5], device="cuda:1"), ember.tensor([1.0, 0.0], device="cuda:1"))
    assert backend.host_reads == 0
    with pytest.raises(RuntimeError, match="^all elements of input should be between 0 and 1$"):
        SYNCHRONISATIONS[synchronise](loss)


def test_integer_division_by_zero_raises_at_the_next_synchronisation(backend):
    a = ember.tensor([4, 6], device="queued:0")
    quotient = a // ember.tensor([2, 0], device="queued:0")
    assert backend.host_reads == 0
    with pytest.raises(RuntimeError, match="^ZeroDivisionError$"):
        print(quotient)
    assert (a // ember.tensor([2, 3], device="queued:0")).tolist() == [2, 2]


def test_fill_with_a_tensor_value_reads_nothing(backend):
    x = ember.zeros(3, device="queued:0")
    x.fill_(ember.tensor(2.5, device="queued:0"))
    assert backend.host_reads == 0
    assert x.tolist() == [2.5, 2.5, 2.5]


def test_moves_between_devices_use_copy_to_when_the_backend_has_it(backend):
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]], device="queued:0")
    backend.host_reads = 0
    moved = x.to("queued:1")
    assert moved._data.index == 1 and moved.device == ember.device("queued", 1)
    assert (backend.copies, backend.host_reads) == (([1], 0) if backend.peer_copies else ([], 1))
    as_double = x.t().to("queued:1", ember.float64)
    assert as_double.dtype == ember.float64 and as_double._data.index == 1
    assert as_double.tolist() == [[1.0, 3.0], [2.0, 4.0]]


def test_a_loop_that_never_synchronises_keeps_a_bounded_number_of_checks(backend):
    a, b = ember.tensor([7, 8], device="queued:0"), ember.tensor([2, 3], device="queued:0")
    for _ in range(_checks.MAX_PENDING + 10):
        a // b  # an integer division's zero-divisor check
    assert len(_checks.pending[a.device]) <= _checks.MAX_PENDING
    assert backend.host_reads == _checks.MAX_PENDING  # the oldest checks judged once, one buffer each


def test_a_loop_of_fused_cross_entropies_keeps_one_check(backend):
    """cross_entropy_checked adds each call's flags to the pending ones: one check, nothing read."""
    x, target = ember.randn(2, 3, device="queued:0"), ember.tensor([0, 2], device="queued:0")
    for _ in range(_checks.MAX_PENDING + 10):
        F.cross_entropy(x, target)
    assert len(_checks.pending[x.device]) == 1
    assert backend.host_reads == 0
