"""ember.save / ember.load without PyTorch: round trips, shared storage, map_location, atomic writes, damaged
files, and the restricted reader of torch.save zip checkpoints (built here by hand, opcode by opcode).

PyTorch's behaviour that these tests pin (checked with torch 2.13, see tests/oracle/test_oracle_serialization.py):
torch.load keeps requires_grad of plain tensors, returns Parameters as Parameters, shares storage between
tensors saved as views of one tensor, and refuses a global such as os.system with pickle.UnpicklingError.
"""
from __future__ import annotations

import io
import math
import os
import pathlib
import pickle
import random
import struct
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
from test_queued_device import backend  # noqa: F401  (the fixture: a fake backend with two devices)

import ember
from ember.serialization import ember_format, files

DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")


def random_tensor(name: str, shape=(3, 4), seed: int = 0) -> ember.Tensor:
    rng = np.random.default_rng(seed)
    dtype = np.dtype(name if name != "bool" else np.bool_)
    raw = rng.integers(0, 256, size=int(np.prod(shape)) * dtype.itemsize, dtype=np.uint8)
    if name == "bool":
        return ember.from_numpy(raw[: int(np.prod(shape))].reshape(shape) % 2 == 1)
    array = raw.view(dtype).reshape(shape)
    return ember.from_numpy(np.ascontiguousarray(array))


def same_bits(a: ember.Tensor, b: ember.Tensor) -> bool:
    return a.dtype is b.dtype and tuple(a.shape) == tuple(b.shape) and \
        np.ascontiguousarray(a.detach().numpy()).tobytes() == np.ascontiguousarray(b.detach().numpy()).tobytes()


def round_trip(obj, **load_args):
    buffer = io.BytesIO()
    ember.save(obj, buffer)
    buffer.seek(0)
    return ember.load(buffer, **load_args)


# ----- round trips ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", DTYPES)
def test_every_dtype_round_trips_bit_exactly(name):
    t = random_tensor(name, seed=DTYPES.index(name))  # random bits: NaN payloads and -0.0 included for floats
    assert same_bits(round_trip(t), t)


def test_nested_containers_round_trip():
    w = random_tensor("float32")
    obj = {"model": OrderedDict(weight=w, bias=random_tensor("float64", (4,))),
           "list": [1, -2**70, 2.5, float("inf"), "text", None, True, False, b"\x00\xff", 1 + 2j],
           "tuple": (ember.float16, ember.device("cpu"), ember.Size([2, 3])), "set": {1, "a", (2, 3)},
           3: "int key", (1, "x"): "tuple key", "empty": [[], {}, ()]}
    got = round_trip(obj)
    assert same_bits(got["model"]["weight"], w) and type(got["model"]) is OrderedDict
    assert list(got["model"]) == ["weight", "bias"]
    assert got["list"][:5] == obj["list"][:5] and got["list"][5:] == obj["list"][5:]
    assert type(got["list"][1]) is int and type(got["list"][2]) is float
    assert got["tuple"] == obj["tuple"] and type(got["tuple"][2]) is ember.Size and got["tuple"][0] is ember.float16
    assert got["set"] == obj["set"] and got[3] == "int key" and got[(1, "x")] == "tuple key"
    assert got["empty"] == [[], {}, ()]


def test_nan_float_round_trips():
    assert math.isnan(round_trip({"x": float("nan")})["x"])


def test_non_contiguous_zero_dim_and_empty_tensors_round_trip():
    x = random_tensor("float32", (4, 6), seed=3)
    for t in (x.t(), x[1:, ::2], x[:, 2], ember.tensor(3.5), ember.zeros(0, 3), x[2:2]):
        got = round_trip(t)
        assert same_bits(got, t) and got.stride() == t.stride()


def test_views_of_one_tensor_come_back_sharing_its_memory():
    x = ember.arange(12.0).reshape(3, 4)
    got = round_trip({"x": x, "row": x[1], "t": x.t(), "stepped": x[1:, ::2]})
    got["x"][1, 2] = 100.0
    assert got["row"][2].item() == 100.0 and got["t"][2, 1].item() == 100.0 and got["stepped"][0, 1].item() == 100.0


