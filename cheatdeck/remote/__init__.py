"""Syncing with AnkiWeb or a self-hosted Anki sync server: credentials, the server round, the phone collection."""

from .credentials import Credentials, for_server, forget, key_file, login, save, stored
from .endpoint import checked as checked_endpoint
from .full_sync import CHOICES as FULL_SYNC_CHOICES
from .full_sync import FullSyncNeeded
from .phone import Status, collection_path, status, sync_phone
from .server_sync import Round, plan_round, server_round

__all__ = ["Credentials", "FULL_SYNC_CHOICES", "FullSyncNeeded", "Round", "Status", "checked_endpoint",
           "collection_path", "for_server", "forget", "key_file", "login", "plan_round", "save", "server_round",
           "status", "stored", "sync_phone"]
