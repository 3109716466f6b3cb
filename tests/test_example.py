"""The training example runs end to end on ember and learns."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "train_digits.py"


def test_train_digits_learns_in_two_epochs():
    pytest.importorskip("sklearn")
    pytest.importorskip("tqdm")

    result = subprocess.run(
        [sys.executable, str(EXAMPLE), "--epochs", "2"], capture_output=True, text=True, timeout=600
    )

    assert result.returncode == 0, result.stderr
    match = re.search(r"test accuracy: (\d+\.\d+)% \((\d+)/360 digits\)", result.stdout)
    assert match, f"no accuracy line in the output:\n{result.stdout}"
    # two epochs of the default recipe reach about 96% with PyTorch; chance is 10%
    assert float(match.group(1)) >= 90.0, result.stdout
