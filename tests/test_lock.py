"""The venv that `make test` sets up holds exactly what requirements/test.lock pins."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.markers import Marker

ROOT = Path(__file__).resolve().parent.parent


def _pins(text: str) -> dict[str, str]:
    """name → version of each pin whose environment marker (if any) holds on this machine."""
    pins = {}
    for m in re.finditer(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)(?: ; (.+?))?(?: \\)?$", text, re.M):
        if m[3] is None or Marker(m[3]).evaluate():
            pins[re.sub(r"[-_.]+", "-", m[1]).lower()] = m[2]
    return pins


@pytest.mark.skipif(Path(sys.prefix).resolve() != (ROOT / ".venv").resolve(), reason="runs in the venv make sets up")
def test_venv_matches_the_lock():
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--all", "--exclude-editable"],
                            capture_output=True, text=True, check=True).stdout
    installed = {k: v for k, v in _pins(frozen).items() if k not in ("pip", "wheel")}
    assert installed == _pins((ROOT / "requirements" / "test.lock").read_text())


def test_every_lock_entry_is_hashed():
    for name in ("build.lock", "test.lock"):
        text = (ROOT / "requirements" / name).read_text()
        entries = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", text.split("\n", 2)[2])
        assert len(entries) == len(re.findall(r"^[A-Za-z0-9_.-]+==", text, re.M)) > 10
        assert all("--hash=sha256:" in entry for entry in entries), name
