"""Checkpoints against PyTorch 2.13: `.pt` files written by torch.save load in ember with torch.load's
values, types, strides, sharing and requires_grad; ember.save -> ember.load keeps what torch.save ->
torch.load keeps; both refuse the same malicious and damaged archives."""
from __future__ import annotations

import io
import math
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")


def torch_bytes(obj, **save_args) -> io.BytesIO:
    buffer = io.BytesIO()
    torch.save(obj, buffer, **save_args)
    buffer.seek(0)
    return buffer


def random_bits(name: str, shape=(3, 5), seed: int = 0) -> np.ndarray:
    """Random bit patterns (NaN payloads, infinities, -0.0 among the floats)."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    if name == "bool":
        return rng.integers(0, 2, n).astype(bool).reshape(shape)
    dtype = np.dtype(name)
    return rng.integers(0, 256, n * dtype.itemsize, dtype=np.uint8).view(dtype).reshape(shape).copy()


def same_bits(got: ember.Tensor, expected) -> bool:
    a = np.ascontiguousarray(got.detach().cpu().numpy())
    b = np.ascontiguousarray(expected.detach().cpu().numpy())
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def shares_memory(a: ember.Tensor, b: ember.Tensor) -> bool:
    return np.shares_memory(a.detach().cpu().numpy(), b.detach().cpu().numpy())


def torch_shares_memory(a, b) -> bool:
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


@pytest.mark.parametrize("name", DTYPES)
def test_every_dtype_from_torch_loads_bit_exactly(name):
    expected = torch.from_numpy(random_bits(name, seed=DTYPES.index(name)))
    got = ember.load(torch_bytes({"t": expected, "t_t": expected.t()}))
    assert got["t"].dtype is getattr(ember, name) and same_bits(got["t"], expected)
    assert same_bits(got["t_t"], expected.t()) and got["t_t"].stride() == expected.t().stride()


def test_views_with_offsets_and_strides_rebuild_and_share_as_in_torch():
    x = torch.arange(24.0).reshape(4, 6)
    views = {"x": x, "row": x[2], "col": x[:, 3], "t": x.t(), "block": x[1:3, 2::2], "flat": x.view(-1)[5:9],
             "diag": x.diagonal(), "unfold": x.view(-1).unfold(0, 4, 3)}
    loaded = torch.load(torch_bytes(views))
    got = ember.load(torch_bytes(views))
    for key, expected in loaded.items():
        assert got[key].tolist() == expected.tolist() and got[key].stride() == expected.stride(), key
        assert shares_memory(got[key], got["x"]) == torch_shares_memory(expected, loaded["x"]), key
    got["x"][2, 4] = -1.0
    loaded["x"][2, 4] = -1.0
    for key, expected in loaded.items():
        assert got[key].tolist() == expected.tolist(), key


def _model(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 3))
    model.register_buffer("running", lib.arange(3.0))
    return model


def test_a_torch_state_dict_loads_into_the_same_ember_model():
    expected = _model(torch)
    state = ember.load(torch_bytes(expected.state_dict()))
    assert type(state) is OrderedDict and list(state) == list(expected.state_dict())
    assert state._metadata == expected.state_dict()._metadata
    model = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.ReLU(), ember.nn.Linear(8, 3))
    model.register_buffer("running", ember.zeros(3))
    assert repr(model.load_state_dict(state)) == "<All keys matched successfully>"
    x = np.random.default_rng(1).standard_normal((5, 4)).astype(np.float32)
    with torch.no_grad():
        want = expected(torch.from_numpy(x)).cpu().numpy()
    with ember.no_grad():
        np.testing.assert_allclose(model(ember.tensor(x)).cpu().numpy(), want, rtol=1e-6, atol=1e-7)


def test_tied_weights_from_torch_share_memory():
    shared = torch.nn.Linear(3, 3)
    model = torch.nn.Sequential(shared, torch.nn.ReLU(), shared)
    got = ember.load(torch_bytes(model.state_dict()))
    loaded = torch.load(torch_bytes(model.state_dict()))
    assert shares_memory(got["0.weight"], got["2.weight"]) == torch_shares_memory(loaded["0.weight"],
                                                                                    loaded["2.weight"]) is True


def _tensors(lib):
    leaf = lib.ones(2, requires_grad=True)
    return {"plain": lib.zeros(2), "leaf": leaf, "computed": leaf * 2, "param": lib.nn.Parameter(lib.ones(3)),
            "frozen": lib.nn.Parameter(lib.ones(3), requires_grad=False), "int": lib.arange(3)}


def _describe(obj):
    return {key: (type(t).__name__, t.requires_grad, t.is_leaf, t.grad_fn is None, t.tolist())
            for key, t in obj.items()}


def test_requires_grad_and_parameters_load_as_torch_loads_them():
    expected = _describe(torch.load(torch_bytes(_tensors(torch))))
    assert _describe(ember.load(torch_bytes(_tensors(torch)))) == expected


def test_ember_save_then_load_keeps_what_torch_save_then_load_keeps():
    buffer = io.BytesIO()
    ember.save(_tensors(ember), buffer)
    buffer.seek(0)
    assert _describe(ember.load(buffer)) == _describe(torch.load(torch_bytes(_tensors(torch))))


def _nested(lib):
    t = lib.arange(6.0).reshape(2, 3)
    return {"ints": [1, -2**70, 0], "floats": (2.5, float("inf"), -0.0), "text": "héllo", "none": None,
            "flags": [True, False], "set": {1, 2, 3}, "bytes": b"\x00\xff", "complex": 1 - 2j,
            "od": OrderedDict(b=1, a=2), 7: "int key", (1, "k"): "tuple key", "size": lib.Size([2, 3]),
            "dtype": lib.float16, "device": lib.device("cpu"), "nested": [{"t": t, "again": t}, (t[1],)]}


def _plain(obj):
    """Tensors as (dtype name, values), library types as their names, so torch's and ember's results compare."""
    if hasattr(obj, "tolist") and hasattr(obj, "dtype"):
        return ("tensor", str(obj.dtype).rsplit(".", 1)[-1], obj.tolist())
    if isinstance(obj, (dict, OrderedDict)):
        return (type(obj).__name__, [(_plain(k), _plain(v)) for k, v in obj.items()])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [_plain(item) for item in obj])
    if type(obj).__name__ in ("dtype", "device"):
        return (type(obj).__name__, str(obj).replace("torch.", "").replace("ember.", ""))
    if isinstance(obj, float) and math.copysign(1, obj) < 0 and obj == 0:
        return "-0.0"
    return obj


def test_nested_containers_from_torch_load_as_in_torch():
    loaded = torch.load(torch_bytes(_nested(torch)))
    got = ember.load(torch_bytes(_nested(torch)))
    assert _plain(got) == _plain(loaded)
    assert got["nested"][0]["t"] is got["nested"][0]["again"]
    assert loaded["nested"][0]["t"] is loaded["nested"][0]["again"]


def test_nested_containers_round_trip_through_ember_as_through_torch():
    buffer = io.BytesIO()
    ember.save(_nested(ember), buffer)
    buffer.seek(0)
    assert _plain(ember.load(buffer)) == _plain(torch.load(torch_bytes(_nested(torch))))


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_every_pickle_protocol_torch_can_write_loads(protocol):
    expected = {"w": torch.randn(3, 2), "n": [1, 2.5, "x"]}
    got = ember.load(torch_bytes(expected, pickle_protocol=protocol))
    assert same_bits(got["w"], expected["w"]) and got["n"] == expected["n"]


@pytest.mark.parametrize("where", ["cpu", {"cpu": "cpu"}, lambda storage, location: storage])
def test_map_location_forms_on_a_torch_checkpoint(where):
    x = torch.arange(6.0).reshape(2, 3)
    got = ember.load(torch_bytes({"x": x, "t": x.t()}), map_location=where)
    assert got["t"].tolist() == x.t().tolist() and shares_memory(got["x"], got["t"])


def test_an_sgd_state_dict_from_torch_resumes_in_ember():
    torch_model, ember_model = _model(torch), _model(ember)
    ember_model.load_state_dict(ember.load(torch_bytes(torch_model.state_dict())))
    torch_opt = torch.optim.SGD(torch_model.parameters(), lr=0.1, momentum=0.9)
    ember_opt = ember.optim.SGD(ember_model.parameters(), lr=0.5)
    x = np.random.default_rng(2).standard_normal((6, 4)).astype(np.float32)

    def step(lib, model, opt):
        opt.zero_grad()
        model(lib.tensor(x)).square().mean().backward()
        opt.step()
    step(torch, torch_model, torch_opt)
    ember_model.load_state_dict(ember.load(torch_bytes(torch_model.state_dict())))
    ember_opt.load_state_dict(ember.load(torch_bytes(torch_opt.state_dict())))
    for _ in range(3):
        step(torch, torch_model, torch_opt)
        step(ember, ember_model, ember_opt)
    for got, expected in zip(ember_model.parameters(), torch_model.parameters()):
        np.testing.assert_allclose(got.detach().cpu().numpy(), expected.detach().cpu().numpy(), rtol=1e-6, atol=1e-7)


def test_load_state_dict_errors_match_torch():
    def errors(lib):
        model = _model(lib)
        state = dict(model.state_dict())
        state["0.weight"] = lib.zeros(5, 4)
        state["extra"] = lib.zeros(1)
        del state["2.bias"]
        out = []
        for strict in (True, False):
            try:
                out.append(repr(model.load_state_dict(state, strict=strict)))
            except RuntimeError as error:
                out.append(str(error))
        del state["0.weight"]
        out.append(repr(model.load_state_dict(state, strict=False)))
        good = model.state_dict()
        for bad in ({**good, "0.weight": 5}, {"weight": lib.zeros(8, 5), "bias": lib.zeros(8)}):
            try:
                (model if "0.weight" in bad else model[0]).load_state_dict(bad)
            except RuntimeError as error:
                out.append(str(error))
        model.load_state_dict({**good, "0.weight": lib.ones(8, 4, dtype=lib.int64)})
        out.append((str(model[0].weight.dtype).split(".")[1], model[0].weight.sum().item()))
        new = {key: value + 1 for key, value in good.items()}
        model.load_state_dict(new, assign=True)
        out.append((model[0].weight is new["0.weight"], type(model[0].weight).__name__,
                    model[0].weight.requires_grad, model.running is new["running"]))
        return out
    assert errors(ember) == [message.replace("torch.", "ember.") if isinstance(message, str) else message
                             for message in errors(torch)]


# ----- refusals -----------------------------------------------------------------------------------------------
class _RunsCode:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_malicious_torch_checkpoint_is_refused_by_both(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    torch.save({"w": torch.ones(2), "payload": _RunsCode(str(marker))}, path)  # pickling does not run it
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        torch.load(path, weights_only=True)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed.*GLOBAL posix.system"):
        ember.load(path)
    assert not marker.exists()


def test_a_truncated_torch_checkpoint_is_a_runtime_error_for_both(tmp_path):
    path = tmp_path / "cut.pt"
    torch.save({"w": torch.randn(50)}, path)
    data = path.read_bytes()
    for keep in (len(data) // 3, len(data) - 30):
        path.write_bytes(data[:keep])
        with pytest.raises(RuntimeError):
            torch.load(path)
        with pytest.raises(RuntimeError, match="cut.pt"):
            ember.load(path)


def test_a_changed_storage_byte_is_caught_by_the_zip_checksum(tmp_path):
    path = tmp_path / "flip.pt"
    torch.save(torch.zeros(64), path)
    data = bytearray(path.read_bytes())
    start = data.index(bytes(256))
    data[start + 10] = 1
    path.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="flip.pt.*damaged"):
        ember.load(path)


def test_a_bfloat16_checkpoint_names_the_dtype_ember_lacks():
    with pytest.raises(RuntimeError, match="BFloat16Storage"):
        ember.load(torch_bytes(torch.ones(2, dtype=torch.bfloat16)))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch.jit's own notice
def test_a_torchscript_archive_is_named(tmp_path):
    path = tmp_path / "scripted.pt"
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), path)
    with pytest.raises(RuntimeError, match="TorchScript"):
        ember.load(path)


def test_a_torch_checkpoint_in_a_zip_with_big_endian_storages_loads():
    x = torch.randn(3, 4, dtype=torch.float64)
    archive = zipfile.ZipFile(torch_bytes({"x": x}))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as rewritten:
        for info in archive.infolist():
            data = archive.read(info)
            if info.filename.endswith("/byteorder"):
                data = b"big"
            elif "/data/" in info.filename:
                data = np.frombuffer(data, "<f8").astype(">f8").tobytes()
            rewritten.writestr(info, data)
    out.seek(0)
    assert same_bits(ember.load(out)["x"], x)