def test_a_view_saved_alone_keeps_its_values_and_strides():
    x = ember.arange(24.0).reshape(4, 6)
    view = x[1:3, 1::2]
    got = round_trip(view)
    assert got.tolist() == view.tolist() and got.stride() == (6, 2)


def test_views_of_a_tensor_over_strided_numpy_memory_keep_their_values():
    x = ember.from_numpy(np.arange(12.0)[::2])  # owns no dense block: each view is saved on its own
    got = round_trip([x, x[1:], x[::2]])
    assert [t.tolist() for t in got] == [x.tolist(), x[1:].tolist(), x[::2].tolist()]


def test_the_same_tensor_twice_loads_as_one_object():
    t = ember.ones(2)
    got = round_trip([t, {"again": t}])
    assert got[0] is got[1]["again"]


def test_tied_weights_in_a_state_dict_share_memory_after_loading():
    shared = ember.nn.Linear(3, 3)
    model = ember.nn.Sequential(shared, ember.nn.ReLU(), shared)
    got = round_trip(model.state_dict())
    got["0.weight"].zero_()
    assert got["2.weight"].abs().sum().item() == 0


def test_requires_grad_is_kept_and_parameters_stay_parameters():
    leaf = ember.ones(2, requires_grad=True)
    leaf.sum().backward()
    frozen = ember.nn.Parameter(ember.ones(2), requires_grad=False)
    got = round_trip({"leaf": leaf, "computed": leaf * 2, "p": ember.nn.Parameter(ember.ones(2)), "frozen": frozen})
    assert got["leaf"].requires_grad and got["leaf"].is_leaf and got["leaf"].grad is None
    assert got["computed"].requires_grad and got["computed"].grad_fn is None
    assert type(got["p"]) is ember.nn.Parameter and got["p"].requires_grad
    assert type(got["frozen"]) is ember.nn.Parameter and not got["frozen"].requires_grad


def test_state_dict_metadata_survives():
    sd = ember.nn.Linear(2, 2).state_dict()
    assert round_trip(sd)._metadata == sd._metadata


def test_paths_pathlib_and_file_objects(tmp_path):
    t = ember.arange(5)
    ember.save(t, str(tmp_path / "a.ckpt"))
    ember.save(t, tmp_path / "b.ckpt")
    with open(tmp_path / "c.ckpt", "wb") as f:
        ember.save(t, f)
    for name in ("a.ckpt", "b.ckpt", "c.ckpt"):
        assert ember.load(pathlib.Path(tmp_path / name)).tolist() == [0, 1, 2, 3, 4]
    with open(tmp_path / "c.ckpt", "rb") as f:
        assert ember.load(f, weights_only=True).tolist() == [0, 1, 2, 3, 4]


def test_a_loaded_tensor_can_be_changed_in_place():
    got = round_trip(ember.zeros(3))
    got.add_(1)
    assert got.tolist() == [1.0, 1.0, 1.0]


def test_a_module_and_its_optimizer_resume_from_a_checkpoint(tmp_path):
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.ReLU(), ember.nn.Linear(4, 1))
    model.register_buffer("steps", ember.zeros((), dtype=ember.int64))
    opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x, y = ember.randn(8, 3), ember.randn(8, 1)

    def step(m, o):
        o.zero_grad()
        ((m(x) - y) ** 2).mean().backward()
        o.step()
    step(model, opt)
    ember.save({"model": model.state_dict(), "opt": opt.state_dict()}, tmp_path / "ckpt")
    clone = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.ReLU(), ember.nn.Linear(4, 1))
    clone.register_buffer("steps", ember.ones((), dtype=ember.int64))
    clone_opt = ember.optim.SGD(clone.parameters(), lr=0.5)
    checkpoint = ember.load(tmp_path / "ckpt")
    assert repr(clone.load_state_dict(checkpoint["model"])) == "<All keys matched successfully>"
    clone_opt.load_state_dict(checkpoint["opt"])
    assert clone_opt.param_groups[0]["lr"] == 0.1 and clone.steps.item() == 0
    step(model, opt)
    step(clone, clone_opt)
    for a, b in zip(model.parameters(), clone.parameters()):
        assert same_bits(a, b)


