from __future__ import annotations

import shutil
from pathlib import Path

import pytest


REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHIPPED = REPO / "source" / "mla-c01.yaml"
TINY = FIXTURES / "tiny.yaml"
REDES = FIXTURES / "redes.yaml"  # a one-domain sheet in Spanish


@pytest.fixture(autouse=True)
def layout_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own user cache folder (state/layouts.py), inherited by the processes it starts: no test
    writes the home folder's, or finds what another test laid out."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


@pytest.fixture(scope="session", autouse=True)
def repository_untouched():
    """Tests build copies: the repository's own sheets and locks must be as they were when the suite started."""
    before = {p: p.read_bytes() for p in sorted((REPO / "source").iterdir()) if p.is_file()}
    yield
    after = {p: p.read_bytes() for p in sorted((REPO / "source").iterdir()) if p.is_file()}
    changed = [p.name for p in before.keys() | after.keys() if before.get(p) != after.get(p)]
    assert not changed, f"the test suite changed source/ in the repository: {changed}"


@pytest.fixture
def col(tmp_path: Path):
    """An empty Anki collection, opened with the real engine."""
    from anki.collection import Collection

    collection = Collection(str(tmp_path / "collection.anki2"))
    yield collection
    collection.close()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch project folder with source/ holding copies of the sheets, as the working directory."""
    source = tmp_path / "source"
    source.mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def tiny(workdir: Path) -> Path:
    return Path(shutil.copy(TINY, workdir / "source" / "tiny.yaml"))


@pytest.fixture
def shipped(workdir: Path) -> Path:
    for name in ("mla-c01.yaml", "mla-c01.lock.json"):
        if (SHIPPED.parent / name).exists():
            shutil.copy(SHIPPED.parent / name, workdir / "source" / name)
    return workdir / "source" / "mla-c01.yaml"
