"""The training examples run end to end on ember and learn, on the default device the tests run with
(`EMBER_DEFAULT_DEVICE=opencl` trains them on opencl:0, as a user picks it with `--device`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ember

DEVICE = ["--device", str(ember.get_default_device())]
# The device comes from --device, as a user picks it; the scripts keep their data on the CPU (their loaders'
# workers are forked, and a device context does not survive fork).
ENV = {name: value for name, value in os.environ.items() if name != "EMBER_DEFAULT_DEVICE"}
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "train_digits.py"


def test_train_digits_learns_in_two_epochs():
    pytest.importorskip("sklearn")
    pytest.importorskip("tqdm")

    result = subprocess.run(
        [sys.executable, str(EXAMPLE), "--epochs", "2", *DEVICE], capture_output=True, text=True, timeout=600, env=ENV
    )

    assert result.returncode == 0, result.stderr
    match = re.search(r"test accuracy: (\d+\.\d+)% \((\d+)/360 digits\)", result.stdout)
    assert match, f"no accuracy line in the output:\n{result.stdout}"
    # two epochs of the default recipe reach about 96% with PyTorch; chance is 10%
    assert float(match.group(1)) >= 90.0, result.stdout


CNN_EXAMPLE = EXAMPLE.with_name("train_digits_cnn.py")
CHAR_LM_EXAMPLE = EXAMPLE.with_name("char_lm.py")


def test_train_digits_cnn_learns_saves_and_reloads(tmp_path):
    pytest.importorskip("sklearn")
    pytest.importorskip("tqdm")
    pytest.importorskip("matplotlib")

    result = subprocess.run(
        [sys.executable, str(CNN_EXAMPLE), "--epochs", "3", "--workers", "2", "--out", str(tmp_path), *DEVICE],
        capture_output=True, text=True, timeout=600, env=ENV,
    )

    assert result.returncode == 0, result.stderr
    trained = re.search(r"test accuracy: (\d+\.\d+)% \(360 digits\)", result.stdout)
    reloaded = re.search(r"reloaded from .*: test accuracy (\d+\.\d+)%", result.stdout)
    assert trained and reloaded, result.stdout
    # three epochs reach 98.61% with ember and with PyTorch on the CPU (the same script, torch imported); 15
    # reach 99.44%. Elsewhere the dropout masks come from the device's own generator: another draw, as another
    # seed is (seeds 1-4 reach 97.50-98.89% on the CPU; an H200's cuda 97.78%).
    assert float(trained.group(1)) >= (98.0 if ember.get_default_device().type == "cpu" else 97.0), result.stdout
    assert reloaded.group(1) == trained.group(1)
    assert (tmp_path / "model.safetensors").stat().st_size > 0
    assert (tmp_path / "curves.png").read_bytes().startswith(b"\x89PNG")


def test_char_lm_learns_and_samples():
    pytest.importorskip("tqdm")

    result = subprocess.run(
        [sys.executable, str(CHAR_LM_EXAMPLE), "--steps", "100", "--hidden", "128", "--sample", "40", *DEVICE],
        capture_output=True, text=True, timeout=600, env=ENV,
    )

    assert result.returncode == 0, result.stderr
    before = re.search(r"before training: (\d+\.\d+) bits/char", result.stdout)
    after = re.search(r"after training: (\d+\.\d+) bits/char", result.stdout)
    sample = re.search(r"sample: (.*)", result.stdout, re.S)
    assert before and after and sample, result.stdout
    # an untrained model is near log2(alphabet) ~ 5.8 bits; 100 steps of Adam bring it under 3.6
    assert float(after.group(1)) <= 3.6 < float(before.group(1)), result.stdout
    assert len(sample.group(1)) > 40  # 40 sampled characters and print's newline