# ----- map_location -------------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["cpu", ember.device("cpu"), {"cpu": "cpu"}, lambda storage, location: storage,
                                   lambda storage, location: None])
def test_map_location_forms(where):
    x = ember.arange(6.0).reshape(2, 3)
    got = round_trip({"x": x, "t": x.t()}, map_location=where)
    assert got["t"].tolist() == x.t().tolist() and got["x"].device == ember.device("cpu")
    got["x"][0, 1] = 9.0
    assert got["t"][1, 0].item() == 9.0


def test_map_location_callable_sees_the_storage_and_its_location():
    seen = []
    round_trip(ember.arange(6.0).reshape(2, 3).t(), map_location=lambda s, loc: seen.append((s.shape, loc)))
    assert seen == [(ember.Size([6]), "cpu")]


def test_map_location_of_a_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match="map_location"):
        round_trip(ember.ones(1), map_location=3)


def test_map_location_returning_a_wrong_storage_is_refused():
    with pytest.raises(RuntimeError, match="map_location must return"):
        round_trip(ember.ones(4), map_location=lambda s, loc: ember.ones(2))


# ----- what cannot be saved -------------------------------------------------------------------------------
def test_an_arbitrary_object_is_refused_by_name(tmp_path):
    with pytest.raises(TypeError, match="cannot save an object of type .*Linear.*state_dict"):
        ember.save({"m": ember.nn.Linear(1, 1)}, tmp_path / "x")
    assert not os.listdir(tmp_path)


def test_a_container_holding_itself_is_refused():
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        ember.save(loop, io.BytesIO())


