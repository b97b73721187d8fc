"""No card side is wider than a phone: the 360 px check, through the official engine and headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from anki_helpers import import_package
from cli_helpers import build_anki as build
from phone import PHONE, VARIANTS, chromium, measure

BROWSER = chromium()
needs_chromium = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium found (Debian: apt-get install chromium; .ci/run installs it): "
                            "the 360 px layout check needs a real browser engine")


def _sides(col) -> dict[str, str]:
    sides = {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        name = f"{card.note()['Id']} card {card.ord + 1}"
        sides[f"{name} front"], sides[f"{name} back"] = card.question(), card.answer()
    return sides


@needs_chromium
def test_no_shipped_card_side_overflows_a_360_px_phone(shipped, col, tmp_path):
    build()
    import_package(col, Path("dist/mla-c01.apkg"))
    sides = _sides(col)
    found = measure(BROWSER, sides, tmp_path)
    assert found["viewport"] == PHONE
    assert found["sides"] == len(sides) * len(VARIANTS)
    assert found["wide"] == [] and found["page"] <= PHONE


WIDE = """\
id: wide
title: Wide tables
version: "1"
domains:
  - id: d1
    name: Tables
    short: Tables
    color: "#16365c"
    sections:
      - id: two
        title: Two columns
        table:
          columns: [Resource, Parameter]
          rows:
            - [Feature Store offline, OfflineStoreConfig.S3StorageConfig.KmsKeyIdWithAVeryLongNameIndeed]
            - [Feature Store online, OnlineStoreConfig.SecurityConfig.KmsKeyId]
            - [Training volume, ResourceConfig.VolumeKmsKeyId]
      - id: three
        title: Three columns
        table:
          columns: [Task, Algorithm, Input format of the training data channel]
          ask: [Algorithm]
          rows:
            - [Tabular classification and regression, XGBoost, CSV/libsvm/Parquet/RecordIO-protobuf]
            - [Time-series forecasting, DeepAR, JSON Lines with start and target fields]
            - [Anomaly detection, Random Cut Forest, CSV/RecordIO-protobuf]
      - id: five
        title: Five columns, long words
        table:
          columns: [Type, Latency, Payload, Notes, Best For]
          ask: [Best For]
          rows:
            - [Real-time, Subsecondlatencyalways, Sixmegabytesmaximum, Provisionedconcurrency, Interactive]
            - [Batch, Hoursratherthanminutes, Unlimitedpayloadsize, Supercalifragilistic, Offline]
      - id: six
        title: Six columns
        table:
          columns: [Type, Latency, Payload, Timeout, Scaling, Best For]
          ask: [Best For]
          rows:
            - [Real-time, milliseconds, 6 MB, 60 seconds, target tracking on InvocationsPerInstance, Interactive]
            - [Asynchronous, seconds to minutes, 1 GB, 15 minutes, scales to zero when idle, Large payloads]
"""


@needs_chromium
def test_tables_of_any_width_stay_inside_a_phone_screen(workdir, col, tmp_path):
    (workdir / "source" / "wide.yaml").write_text(WIDE, encoding="utf-8")
    build("source/wide.yaml")
    import_package(col, Path("dist/wide.apkg"))
    sides = _sides(col)
    found = measure(BROWSER, sides, tmp_path)
    assert found["sides"] == len(sides) * len(VARIANTS) and found["wide"] == []


@needs_chromium
def test_the_check_sees_a_side_wider_than_the_phone(tmp_path):
    # A side the card CSS cannot fold (a fixed width) must be reported, or the checks above prove nothing.
    found = measure(BROWSER, {"fixed": '<style>.cd {}</style><div class="cd" style="width: 500px">x</div>'}, tmp_path)
    assert [name for name, _ in found["wide"]] == [f"fixed [{variant}]" for variant in VARIANTS]
