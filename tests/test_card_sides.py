"""What the learner sees, through the official engine: a list as one cloze note with a card per item, a table's
question template, the glossary on cards (never on the page), `why:` under the answer, the answer shown once."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
from anki_helpers import import_package, visible_text
from cli_helpers import build_anki, run

SHEET = """\
id: sides
title: Card sides
version: "1"
glossary: {{Tx: transform, ms: milliseconds}}
{print}domains:
  - id: d1
    name: Deployment
    short: Deploy
    color: "#16365c"
    sections:
      - id: wrangler
        title: Data Wrangler
        bullets:
          - text: "Connectors: S3, Athena, Redshift"
            q: Which three data sources can Data Wrangler connect to?
            a: S3, Athena, Redshift
            cards: cloze
            why: Anything else comes in through a Processing Job.
          - text: "Batch Tx: offline scoring of a whole S3 prefix"
            q: Which inference option scores a whole S3 prefix offline?
            a: Batch Tx
            why: It needs no endpoint at all.
      - id: encryption
        title: Encryption
        table:
          columns: [Resource, Parameter]
          ask: {{Parameter: "How do you protect the {{Resource}} with your own KMS key?"}}
          rows:
            - [Training volume, ResourceConfig.VolumeKmsKeyId]
            - [CloudWatch logs, KMS encryption on the log group]
      - id: metrics
        title: Metrics
        table:
          columns: [Task, Metrics, Latency]
          rows:
            - cells: [Regression, "RMSE, MAE, R-squared", ms]
              cards: cloze
            - [Ranking, NDCG, min]
"""


def _sheet(workdir: Path, print_why: bool = False) -> None:
    text = SHEET.format(print="print: {why: true}\n" if print_why else "")
    (workdir / "source" / "sides.yaml").write_text(text, encoding="utf-8")


def _cards(col) -> dict[str, list]:
    out: dict[str, list] = {}
    for cid in sorted(col.find_cards("")):
        card = col.get_card(cid)
        out.setdefault(card.note()["Id"], []).append(card)
    return out


def test_a_list_answer_is_one_cloze_note_with_a_card_per_item_and_the_others_shown(workdir, col):
    _sheet(workdir)
    build_anki()
    import_package(col, Path("dist/sides.apkg"))
    cards = _cards(col)["sides/wrangler/connectors/items"]
    assert cards[0].note().note_type()["name"] == "cheatdeck · List"
    fronts = [visible_text(c.question()).replace(" ,", ",") for c in cards]
    assert [f.split("connect to? ")[1] for f in fronts] == ["[...], Athena, Redshift", "S3, [...], Redshift",
                                                            "S3, Athena, [...]"]
    # The back shows the item in place, and `why:` under the list (never on the front).
    backs = [visible_text(c.answer()).replace(" ,", ",") for c in cards]
    assert all(b.endswith("S3, Athena, Redshift Why: Anything else comes in through a Processing Job.")
               for b in backs)
    assert all("Processing Job" not in f for f in fronts)
    row = _cards(col)["sides/metrics/rows/regression/items"]
    assert [visible_text(c.question()).replace(" ,", ",").split("Metrics ")[-1] for c in row] == [
        "Task: Regression \u2014 Which metrics? [...], MAE, R-squared",
        "Task: Regression \u2014 Which metrics? RMSE, [...], R-squared",
        "Task: Regression \u2014 Which metrics? RMSE, MAE, [...]"]


def test_a_table_question_template_the_glossary_and_why_on_the_card(workdir, col):
    _sheet(workdir)
    build_anki()
    import_package(col, Path("dist/sides.apkg"))
    cards = _cards(col)
    (logs,) = cards["sides/encryption/rows/cloudwatch-logs"]
    assert visible_text(logs.question()).endswith(
        "Resource: CloudWatch logs How do you protect the CloudWatch logs with your own KMS key?")
    # The back shows the answer once: a two-column row has nothing else to show.
    back = visible_text(logs.answer()).removeprefix(visible_text(logs.question()))
    assert back.strip() == "KMS encryption on the log group"
    (batch,) = cards["sides/wrangler/batch-tx"]
    assert visible_text(batch.answer()).endswith("Batch transform Why: It needs no endpoint at all.")
    assert "Why" not in visible_text(batch.question())
    (latency,) = cards["sides/metrics/rows/regression/latency"]
    assert "milliseconds" in latency.answer() and "ms" not in visible_text(latency.answer()).split()
    # A header that fits its cells asks "Which <header>?"; the row's other cells follow the answer, once.
    (ranking,) = cards["sides/metrics/rows/ranking"]
    assert visible_text(ranking.question()).endswith("Task: Ranking Which metrics?")
    assert visible_text(ranking.answer()).count("NDCG") == 1


def _page_text(pdf: Path) -> str:
    with pdfplumber.open(pdf) as doc:
        return " ".join(page.extract_text() or "" for page in doc.pages)


def test_the_page_keeps_the_shorthand_and_the_plain_list_and_prints_why_only_when_asked(workdir):
    _sheet(workdir)
    run("pdf", "--out", "dist")
    text = " ".join(_page_text(Path("dist/sides.pdf")).split())
    assert "Batch Tx" in text and "transform" not in text and "milliseconds" not in text
    assert "Connectors: S3, Athena, Redshift" in text and "[...]" not in text and "{{c" not in text
    assert "Why" not in text and "needs no endpoint" not in text
    _sheet(workdir, print_why=True)
    run("pdf", "--out", "dist", "--force")
    text = " ".join(_page_text(Path("dist/sides.pdf")).split())
    assert "Why \u2014 It needs no endpoint at all." in text
    assert "Why \u2014 Anything else comes in through a Processing Job." in text