# ----- atomic writes --------------------------------------------------------------------------------------
def test_a_failure_during_save_leaves_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "model.ckpt"
    ember.save({"w": ember.ones(3)}, path)

    def failing_fsync(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(files.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="No space"):
        ember.save({"w": ember.zeros(1000)}, path)
    monkeypatch.undo()
    assert ember.load(path)["w"].tolist() == [1.0, 1.0, 1.0]
    assert os.listdir(tmp_path) == ["model.ckpt"]  # no temporary file left behind


def test_an_interrupted_write_leaves_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "model.ckpt"
    ember.save([1, 2], path)
    real_fdopen = os.fdopen

    class Interrupted(io.RawIOBase):
        def __init__(self, fd):
            self.file = real_fdopen(fd, "wb")

        def write(self, data):
            self.file.write(data[: len(data) // 2])
            raise KeyboardInterrupt

        def close(self):
            self.file.close()
    monkeypatch.setattr(files.os, "fdopen", lambda fd, mode: Interrupted(fd))
    with pytest.raises(KeyboardInterrupt):
        ember.save(list(range(100)), path)
    monkeypatch.undo()
    assert ember.load(path) == [1, 2] and os.listdir(tmp_path) == ["model.ckpt"]


def test_saving_into_a_missing_directory_is_pytorchs_error(tmp_path):
    with pytest.raises(RuntimeError, match=f"^Parent directory {tmp_path / 'missing'} does not exist.$"):
        ember.save(1, tmp_path / "missing" / "x.ckpt")


def test_saving_replaces_the_file_and_keeps_the_usual_permissions(tmp_path):
    path = tmp_path / "x.ckpt"
    path.write_bytes(b"old")
    ember.save(1, path)
    umask = os.umask(0)
    os.umask(umask)
    assert ember.load(path) == 1 and (path.stat().st_mode & 0o777) == (0o666 & ~umask)


# ----- damaged and foreign files --------------------------------------------------------------------------
@pytest.fixture
def checkpoint(tmp_path):
    path = tmp_path / "good.ckpt"
    ember.save({"w": ember.arange(100.0), "b": [ember.ones(3, dtype=ember.int64)]}, path)
    return path


@pytest.mark.parametrize("keep", [0, 4, 9, 40, 200, -1])
def test_a_truncated_checkpoint_is_a_runtime_error_naming_the_file(checkpoint, keep):
    data = checkpoint.read_bytes()
    checkpoint.write_bytes(data[:keep] if keep >= 0 else data[:-1])
    with pytest.raises(RuntimeError, match="good.ckpt"):
        ember.load(checkpoint)


def test_a_changed_byte_in_a_storage_is_detected(checkpoint):
    data = bytearray(checkpoint.read_bytes())
    data[-5] ^= 0x40
    checkpoint.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="good.ckpt.*checksum"):
        ember.load(checkpoint)


def test_a_changed_byte_in_the_header_is_detected(checkpoint):
    data = bytearray(checkpoint.read_bytes())
    data[12] = ord("\x01")
    checkpoint.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="good.ckpt"):
        ember.load(checkpoint)


def test_every_single_changed_byte_is_detected():
    buffer = io.BytesIO()
    x = ember.arange(12.0).reshape(3, 4)
    ember.save({"x": x, "v": x[1:, ::2], "l": [1, 2.5]}, buffer)
    data = buffer.getvalue()
    for position in range(len(data)):
        changed = bytearray(data)
        changed[position] ^= 0x24
        with pytest.raises(RuntimeError):
            ember.load(io.BytesIO(bytes(changed)))


def _with_structure(structure: dict, arrays: dict) -> bytes:
    """A checkpoint with a hand-written structure (its checksum right, so the content is what is tested)."""
    import json
    import zlib

    import safetensors.numpy
    text = json.dumps(structure)
    return safetensors.numpy.save(arrays, metadata={"ember": text, "ember.crc32": str(zlib.crc32(text.encode()))})


def test_a_changed_structure_is_detected():
    data = io.BytesIO()
    ember.save({"lr": 0.125, "steps": [1, 2, 3]}, data)
    changed = data.getvalue().replace(b"0.125", b"0.725")
    with pytest.raises(RuntimeError, match="structure does not match its checksum"):
        ember.load(io.BytesIO(changed))


def test_a_tensor_reaching_outside_its_storage_is_refused():
    structure = {"version": 1, "storages": [{"location": "cpu", "crc32": 0}], "object": {"tensor": 0},
                 "tensors": [{"storage": 0, "offset": 2, "shape": [3], "stride": [1], "requires_grad": False,
                              "parameter": False}]}
    flat = np.zeros(4, np.float32)
    structure["storages"][0]["crc32"] = ember_format._checksum(flat)
    with pytest.raises(RuntimeError, match="out of bounds for storage of size 16"):
        ember.load(io.BytesIO(_with_structure(structure, {"0": flat})))


def test_a_storage_saved_on_a_missing_device_names_it_and_map_location_moves_it():
    flat = np.arange(3, dtype=np.float32)
    structure = {"version": 1, "storages": [{"location": "mps:0", "crc32": ember_format._checksum(flat)}],
                 "tensors": [{"storage": 0, "offset": 0, "shape": [3], "stride": [1], "requires_grad": False,
                              "parameter": False}], "object": {"tensor": 0}}
    data = _with_structure(structure, {"0": flat})
    with pytest.raises(RuntimeError, match="deserialize object on device 'mps:0'.*map_location='cpu'"):
        ember.load(io.BytesIO(data))
    assert ember.load(io.BytesIO(data), map_location="cpu").tolist() == [0.0, 1.0, 2.0]


def test_a_structure_of_the_wrong_shape_is_a_clear_error():
    with pytest.raises(RuntimeError, match="structure is damaged"):
        ember.load(io.BytesIO(_with_structure({"version": 1, "storages": []}, {})))


def test_a_plain_safetensors_file_loads_as_a_dict_of_its_tensors():
    import safetensors.numpy
    got = ember.load(io.BytesIO(safetensors.numpy.save({"a": np.arange(6, dtype=np.int16).reshape(2, 3)})))
    assert list(got) == ["a"] and got["a"].dtype is ember.int16 and got["a"].tolist() == [[0, 1, 2], [3, 4, 5]]


@pytest.mark.parametrize("data, gist", [(b"", "is empty"), (b"hello world, not a checkpoint", "unknown format"),
                                        (pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2) + b"...", "legacy")])
