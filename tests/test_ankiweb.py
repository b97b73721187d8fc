"""`sync --ankiweb`, `login`, `logout` against the official sync server (`python -m anki.syncserver`) on a free
loopback port, with the official engine as the phone. One server for the module, one user per test, so each
test starts from an empty server collection."""

from __future__ import annotations

import hashlib
import http.server
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from anki.collection import Collection
from anki_helpers import review_all
from click.testing import CliRunner
from cli_helpers import run
from conftest import FIXTURES, REPO

import cheatdeck.remote.server_sync as server_sync
from cheatdeck.cli import cli
from cheatdeck.errors import CheatdeckError
from cheatdeck.remote import checked_endpoint

USERS = 9
PASSWORD = "Pw-{n}-q7ZxK2-never-on-disk"
START_WAIT = 20.0


@dataclass
class Server:
    base: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        env = dict(os.environ, SYNC_BASE=str(self.base), SYNC_HOST="127.0.0.1", SYNC_PORT=str(self.port),
                   **{f"SYNC_USER{n}": f"user{n}:{PASSWORD.format(n=n)}" for n in range(1, USERS + 1)})
        log = (self.base.parent / "server.log").open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "anki.syncserver"], env=env, stdout=log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_WAIT
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                assert self.process.poll() is None, "the sync server exited at start"
                time.sleep(0.05)
        self.stop()
        raise AssertionError("the sync server did not start in time")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server(folder: Path) -> Iterator[Server]:
    server = Server(folder / "base", _free_port())
    server.base.mkdir(parents=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    yield from _server(tmp_path_factory.mktemp("syncserver"))


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """Config, data and temp folders of the test's own, so each file cheatdeck writes is in tmp_path."""
    for variable, name in (("HOME", "home"), ("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                           ("TMPDIR", "tmp")):
        (tmp_path / name).mkdir(exist_ok=True)
        monkeypatch.setenv(variable, str(tmp_path / name))
    monkeypatch.setattr("tempfile.tempdir", None)
    for variable in ("CHEATDECK_ANKIWEB_USER", "CHEATDECK_ANKIWEB_PASSWORD"):
        monkeypatch.delenv(variable, raising=False)
    return tmp_path


def _login(endpoint: str, typed: str, code: int = 0) -> str:
    """`cheatdeck login`, typing the username and password at its prompts."""
    result = CliRunner().invoke(cli, ["login", "--endpoint", endpoint], input=typed)
    assert result.exit_code == code, result.output
    return result.output


def _as(monkeypatch, n: int, password: str | None = None) -> None:
    monkeypatch.setenv("CHEATDECK_ANKIWEB_USER", f"user{n}")
    monkeypatch.setenv("CHEATDECK_ANKIWEB_PASSWORD", password or PASSWORD.format(n=n))


class Phone:
    """A collection of the engine's own that syncs with the server as AnkiDroid would."""

    def __init__(self, path: Path, server: Server, n: int):
        self.col = Collection(str(path))
        self.auth = self.col.sync_login(f"user{n}", PASSWORD.format(n=n), server.endpoint)

    def sync(self) -> int:
        out = self.col.sync_collection(self.auth, False)
        if out.required in (out.FULL_UPLOAD, out.FULL_DOWNLOAD):
            self.col.close_for_full_sync()
            self.col.full_upload_or_download(auth=self.auth, server_usn=out.server_media_usn,
                                             upload=out.required == out.FULL_UPLOAD)
            self.col.reopen(after_full_sync=True)
        return out.required

    def add(self, front: str, deck: str = "Phone deck") -> None:
        note = self.col.new_note(self.col.models.by_name("Basic"))
        note["Front"], note["Back"] = front, "answer"
        self.col.add_note(note, self.col.decks.id(deck))

    def decks(self) -> set[str]:
        return {d.name for d in self.col.decks.all_names_and_ids()}

    def reviews(self) -> list:
        return sorted(self.col.db.all("SELECT id, cid, ease FROM revlog"))

    def fronts(self) -> set[str]:
        return {flds.split("\x1f")[0] for flds in self.col.db.list("SELECT flds FROM notes")}


def _phone_with_a_review(path: Path, server: Server, n: int) -> Phone:
    """A phone that made its own note, uploaded, and reviewed the card after that upload."""
    phone = Phone(path, server, n)
    phone.add("made on the phone")
    phone.sync()
    review_all(phone.col)
    phone.sync()
    return phone


def _desktop(path: Path, server: Server, n: int) -> Path:
    """A desktop collection that downloaded the server's copy, closed as Anki leaves it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    desktop = Phone(path, server, n)
    desktop.sync()
    desktop.col.close()
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _intact(path: Path) -> bool:
    """SQLite's integrity check, through the engine (its indexes use a collation of its own)."""
    col = Collection(str(path))
    try:
        return col.db.scalar("PRAGMA integrity_check") == "ok"
    finally:
        col.close()


def _notes(path: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {flds.split("\x1f")[0] for (flds,) in conn.execute("SELECT flds FROM notes")}
    finally:
        conn.close()


def test_desktop_and_phone_keep_the_phones_review_and_the_sheet_reaches_the_phone(tiny, home, server,
                                                                                    monkeypatch):
    phone = _phone_with_a_review(home / "phone.anki2", server, 1)
    review = phone.reviews()
    desktop = _desktop(home / "desktop" / "collection.anki2", server, 1)
    _as(monkeypatch, 1)
    out = run("sync", "--ankiweb", "--collection", desktop, "--endpoint", server.endpoint).output
    assert "pulled (normal sync), pushed (normal sync)" in out, out
    col = Collection(str(desktop))
    try:
        assert sorted(col.db.all("SELECT id, cid, ease FROM revlog")) == review
        assert "Tiny Example Sheet" in {d.name.split("::")[0] for d in col.decks.all_names_and_ids()}
    finally:
        col.close()
    phone.sync()
    assert phone.reviews() == review
    assert "made on the phone" in phone.fronts() and len(phone.fronts()) > 5
    before = (phone.fronts(), phone.decks(), phone.reviews())
    again = run("sync", "--ankiweb", "--collection", desktop, "--endpoint", server.endpoint, "-v").output
    assert "0 new, 0 updated, 0 cards moved to another deck" in again, again
    phone.sync()
    assert (phone.fronts(), phone.decks(), phone.reviews()) == before
    phone.col.close()


def test_a_phone_alone_gets_the_sheets_decks(tiny, home, server, monkeypatch):
    phone = _phone_with_a_review(home / "phone.anki2", server, 2)
    _as(monkeypatch, 2)
    status = run("sync", "--ankiweb", "--endpoint", server.endpoint, "--status").output
    assert "no such collection yet" in status
    plan = run("sync", "--ankiweb", "--endpoint", server.endpoint, "--plan").output
    assert "first run" in plan
    out = run("sync", "--ankiweb", "--endpoint", server.endpoint).output
    assert "pulled (full download), pushed (normal sync)" in out, out
    own = home / "data" / "cheatdeck" / "phone" / f"127.0.0.1_{server.port}" / "user2" / "collection.anki2"
    assert own.is_file() and "made on the phone" in _notes(own)
    phone.sync()
    assert {"Phone deck", "Tiny Example Sheet::D1 · Git Basics"} <= phone.decks(), phone.decks()
    assert len(phone.reviews()) == 1
    status = run("sync", "--ankiweb", "--endpoint", server.endpoint, "--status").output
    assert str(own) in status and "last synced" in status and "UTC" in status, status
    assert "a normal sync" in run("sync", "--ankiweb", "--endpoint", server.endpoint, "--plan").output
    phone.col.close()


def test_a_full_sync_is_refused_unless_chosen_and_download_loses_nothing_of_the_servers(tiny, home, server,
                                                                                         monkeypatch):
    phone = _phone_with_a_review(home / "phone.anki2", server, 3)
    review = phone.reviews()
    desktop = home / "desktop" / "collection.anki2"
    desktop.parent.mkdir()
    other = Phone(desktop, server, 3)
    other.add("made on a desktop that never synced", "Desktop deck")
    other.col.close()
    before = _digest(desktop)
    _as(monkeypatch, 3)
    refused = run("sync", "--ankiweb", "--collection", desktop, "--endpoint", server.endpoint, code=1).output
    assert "needs a full sync" in refused and "--full-sync download" in refused and "--full-sync upload" in refused
    assert "1 notes, 1 cards and 0 reviews not yet sent" in refused and "Nothing was changed." in refused
    assert _digest(desktop) == before
    run("sync", "--ankiweb", "--collection", desktop, "--endpoint", server.endpoint, "--full-sync", "download")
    assert "made on the phone" in _notes(desktop)
    phone.sync()
    assert phone.reviews() == review and "made on the phone" in phone.fronts()
    assert "Tiny Example Sheet::D1 · Git Basics" in phone.decks()
    phone.col.close()


def test_a_wrong_password_is_a_clear_error_and_changes_nothing(tiny, home, server, monkeypatch):
    desktop = _desktop(home / "desktop" / "collection.anki2", server, 4)
    before = _digest(desktop)
    _as(monkeypatch, 4, "not-the-password")
    out = run("sync", "--ankiweb", "--collection", desktop, "--endpoint", server.endpoint, code=1).output
    assert "refused the username and password" in out and "Traceback" not in out
    assert _digest(desktop) == before
    monkeypatch.delenv("CHEATDECK_ANKIWEB_USER")
    monkeypatch.delenv("CHEATDECK_ANKIWEB_PASSWORD")
    out = _login(server.endpoint, "user4\nnot-the-password\n", code=1)
    assert "refused" in out and not (home / "config" / "cheatdeck").exists()
    out = run("sync", "--ankiweb", "--collection", desktop, "--endpoint", server.endpoint, code=1).output
    assert "not logged in" in out and "cheatdeck login --endpoint" in out


def test_login_stores_only_the_key_readable_by_the_user_and_logout_removes_it(tiny, home, server):
    password = PASSWORD.format(n=5)
    out = _login(server.endpoint, f"user5\n{password}\n")
    assert password not in out
    key = home / "config" / "cheatdeck" / "sync-keys.json"
    assert key.stat().st_mode & 0o777 == 0o600
    assert password not in key.read_text(encoding="utf-8") and "hkey" in key.read_text(encoding="utf-8")
    refused = run("sync", "--ankiweb", "--endpoint", server.endpoint, code=1).output
    assert "because the server's copy has no cards" in refused and "--full-sync download" not in refused
    assert "The sheet was applied to the collection, but not sent." in refused
    out = run("sync", "--ankiweb", "--endpoint", server.endpoint, "--full-sync", "upload").output
    assert "pulled (full upload), pushed (normal sync)" in out and "backup in" in out
    assert "logged out" in run("logout", "--endpoint", server.endpoint).output
    assert not key.exists()
    assert "not logged in" in run("logout", "--endpoint", server.endpoint).output


def test_the_password_is_written_nowhere(tiny, home, server, monkeypatch):
    password = PASSWORD.format(n=6)
    _phone_with_a_review(home / "phone.anki2", server, 6).col.close()
    outputs = [_login(server.endpoint, f"user6\n{password}\n"),
               run("sync", "--ankiweb", "--endpoint", server.endpoint).output]
    desktop = _desktop(home / "desktop" / "collection.anki2", server, 6)
    _as(monkeypatch, 6)
    outputs.append(run("sync", "--ankiweb", "--collection", desktop, "--endpoint", server.endpoint).output)
    outputs.append(run("sync", "--ankiweb", "--endpoint", server.endpoint, "--status").output)
    _as(monkeypatch, 6, password[::-1])
    outputs.append(run("sync", "--ankiweb", "--endpoint", server.endpoint, code=1).output)
    assert not any(password in text for text in outputs)
    needle = password.encode()
    folders = [home, *(p for p in REPO.iterdir() if p.name not in (".venv", ".git"))]
    written = [f for folder in folders for f in ([folder] if folder.is_file() else folder.rglob("*")) if f.is_file()]
    assert any(f.suffix == ".anki2" for f in written) and any(f.name == "sync-keys.json" for f in written)
    assert [f for f in written if needle in f.read_bytes()] == []


def test_the_server_stopping_mid_run_leaves_the_collection_whole(tiny, home, tmp_path, monkeypatch):
    for server in _server(tmp_path / "own-server"):
        desktop = _desktop(home / "desktop" / "collection.anki2", server, 7)
        _login(server.endpoint, f"user7\n{PASSWORD.format(n=7)}\n")
        apply = server_sync._apply

        def apply_then_stop(*args, **kwargs):
            done = apply(*args, **kwargs)
            server.stop()
            return done

        monkeypatch.setattr(server_sync, "_apply", apply_then_stop)
        out = run("sync", "--ankiweb", "--collection", desktop, "--endpoint", server.endpoint, code=1).output
        assert "could not reach" in out and "applied to the collection, but not sent" in out, out
        assert _intact(desktop) and "Which command sends local commits to a remote?" in _notes(desktop)
        before = _digest(desktop)
        out = run("sync", "--ankiweb", "--collection", desktop, "--endpoint", server.endpoint, code=1).output
        assert "could not reach" in out and "The collection is as it was." in out
        assert _digest(desktop) == before and _intact(desktop)


def test_the_sheets_images_reach_the_phone_through_media_sync(workdir, home, server, monkeypatch):
    shutil.copytree(FIXTURES / "rich", workdir / "source", dirs_exist_ok=True)
    phone = _phone_with_a_review(home / "phone.anki2", server, 8)
    desktop = _desktop(home / "desktop" / "collection.anki2", server, 8)
    _as(monkeypatch, 8)
    run("sync", "--ankiweb", "--collection", desktop, "--endpoint", server.endpoint)
    sent = {p.name for p in desktop.with_suffix(".media").iterdir()}
    assert len(sent) == 2 and all(name.startswith("cheatdeck-") for name in sent)
    phone.sync()
    phone.col.sync_media(phone.auth)
    deadline = time.monotonic() + START_WAIT
    while phone.col.media_sync_status().active and time.monotonic() < deadline:
        time.sleep(0.05)
    assert {p.name for p in Path(phone.col.media.dir()).iterdir()} == sent
    phone.col.close()


class _Busy(http.server.BaseHTTPRequestHandler):
    """A server that answers every request as an overloaded one does."""

    def do_POST(self):
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_busy_server_is_a_clear_error_and_changes_nothing(tiny, home, monkeypatch):
    desktop = home / "desktop" / "collection.anki2"
    desktop.parent.mkdir()
    Collection(str(desktop)).close()
    before = _digest(desktop)
    busy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Busy)
    threading.Thread(target=busy.serve_forever, daemon=True).start()
    try:
        _as(monkeypatch, 1)
        out = run("sync", "--ankiweb", "--collection", desktop, "--endpoint",
                  f"http://127.0.0.1:{busy.server_address[1]}/", code=1).output
    finally:
        busy.shutdown()
        busy.server_close()
    assert "could not sync now (" in out and "try again later" in out and "Traceback" not in out, out
    assert _digest(desktop) == before


@pytest.mark.parametrize("endpoint, expected", [
    (None, None), ("ankiweb", None), ("https://sync.example.org", "https://sync.example.org/"),
    ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/"), ("http://localhost:27701", "http://localhost:27701/"),
    ("http://[::1]:8080/", "http://[::1]:8080/")])
def test_endpoints_that_keep_the_key_off_the_open_network(endpoint, expected):
    assert checked_endpoint(endpoint) == expected


@pytest.mark.parametrize("endpoint", ["http://192.168.1.5:8080/", "http://sync.example.org/", "ftp://x/", "x"])
def test_plain_http_to_another_machine_is_refused(endpoint):
    with pytest.raises(CheatdeckError):
        checked_endpoint(endpoint)


def test_server_options_need_ankiweb(tiny):
    assert "go with --ankiweb" in run("sync", "--endpoint", "http://127.0.0.1:1/", code=2).output
    assert "--collection" in run("sync", code=2).output
