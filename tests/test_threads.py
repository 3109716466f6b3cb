"""`ember.set_num_threads`/`get_num_threads` through the CPU device type's optional thread hooks: the CPU
backend's really set numpy's OpenBLAS threads (witnessed by threadpoolctl where installed); a backend
without the hooks keeps its default and reports 1."""
from __future__ import annotations

import dataclasses

import pytest

import ember
from ember import _threads
from ember.plugins.manager import get_backend


@pytest.fixture
def restore_threads():
    before = ember.get_num_threads()
    yield
    ember.set_num_threads(before)


def test_the_cpu_backend_sets_numpys_blas_threads(restore_threads):
    if get_backend("cpu").device_type.set_num_threads is None:
        pytest.skip("this numpy bundles no OpenBLAS the CPU backend can reach")
    for n in (1, 2, 1):
        ember.set_num_threads(n)
        assert ember.get_num_threads() == n
    threadpoolctl = pytest.importorskip("threadpoolctl")
    ember.set_num_threads(2)
    blas = [pool for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 2 for pool in blas)


def test_a_backend_without_the_hooks_keeps_its_default(monkeypatch):
    backend = get_backend("cpu")
    bare = dataclasses.replace(backend, device_type=dataclasses.replace(backend.device_type, set_num_threads=None,
                                                                        get_num_threads=None))
    monkeypatch.setattr(_threads, "get_backend", lambda name: bare)
    before = backend.device_type.get_num_threads() if backend.device_type.get_num_threads else None
    ember.set_num_threads(3)
    assert ember.get_num_threads() == 1
    if before is not None:
        assert backend.device_type.get_num_threads() == before  # nothing was set


@pytest.mark.parametrize("value, message", [
    (0, "set_num_threads expects a positive integer"), (-1, "set_num_threads expects a positive integer"),
    (1.5, "set_num_threads expects an int, but got float"), ("2", "set_num_threads expects an int, but got str"),
    (True, "set_num_threads expects an int, but got bool"),
])
def test_set_num_threads_refuses_as_pytorch(value, message, restore_threads):
    before = ember.get_num_threads()
    with pytest.raises(RuntimeError, match=f"^{message}$"):
        ember.set_num_threads(value)
    assert ember.get_num_threads() == before
