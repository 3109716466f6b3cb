"""Fixtures shared by the seed-tutorial replays: the PyTorch oracle and grad_fn print patterns."""
from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType

import pytest


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
