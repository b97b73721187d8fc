"""The engine's network and server errors, as messages a user can act on.

None of them carries the password: the engine never puts it in an error, and these messages name only the
server and what to do next.
"""

from __future__ import annotations

from ..errors import CheatdeckError


def server_name(endpoint: str | None) -> str:
    return endpoint or "AnkiWeb"


def explain(exc: Exception, endpoint: str | None, after: str) -> CheatdeckError | None:
    """A CheatdeckError for an engine error met while talking to the server, or None for any other error.

    `after` says what state the local collection is in, for the user deciding what to do next.
    """
    from anki.errors import Interrupted, NetworkError, SyncError, SyncErrorKind

    server = server_name(endpoint)
    if isinstance(exc, SyncError) and exc.kind == SyncErrorKind.AUTH:
        message = (f"{server} refused the username and password (or the stored sync key); check them, then run "
                   "`cheatdeck login` again")
    elif isinstance(exc, SyncError):
        message = f"{server} could not sync now ({_first_line(exc)}); try again later"
    elif isinstance(exc, NetworkError):
        message = (f"could not reach {server}, or the connection broke off ({_first_line(exc)}); check the "
                   "address and your connection, then run again")
    elif isinstance(exc, Interrupted):
        message = f"the transfer with {server} was interrupted"
    else:
        return None
    return CheatdeckError(f"{message}. {after}")


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0].rstrip(".") if str(exc).strip() else type(exc).__name__
