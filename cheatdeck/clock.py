"""The build's clock: SOURCE_DATE_EPOCH (see reproducible-builds.org) when it is set, so builds can be repeated."""

from __future__ import annotations

import os
import time


def source_date_epoch() -> int | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(epoch) if epoch.isdigit() else None


def build_time() -> int:
    """Now, or SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = source_date_epoch()
    return int(time.time()) if epoch is None else epoch
