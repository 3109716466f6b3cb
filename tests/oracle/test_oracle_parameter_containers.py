"""nn.ParameterList and nn.ParameterDict against PyTorch: registration (parameters(), named_parameters(),
state_dict(), load_state_dict(), .to(), gradients and an optimizer step through a parent module), list and
dict operations, reprs (with ember's dtype and type names where PyTorch prints torch's), and errors."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle


def _build(lib, kind):
    """The same container in either library: tensors, a Parameter and plain objects."""
    rng = np.random.default_rng(0)
    a, b, c = (rng.standard_normal(shape).astype("float32") for shape in ((2, 3), (4,), (3,)))
    if kind == "list":
        return lib.nn.ParameterList([lib.tensor(a), lib.nn.Parameter(lib.tensor(b)), 7, "x", lib.tensor(c)])
    return lib.nn.ParameterDict({"w": lib.tensor(a), "b": lib.nn.Parameter(lib.tensor(b)), "n": 7,
                                 "c": lib.tensor(c).double()})


def _names(module):
    return [(name, tuple(p.shape), repr(p.dtype).rsplit(".", 1)[-1]) for name, p in module.named_parameters()]


@pytest.mark.parametrize("kind", ["list", "dict"])
def test_registration_matches_torch(oracle, kind):
    mine, theirs = _build(ember, kind), _build(torch, kind)
    assert _names(mine) == _names(theirs)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    assert len(mine) == len(theirs) and type(mine) is getattr(ember.nn, type(theirs).__name__)
    for key, value in theirs.state_dict().items():
        oracle.assert_same(mine.state_dict()[key], value, key)
    mine.to(ember.float64)
    theirs.to(torch.float64)
    assert _names(mine) == _names(theirs)
    assert all(isinstance(p, ember.nn.Parameter) for p in mine.parameters())
    assert repr(mine.cpu()) == repr(theirs).replace("torch.", "ember.")


def test_repr_names_a_device_other_than_the_cpu():
    """On the default device: off the CPU (EMBER_DEFAULT_DEVICE=opencl) each line names the device, as PyTorch's
    lines name a CUDA tensor's."""
    params = ember.nn.ParameterList([ember.ones(2)])
    device = params[0].device
    suffix = "" if device.type == "cpu" else f" ({device})"
    assert repr(params) == f"ParameterList(  (0): Parameter containing: [ember.float32 of size 2{suffix}])"


@pytest.mark.parametrize("kind", ["list", "dict"])
def test_a_parent_module_trains_them_as_torch(oracle, kind):
    def step(lib):
        parent = lib.nn.Module()
        parent.params = _build(lib, kind)
        values = list(parent.params) if kind == "list" else list(parent.params.values())
        loss = sum((p * p).sum() for p in values if isinstance(p, lib.Tensor))
        optimizer = lib.optim.SGD(parent.parameters(), lr=0.1)
        loss.backward()
        optimizer.step()
        return parent.state_dict()
    mine, theirs = step(ember), step(torch)
    assert list(mine) == list(theirs)
    for key in theirs:
        oracle.assert_same(mine[key], theirs[key], key)


def test_load_state_dict_round_trips():
    source, target = _build(ember, "list"), _build(ember, "list")
    for p in source.parameters():
        p.data.fill_(3.0)
    target.load_state_dict(source.state_dict())
    assert all((p == 3.0).all() for p in target.parameters())


def test_list_operations_match_torch():
    def run(lib):
        params = lib.nn.ParameterList()
        params.append(lib.ones(2))
        params.extend([lib.zeros(3), 1.5])
        params += [lib.ones(1, 2)]
        params[-1] = lib.full((1,), 4.0)
        params[0] = lib.nn.Parameter(lib.zeros(5))
        sliced = params[1::2]
        return ([type(p).__name__ if not isinstance(p, lib.Tensor) else tuple(p.shape) for p in params],
                type(sliced).__name__, len(sliced), [name for name, _ in params.named_parameters()],
                params[-1].tolist(), [key for key in dir(params) if key.isdigit()])
    assert run(ember) == run(torch)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.ParameterList([lib.ones(1)])[1],
    lambda lib: lib.nn.ParameterList([lib.ones(1)])[-2],
    lambda lib: lib.nn.ParameterList().extend(lib.ones(2)),
    lambda lib: lib.nn.ParameterList().extend(3),
    lambda lib: lib.nn.ParameterList([lib.ones(1)])(lib.ones(1)),
    lambda lib: lib.nn.ParameterDict()[3],
    lambda lib: lib.nn.ParameterDict()["missing"],
    lambda lib: lib.nn.ParameterDict().update(3),
    lambda lib: lib.nn.ParameterDict().update([("a", lib.ones(1), 3)]),
    lambda lib: lib.nn.ParameterDict().update([3]),
    lambda lib: lib.nn.ParameterDict({"a": lib.ones(1)})(lib.ones(1)),
])
def test_errors_match_torch(call):
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(expected.type) as got:
        call(ember)
    assert str(got.value) == str(expected.value).replace("torch.", "ember.")


def test_dict_operations_match_torch():
    def run(lib):
        params = lib.nn.ParameterDict([("z", lib.ones(1)), ("a", lib.ones(2))])
        params.update(OrderedDict([("m", lib.ones(3)), ("b", 2)]))
        params.update({"y": lib.zeros(1), "c": lib.zeros(2)})  # a plain dict: sorted
        order = list(params)
        popped = params.pop("a")
        last = params.popitem()
        default = params.setdefault("d", lib.ones(4))
        merged = params | lib.nn.ParameterDict({"e": lib.ones(5)})
        params |= lib.nn.ParameterDict({"f": lib.ones(6)})
        copied = params.copy()
        del copied["z"]
        fresh = params.fromkeys(["p", "q"], lib.ones(1))
        got = params.get("nope", "fallback")
        return (order, tuple(popped.shape), last[0], type(default).__name__, list(merged), list(params),
                list(reversed(params)), "z" in params, "z" in copied, list(fresh), got,
                [name for name, _ in params.named_parameters()], len(params))
    assert run(ember) == run(torch)
    cleared = ember.nn.ParameterDict({"a": ember.ones(1)})
    cleared.clear()
    assert len(cleared) == 0 and list(cleared.parameters()) == []
