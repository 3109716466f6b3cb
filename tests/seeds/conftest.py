"""Fixtures shared by the seed-tutorial replays: the PyTorch oracle and grad_fn print patterns."""
from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType

import pytest

import ember

# What PyTorch's tensor printing does with its suffixes (torch/_tensor_str.py, `_add_suffixes`): each goes on
# the last line after ", " unless the line would pass 80 characters, then on a new line indented like the data.
LINE_WIDTH = 80
_TENSOR = re.compile(r"tensor\((?P<data>[^()=]*?)(?P<suffixes>(?:,\s*\w+=[^,()\s]*)*)\)")
_SUFFIX = re.compile(r"\w+=[^,()\s]*")


def on_default_device(printed: str) -> str:
    """`printed`, the seed's output for CPU tensors, as PyTorch prints it for tensors on the default device:
    every tensor gains its `device='...'` suffix first, which may push the other suffixes onto a new line."""
    device = ember.empty(0).device
    if device.type == "cpu":
        return printed

    def with_device(match: re.Match) -> str:
        text = "tensor(" + match["data"]
        last_line = len(text) - text.rfind("\n") + 1
        for suffix in [f"device='{device}'", *_SUFFIX.findall(match["suffixes"])]:
            if last_line + len(suffix) + 2 > LINE_WIDTH:
                text += ",\n" + " " * len("tensor(") + suffix
                last_line = len("tensor(") + len(suffix)
            else:
                text += ", " + suffix
                last_line += len(suffix) + 2
        return text + ")"

    return _TENSOR.sub(with_device, printed)


@pytest.fixture
def shown() -> Callable[[str], str]:
    """The seed's printed output as it looks on the default device the tests run with (see on_default_device)."""
    return on_default_device


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "host_memory: the numpy bridge (numpy(), from_numpy, np.asarray), CPU-only in PyTorch too")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("host_memory") and ember.empty(0).device.type != "cpu":
        pytest.skip("the numpy bridge shares CPU memory; PyTorch's numpy()/from_numpy are CPU-only as well")


@pytest.fixture
def real_torch() -> ModuleType:
    """Real PyTorch, an oracle run on the same inputs as ember; the test skips where it is absent."""
    return pytest.importorskip("torch")


def _node_pattern(name: str) -> str:
    return rf"<{re.escape(name)} object at 0x[0-9a-fA-F]+>"


@pytest.fixture
def node_pattern() -> Callable[[str], str]:
    """Regex of a graph node as Python prints it: `<AddBackward0 object at 0x7f784ef4ded0>`."""
    return _node_pattern


@pytest.fixture
def assert_node() -> Callable[[object, str], None]:
    """Check that a grad_fn node has PyTorch's class name and prints as `<Name object at 0x...>`."""

    def check(node: object, name: str) -> None:
        assert type(node).__name__ == name
        assert re.fullmatch(_node_pattern(name), str(node)), str(node)
        assert repr(node) == str(node)

    return check
