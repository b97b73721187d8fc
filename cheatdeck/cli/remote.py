"""`login`, `logout`, and `sync --ankiweb`: the commands that talk to AnkiWeb or a self-hosted sync server."""

from __future__ import annotations

import os
from pathlib import Path

import click

from .settings import settings

ENDPOINT_HELP = ("A self-hosted sync server instead of AnkiWeb: HTTPS, or plain HTTP on this machine only. "
                 "Example: --endpoint http://127.0.0.1:8080/")


def endpoint_option(function):
    return click.option("--endpoint", metavar="URL", default=None, help=ENDPOINT_HELP)(function)


def remote_options(function):
    """The options `sync` takes to go through a server."""
    function = endpoint_option(function)
    function = click.option("--status", is_flag=True,
                            help="With --ankiweb: show where the collection is and when it last synced. "
                                 "Example: cheatdeck sync --ankiweb --status")(function)
    function = click.option("--full-sync", type=click.Choice(("download", "upload"), case_sensitive=False),
                            default=None,
                            help="When the server needs a full sync, which side replaces the other (upload "
                                 "backs the collection up first). Example: --full-sync download")(function)
    return click.option("--ankiweb", is_flag=True,
                        help="Pull from AnkiWeb (or --endpoint), apply the sheets, push; without --collection, "
                             "on cheatdeck's own copy of your phone's collection. Example: --ankiweb")(function)


@click.command()
@endpoint_option
def login(endpoint: str | None) -> None:
    """Log in to AnkiWeb (or your sync server) once: asks for your username and password, stores only the sync
    key the server returns (in your config folder, readable by you alone), never the password.

    \b
    Example:
      cheatdeck login
      cheatdeck login --endpoint http://127.0.0.1:8080/
    """
    from ..remote import checked_endpoint, login as log_in, save
    from ..remote.credentials import PASSWORD_VARIABLE, USER_VARIABLE
    from ..remote.failures import server_name

    server = checked_endpoint(endpoint)
    username = os.environ.get(USER_VARIABLE) or click.prompt(f"{server_name(server)} username")
    password = os.environ.get(PASSWORD_VARIABLE) or click.prompt("Password", hide_input=True)
    path = save(log_in(username, password, server))
    click.echo(f"logged in to {server_name(server)} as {username}; the sync key is in {path} "
               "(the password is not stored)")


@click.command()
@endpoint_option
def logout(endpoint: str | None) -> None:
    """Remove the sync key `cheatdeck login` stored for AnkiWeb (or your sync server).

    \b
    Example:
      cheatdeck logout
    """
    from ..remote import checked_endpoint, forget, key_file
    from ..remote.failures import server_name

    server = checked_endpoint(endpoint)
    if forget(server):
        click.echo(f"logged out of {server_name(server)}: its sync key is removed from {key_file()}")
    else:
        click.echo(f"not logged in to {server_name(server)}; nothing to remove")


def ankiweb_sync(collection: Path | None, plan: bool, choices, endpoint: str | None, full_sync: str | None,
                 status: bool) -> None:
    from ..remote import checked_endpoint, for_server, server_round, plan_round, sync_phone

    server = checked_endpoint(endpoint)
    if status:
        return _show_status(collection, server)
    s = settings()
    credentials = for_server(server)
    sheets, opts = s.sheet_paths(), s.options()
    if collection is None:
        done = sync_phone(sheets, credentials, opts, choices, full_sync, plan)
    elif plan:
        done = plan_round(sheets, collection.expanduser(), credentials, opts, choices)
    else:
        done = server_round(sheets, collection.expanduser(), credentials, opts, choices, full_sync)
    from .commands import show_sync

    for result in done.results:
        show_sync(result, s.verbosity, plan)
    for line in _round_lines(done) if s.verbosity or plan else ():
        click.echo(line)


def _round_lines(done) -> list[str]:
    from ..remote.failures import server_name

    server = server_name(done.server)
    if done.plan:
        return [f"  server plan for {done.collection} with {server} (nothing sent): {done.pulled}"]
    backup = f"; backup in {done.backup}" if done.backup else ""
    return [f"  {server}: pulled ({done.pulled}), pushed ({done.pushed}) for {done.collection}{backup}"]


def _show_status(collection: Path | None, server: str | None) -> None:
    from ..remote import collection_path, status, stored
    from ..remote.credentials import USER_VARIABLE
    from ..remote.failures import server_name
    from ..remote.phone import collections

    if collection is not None:
        paths = [collection.expanduser()]
    else:
        known = stored(server)
        username = os.environ.get(USER_VARIABLE) or (known.username if known else None)
        paths = [collection_path(server, username)] if username else collections(server)
    if not paths:
        click.echo(f"no phone collection for {server_name(server)} yet; `cheatdeck sync --ankiweb` makes one")
    for path in paths:
        found = status(path)
        when = (found.last_sync.strftime("%Y-%m-%d %H:%M:%S UTC") if found.last_sync else "never") \
            if found.exists else "no such collection yet"
        click.echo(f"{found.collection}: last synced with {server_name(server)}: {when}")
