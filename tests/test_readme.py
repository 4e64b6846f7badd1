"""The README's Python API block runs as written, as a developer would paste it into a script."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from child_process import run_file

ROOT = Path(__file__).resolve().parent.parent


def python_api_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found, "the Python API section has a python block"
    return found.group(1)


def test_the_python_api_block_runs_as_a_script(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    script = tmp_path / "planning.py"
    # the block's last expressions are for reading; the script prints what a reader would see
    script.write_text(python_api_block() + "    print(frontier.points['status'].tolist())\n")
    done = run_file(script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['optimal', 'optimal', 'optimal']"
    assert "n_Q1_tiktok_micro" in (tmp_path / "model.lp").read_text()
