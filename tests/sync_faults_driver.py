"""A helper process for the sync fault tests: it forks a child per command, so the tests can run syncs and
"Anki" side by side, start them together, and kill them with SIGKILL, without paying a Python start each time.

Commands arrive on stdin as JSON lines; each reply is one JSON line on stdout (a child's reply is one write,
shorter than PIPE_BUF, so replies never interleave). The driver never opens a collection itself: the engine
is only ever created in the children.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import sys
import time
from pathlib import Path

from anki.collection import Collection

from cheatdeck.collection.apply import Request
from cheatdeck.collection.driver import apply_package
from cheatdeck.errors import CheatdeckError


def reply(message: dict) -> None:
    os.write(1, (json.dumps(message) + "\n").encode())


def sync(command: dict) -> dict:
    try:
        report = apply_package(Path(command["package"]), Path(command["collection"]), Request(command["sheet"]),
                               wait=command.get("wait", 5.0))
    except CheatdeckError as err:
        return {"outcome": "refused", "message": str(err)}
    return {"outcome": "ok", "new": report.new, "updated": report.updated}


def review(command: dict) -> dict:
    """Anki in a loop until SIGUSR1: open the collection, answer one card, close; lists every committed review."""
    reviews, refused, stop = [], 0, []
    signal.signal(signal.SIGUSR1, lambda *_: stop.append(True))
    while not stop:
        try:
            col = Collection(command["collection"])
        except Exception:  # noqa: BLE001 - the engine says "already open" as a DBError; any refusal counts
            refused += 1
            time.sleep(random.uniform(0, 0.1))  # a refused open costs an engine start: do not crowd the sync
            continue
        try:
            cid = random.choice(col.find_cards(""))
            card = col.get_card(cid)
            card.start_timer()
            col.sched.answerCard(card, 3)
            last = col.db.scalar("SELECT max(id) FROM revlog WHERE cid = ?", cid)
        finally:
            col.close()
        reviews.append(last)
        time.sleep(random.uniform(0, 0.03))
    return {"reviews": reviews, "refused": refused}


def hold(command: dict) -> dict:
    """A rollback-journal client: `writer` holds a write transaction (and its journal), `shared` a read; both
    until SIGUSR1. The writer then commits; with `crash` it dies mid-write, leaving a hot journal."""
    conn = sqlite3.connect(command["collection"], isolation_level=None)
    if command["how"] == "shared":
        conn.execute("BEGIN")
        conn.execute("SELECT count() FROM notes").fetchall()
    else:
        # A one-page cache spills the write into the file before the commit, as a long write does: the journal
        # then holds the pages to restore (its header is only valid, "hot", from that moment).
        conn.execute("PRAGMA cache_size = 1")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("UPDATE col SET mod = ?", (command["mark"],))
        conn.execute("UPDATE cards SET ivl = ivl + 1")
        conn.execute("CREATE TABLE spill (x)")
        conn.execute("INSERT INTO spill SELECT randomblob(3000) FROM cards, cards")
        conn.execute("DROP TABLE spill")
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    reply({"id": command["id"], "held": True})
    if command.get("crash"):
        os._exit(9)
    signal.sigwait({signal.SIGUSR1})
    conn.execute("COMMIT")
    conn.close()
    return {"committed": command["how"] == "writer"}


def main() -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    work = {"sync": sync, "review": review, "hold": hold}
    for line in sys.stdin:
        command = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                result = work[command["op"]](command)
            except BaseException as exc:  # noqa: BLE001 - reported to the test, which fails on it
                result = {"outcome": "crashed", "error": repr(exc)}
            reply({"id": command["id"], **result})
            os._exit(0)
        reply({"id": command["id"], "pid": pid})


if __name__ == "__main__":
    main()