def test_foreign_files_are_named(tmp_path, data, gist):
    path = tmp_path / "foreign.bin"
    path.write_bytes(data)
    with pytest.raises(RuntimeError, match=f"foreign.bin.*{gist}"):
        ember.load(path)


# ----- torch.save zip checkpoints, written by hand ----------------------------------------------------------
def _torch_zip(pickle_bytes: bytes, storages: dict, byteorder: str = "little") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", pickle_bytes)
        archive.writestr("archive/byteorder", byteorder)
        for key, raw in storages.items():
            archive.writestr(f"archive/data/{key}", raw)
        archive.writestr("archive/version", "3\n")
    return buffer.getvalue()


def _global(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _text(s: str) -> bytes:
    return b"X" + struct.pack("<I", len(s)) + s.encode()


def _tensor_pickle(offset: int, size: tuple, stride: tuple, storage_numel: int) -> bytes:
    """What torch.save writes for one float32 tensor: _rebuild_tensor_v2(storage, offset, size, stride,
    requires_grad=False, OrderedDict())."""
    def ints(values):
        return b"(" + b"".join(b"K" + bytes([v]) for v in values) + b"t"
    storage = b"(" + _text("storage") + _global("torch", "FloatStorage") + _text("0") + _text("cpu") + \
        b"K" + bytes([storage_numel]) + b"tQ"
    return (b"\x80\x02" + _global("torch._utils", "_rebuild_tensor_v2") + b"(" + storage + b"K" + bytes([offset])
            + ints(size) + ints(stride) + b"\x89" + _global("collections", "OrderedDict") + b")Rt" + b"R.")


def test_a_hand_made_torch_checkpoint_view_with_offset_and_strides_loads():
    raw = np.arange(12, dtype="<f4").tobytes()
    got = ember.load(io.BytesIO(_torch_zip(_tensor_pickle(4, (2, 2), (4, 2), 12), {"0": raw})))
    assert got.tolist() == [[4.0, 6.0], [8.0, 10.0]] and got.stride() == (4, 2)


def test_a_big_endian_torch_checkpoint_is_read_in_its_byte_order():
    raw = np.arange(4, dtype=">f4").tobytes()
    got = ember.load(io.BytesIO(_torch_zip(_tensor_pickle(0, (4,), (1,), 4), {"0": raw}, byteorder="big")))
    assert got.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_a_torch_checkpoint_with_a_short_storage_is_refused():
    with pytest.raises(RuntimeError, match="damaged"):
        ember.load(io.BytesIO(_torch_zip(_tensor_pickle(0, (4,), (1,), 4), {"0": b"\0" * 8})))


def test_a_torch_checkpoint_whose_view_leaves_its_storage_is_refused():
    with pytest.raises(RuntimeError, match="out of bounds"):
        ember.load(io.BytesIO(_torch_zip(_tensor_pickle(2, (4,), (1,), 4), {"0": b"\0" * 16})))


class _RunsCode:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


MALICIOUS = {
    "os.system by GLOBAL": lambda marker: b"\x80\x02" + _global("os", "system") + _text(f"touch {marker}") + b"\x85R.",
    "pickle.dumps, protocol 2": lambda marker: pickle.dumps(_RunsCode(marker), protocol=2),
    "pickle.dumps, protocol 5 (STACK_GLOBAL)": lambda marker: pickle.dumps(_RunsCode(marker), protocol=5),
    "builtins.eval": lambda marker: b"\x80\x02" + _global("builtins", "eval") +
    _text(f"open({marker!r}, 'w')") + b"\x85R.",
    "getattr through an allowed global": lambda marker: b"\x80\x02" + _global("builtins", "getattr") +
    _global("collections", "OrderedDict") + _text("__init__") + b"\x86R.",
    "calling a value that is not a function": lambda marker: b"\x80\x02" + _global("torch", "float32") + b")R.",
    "BUILD on a tensor": lambda marker: _tensor_pickle(0, (1,), (1,), 1)[:-1] + b"}b.",
}


@pytest.mark.parametrize("payload", MALICIOUS)
def test_a_pickle_that_would_run_code_is_refused(tmp_path, payload):
    marker = tmp_path / "pwned"
    data = _torch_zip(MALICIOUS[payload](str(marker)), {"0": b"\0" * 4})
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        ember.load(io.BytesIO(data))
    assert not marker.exists()


@pytest.mark.parametrize("arguments", [b"(K\x01K\x00)K\x01\x85K\x01\x85\x89t",  # an int as the storage
                                       b"(t",  # no arguments
                                       b"(K\x01t"])
def test_a_rebuild_call_with_wrong_arguments_is_a_clear_error(arguments):
    data = b"\x80\x02" + _global("torch._utils", "_rebuild_tensor_v2") + arguments + b"R."
    with pytest.raises((RuntimeError, pickle.UnpicklingError), match="damaged|expects a storage"):
        ember.load(io.BytesIO(_torch_zip(data, {})))


def test_the_refusal_names_the_global():
    data = _torch_zip(MALICIOUS["os.system by GLOBAL"]("x"), {})
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL os.system was not an allowed global"):
        ember.load(io.BytesIO(data))


def test_a_damaged_torch_archive_is_a_runtime_error():
    data = _torch_zip(_tensor_pickle(0, (4,), (1,), 4), {"0": np.zeros(4, "<f4").tobytes()})
    for damaged in (data[: len(data) // 2], data.replace(np.zeros(4, "<f4").tobytes(), np.ones(4, "<f4").tobytes())):
        with pytest.raises(RuntimeError, match="damaged"):
            ember.load(io.BytesIO(damaged))


def test_a_truncated_pickle_inside_the_archive_is_refused():
    with pytest.raises(pickle.UnpicklingError, match="truncated"):
        ember.load(io.BytesIO(_torch_zip(_tensor_pickle(0, (4,), (1,), 4)[:30], {})))


# ----- other devices (test_queued_device's fake two-device backend) -----------------------------------------
@pytest.mark.usefixtures("backend")
def test_tensors_come_back_on_their_device_or_where_map_location_puts_them():
    x = ember.arange(6.0, device="queued:1").reshape(2, 3)
    buffer = io.BytesIO()
    ember.save({"x": x, "t": x.t()}, buffer)
    for where, expected in [(None, "queued:1"), ({"queued:1": "queued:0"}, "queued:0"), ("cpu", "cpu"),
                            (lambda storage, location: storage.to("queued:0"), "queued:0")]:
        buffer.seek(0)
        got = ember.load(buffer, map_location=where)
        assert got["x"].device == got["t"].device == ember.device(expected)
        assert got["t"].cpu().tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]] and got["t"].stride() == (1, 3)


def test_damaged_pickles_only_ever_raise_the_documented_errors():
    """Random byte changes and cuts in three pickles: each loads, or raises RuntimeError / UnpicklingError."""
    bases = [_tensor_pickle(4, (2, 2), (4, 2), 12),
             pickle.dumps({"a": [1, 2.5, "x", (None, True)], "b": OrderedDict(c={1, 2}), "d": b"xy", "e": 1j}, 2),
             pickle.dumps({"a": [1, 2.5, "x", (None, True)], "s": {1, 2}, "long": 2**80}, protocol=5)]
    storage = {"0": np.arange(12, dtype="<f4").tobytes()}
    rng = random.Random(0)
    for _ in range(1500):
        damaged = bytearray(rng.choice(bases))
        for _ in range(rng.randint(1, 3)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        if rng.random() < 0.2:
            damaged = damaged[: rng.randrange(len(damaged))]
        try:
            ember.load(io.BytesIO(_torch_zip(bytes(damaged), storage)))
        except (RuntimeError, pickle.UnpicklingError):
            pass
