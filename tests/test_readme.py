"""Every example in the README runs: the Python blocks and the `$ nlp …` console lines."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)
CONSOLE_LINES = [line[2:].strip() for block in re.findall(r"```console\n(.*?)```", README, flags=re.S)
                 for line in block.splitlines() if line.startswith("$ nlp ")]


def test_readme_opens_with_the_two_commands():
    first_block = re.search(r"```bash\n(.*?)```", README, flags=re.S).group(1)
    assert [line.split()[:2] for line in first_block.splitlines()] == [["make", "demo"], ["make", "test"]]


def test_there_are_examples():
    assert len(PYTHON_BLOCKS) >= 2 and len(CONSOLE_LINES) >= 5


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(PYTHON_BLOCKS)))
def test_python_example_runs(index, sample_dir):
    (ROOT / "out").mkdir(exist_ok=True)
    result = subprocess.run([sys.executable, "-c", PYTHON_BLOCKS[index]], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip()


@pytest.mark.slow
@pytest.mark.parametrize("command", CONSOLE_LINES)
def test_console_example_runs(command, sample_dir):
    (ROOT / "out").mkdir(exist_ok=True)
    nlp_bin = Path(sys.executable).with_name("nlp")
    args = shlex.split(command.split("|")[0])
    args[0] = str(nlp_bin)
    if args[1] == "triage":
        args.append("--no-progress")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=900, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
