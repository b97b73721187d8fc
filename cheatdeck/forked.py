"""Work done in a forked child while this process goes on: a build uses both cores (the deck beside the PDF,
a second size of the PDF's fit search, a deck built alone packaged beside its lint and lock).

Forking is safe only in a process that holds no threads and whose state a copy may share; so only the
one-shot command line asks for it (never `watch`, a test runner or a library caller), and where `os.fork`
does not exist, or there is only one core to run on, the work runs in this process when its result is asked
for. A CheatdeckError in the child comes back as its problems, and is raised here as the same error.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
from collections.abc import Callable
from typing import Generic, TypeVar

from .errors import CheatdeckError

T = TypeVar("T")


class Pending(Generic[T]):
    """Work begun: call it for the result (raising what the work raised); `cancel` when it is not wanted."""

    def __init__(self, work: Callable[[], T]):
        self._work = work

    def __call__(self) -> T:
        return self._work()

    def cancel(self) -> None:
        """Nothing to stop: the work runs here, when called."""


class _Forked(Pending[T]):
    def __init__(self, pid: int, fd: int):
        self._pid, self._fd, self._open = pid, fd, True

    def __call__(self) -> T:
        self._open = False
        return _collect(self._pid, self._fd)

    def cancel(self) -> None:
        """Stop the child and reap it: a child left behind would linger as a zombie, or block on a full pipe."""
        if self._open:
            self._open = False
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            os.close(self._fd)


def available(fork: bool) -> bool:
    """Whether `start(..., fork)` would fork: asked for, possible, and a second core to run on."""
    return fork and hasattr(os, "fork") and _cores() >= 2


def start(work: Callable[[], T], fork: bool) -> Pending[T]:
    """Begin `work` (in a forked child when `available(fork)`); call the result to wait for it."""
    if not available(fork):
        return Pending(work)
    # Frozen objects are never walked by a collection, so neither process copies the shared pages for it.
    gc.freeze()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(work, write_end)
    os.close(write_end)
    return _Forked(pid, read_end)


def _cores() -> int:
    """The cores this process may run on: with one, a child would only take turns with its parent."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _child(work: Callable[[], object], fd: int) -> None:
    gc.disable()  # a short life: what it allocates is freed by the exit
    code = 0
    try:
        try:
            message = ("done", work())
        except CheatdeckError as err:
            message = ("problems", err.problems)
        except BaseException as exc:  # an internal error: raised in the parent as it would have been here
            message = ("raised", exc)
        try:
            data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            data = pickle.dumps(("raised", RuntimeError(f"{message[1]!r} (not picklable: {exc})")))
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(data)
    except BaseException:
        code = 1
    finally:
        # No teardown, no atexit handlers, no flush of the stdio buffers copied from the parent.
        os._exit(code)


def _collect(pid: int, fd: int):
    with os.fdopen(fd, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        raise RuntimeError(f"the forked build stopped without a result (wait status {status})")
    kind, value = pickle.loads(data)
    if kind == "problems":
        raise CheatdeckError(value)
    if kind == "raised":
        raise value
    return value
