"""The card lint's minimum-information rules: each with a weak card it warns about and a good one it passes,
a sheet of weak and good cards with exactly the expected warnings, and `lint:` silencing one rule per item."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from cli_helpers import run
from conftest import FIXTURES, SHIPPED
from test_cards import line_of, messages, plan, sheet_file

from cheatdeck.deck.lint import lint
from cheatdeck.deck.plan import plan_notes
from cheatdeck.errors import CheatdeckError
from cheatdeck.source.compile import load
from cheatdeck.source.format import LINT_RULES


def _bullet(q: str, a: str, text: str = "Item: as printed", **more: str) -> str:
    extra = "".join(f"\n      {key}: {value}" for key, value in more.items())
    return f"""\
- id: s
  title: Section
  bullets:
    - text: "{text}"
      id: item
      q: "{q}"
      a: "{a}"{extra}
"""


RULES = {
    "enumeration": (_bullet("Which four step types do the heavy work in a Pipelines DAG?",
                            "Processing, Training, Tuning, Transform"),
                    _bullet("Which Pipelines step branches on a metric threshold?", "ConditionStep")),
    "vague-stem": (_bullet("Explain the Model Registry.", "A catalog of versioned models"),
                   _bullet("Which SageMaker catalog holds versioned models awaiting approval?", "The Model Registry")),
    "yes-no": (_bullet("Is the shadow variant's response returned to the caller?", "No"),
               _bullet("Which kind of variant mirrors live traffic without answering it?", "A shadow variant")),
    "long-answer": (_bullet("What happens once a model is approved?",
                            "An EventBridge rule sees the approval and calls a Lambda function that updates the "
                            "endpoint with the newly approved model version"),
                    _bullet("Which service updates the endpoint once a model is approved?", "AWS Lambda")),
    "give-away": (_bullet("Which job type runs PySpark preprocessing at large scale?", "Processing Jobs"),
                  _bullet("Which job type runs PySpark data preparation at large scale?", "Processing Jobs")),
}


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_warns_about_its_weak_card_and_passes_the_good_one(tmp_path, rule):
    weak, good = RULES[rule]
    found = messages(plan(tmp_path, weak))
    assert [m.split(": ")[1] for m in found] == [rule], found
    assert messages(plan(tmp_path, good)) == []


def test_enumeration_counts_items_outside_brackets_and_not_on_a_cloze(tmp_path):
    assert messages(plan(tmp_path, _bullet("Which bias drift does Clarify report?",
                                           "Fairness changes (DPPL, DI, CI)"))) == []
    chain = _bullet("Which chain starts a retraining on drift?", "EventBridge → Lambda → Pipelines")
    assert [m.split(": ")[1] for m in messages(plan(tmp_path, chain))] == ["enumeration"]
    assert messages(plan(tmp_path, _bullet("Which chain starts a retraining on drift?",
                                           "EventBridge → Lambda → Pipelines", cards="cloze"))) == []


def test_give_away_reads_the_section_title_the_front_shows(tmp_path):
    titled = """\
- id: variants
  title: A/B Testing — Production Variants
  bullets:
    - text: "Variants: several models behind one endpoint"
      id: variants
      q: Which SageMaker endpoint feature serves several models behind one endpoint for an A/B test?
      a: Production variants
  traps:
    - q: A champion and a challenger model must share live traffic. What do you configure?
      text: "Use production variants, not two endpoints."
      a: Production variants
"""
    path = sheet_file(tmp_path, titled)
    # The trap's front shows its domain only, not the title: its card is not given away.
    assert messages(plan_notes(load(path))) == [
        f"{line_of(path, 'several models behind')}: give-away: the section title\u2019s \u201cproduction\u201d, "
        "\u201cvariant\u201d give away the answer \u201cProduction variants\u201d: ask what the title \u201cA/B "
        "Testing \u2014 Production Variants\u201d does not already say, or move the item to a section whose title "
        "does not name the answer"]
    untitled = titled.replace("A/B Testing — Production Variants", "A/B Testing")
    assert messages(plan(tmp_path, untitled)) == []
    # A glossary spells the title out on the cards, and the lint reads what the cards show.
    short = titled.replace("A/B Testing — Production Variants", "A/B Testing — PVs")
    assert [m.split(": ")[1] for m in messages(plan(tmp_path, short, sheet="glossary: {PVs: Production Variants}\n"))] \
        == ["give-away"]


def test_yes_no_spares_a_choice_between_two(tmp_path):
    assert messages(plan(tmp_path, _bullet("Is SDP or SMP the library for a model too big for one GPU?",
                                           "SMP (model parallelism)"))) == []


def test_asked_twice_a_trap_and_a_row_stating_one_rule(tmp_path):
    weak = """\
- id: metrics
  title: Evaluation Metrics
  table:
    columns: [Task, Metrics]
    rows:
      - [Imbalanced classes, "F1, AUC-ROC (NOT accuracy)"]
      - [Regression, RMSE]
  traps:
    - q: On imbalanced classes, which metrics do you report instead of accuracy?
      text: Accuracy misleads on imbalanced classes; use F1 or AUC-ROC.
      a: F1 or AUC-ROC
"""
    path = sheet_file(tmp_path, weak)
    assert messages(plan_notes(load(path))) == [
        f"{line_of(path, '- q: On imbalanced')}: asked-twice: this card asks what the card at line "
        f"{line_of(path, 'Imbalanced classes')} asks: keep one (`cards: none` on the other), or ask each a "
        "different fact"]
    good = weak.replace('      - [Imbalanced classes, "F1, AUC-ROC (NOT accuracy)"]',
                        '      - cells: [Imbalanced classes, "F1, AUC-ROC (NOT accuracy)"]\n        cards: none')
    assert messages(plan(tmp_path, good)) == []


def test_the_pair_rules_compare_a_bounded_number_of_cards_whatever_the_sheet(tmp_path, monkeypatch):
    """Answers made of the same common words in every section, with fronts that share nothing: every pair is a
    candidate, and no pair matches. Each card is still compared with at most CANDIDATES others."""
    from cheatdeck.deck.lint import asked_twice, twins

    cards = 300
    bullets = "".join(f"    - text: \"K{k}: value\"\n      q: Which zq{k}a zq{k}b zq{k}c?\n"
                      f"      a: Shared answer words everywhere\n" for k in range(cards))
    spread = "".join(f"- id: s{k}\n  title: Section {k}\n  bullets:\n"
                     f"    - text: \"K{k}: value\"\n      q: Which zq{k}a zq{k}b zq{k}c?\n"
                     f"      a: Shared answer words everywhere\n" for k in range(cards))
    counted = {"containment": 0, "similar": 0}

    def counting(module, name):
        real = getattr(module, name)

        def count(*args):
            counted[name] += 1
            return real(*args)
        monkeypatch.setattr(module, name, count)

    counting(asked_twice, "containment")  # the answers are equal: each comparison compares the fronts
    counting(twins, "similar")
    assert list(asked_twice.check(plan(tmp_path, spread))) == []
    assert list(twins.check(plan(tmp_path, f"- id: one\n  title: One section\n  bullets:\n{bullets}"))) == []
    assert 0 < counted["containment"] <= asked_twice.CANDIDATES * cards < cards * (cards - 1) // 2
    assert 0 < counted["similar"] <= twins.CANDIDATES * cards < cards * (cards - 1) // 2


HEADER = """\
- id: encryption
  title: Encryption
  table:
    columns: [Resource, Parameter]{ask}
    rows:
      - [Training volume, ResourceConfig.VolumeKmsKeyId]
      - [Model artifacts, OutputDataConfig.KmsKeyId]
      - [Feature Store online, OnlineStoreConfig.SecurityConfig.KmsKeyId]
      - [CloudWatch logs, KMS encryption on log group]
"""


def test_header_question_where_a_cell_is_not_what_its_column_names(tmp_path):
    path = sheet_file(tmp_path, HEADER.format(ask=""))
    p = plan_notes(load(path))
    assert messages(p) == [
        f"{line_of(path, 'CloudWatch logs')}: header-question: \u201cwhich parameter?\u201d does not fit \u201cKMS "
        "encryption on log group\u201d, unlike the column's other cells: give the table `ask: {Parameter: "
        "\"\u2026 {Resource} \u2026?\"}`, a question that fits every row"]
    # "Which parameter?" only where the header fits; the misfit keeps the neutral "Parameter?".
    assert [c.front for n in p.notes for c in n.cards] == [
        "Resource: Training volume \u2014 which parameter?", "Resource: Model artifacts \u2014 which parameter?",
        "Resource: Feature Store online \u2014 which parameter?", "Resource: CloudWatch logs \u2014 Parameter?"]
    asked = plan(tmp_path, HEADER.format(ask='\n    ask: {Parameter: "Which setting encrypts the {Resource}?"}'))
    assert messages(asked) == []
    assert [n.fields[2] for n in asked.notes][-1] == "Which setting encrypts the CloudWatch logs?"
    # In Spanish the message quotes the question as the card asks it, opening mark and all.
    spanish = plan(tmp_path, HEADER.format(ask="").replace("Parameter", "Parámetro"), sheet="language: es\n")
    assert [m.split(": ", 2)[2] for m in messages(spanish)] == [
        "\u201c¿Parámetro?\u201d does not fit \u201cKMS encryption on log group\u201d, unlike the column's other cells: "
        "give the table `ask: {Parámetro: \"\u2026 {Resource} \u2026?\"}`, a question that fits every row"]


def test_a_columns_misfits_are_worked_out_once_for_the_plan_and_the_lint(tmp_path, monkeypatch):
    """The plan reads them to word each card's question, the header-question rule to warn: one reading of each
    cell serves both."""
    from cheatdeck.deck import headers

    read: list[str] = []
    real = headers.kind
    monkeypatch.setattr(headers, "kind", lambda cell: read.append(cell) or real(cell))
    # Cells of this test's own, which no other test has read before.
    cells = ["TrainingJob.VpcConfig.Subnets", "Endpoint.DataCaptureConfig.KmsKeyId",
             "ProcessingJob.NetworkConfig.EnableNetworkIsolation", "a private subnet with no internet route"]
    rows = "".join(f"      - [Resource {i}, {cell}]\n" for i, cell in enumerate(cells))
    table = f"- id: network\n  title: Network\n  table:\n    columns: [Resource, Setting]\n    rows:\n{rows}"
    assert len(lint(plan_notes(load(sheet_file(tmp_path, table))))) == 1
    assert sorted(read) == sorted(cells)


def test_a_weak_and_good_sheet_gets_exactly_the_expected_warnings_on_the_expected_lines():
    path = FIXTURES / "weak-cards.yaml"
    expected = [(i, m.group(1)) for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if (m := re.search(r"# weak: ([\w-]+)", line))]
    assert len(expected) == 7 and {rule for _, rule in expected} >= set(RULES) | {"asked-twice", "header-question"}
    found = [(w.loc.line, w.message.split(":")[0]) for w in lint(plan_notes(load(path)))]
    assert found == expected


def test_lint_silences_one_rule_per_item_with_a_reason(tmp_path):
    weak, _ = RULES["enumeration"]
    quiet = weak + "      lint: {enumeration: the four are asked as one set on purpose}\n"
    assert messages(plan(tmp_path, quiet)) == []
    # Silencing another rule keeps this one.
    other = weak + "      lint: {yes-no: not this rule}\n"
    assert [m.split(": ")[1] for m in messages(plan(tmp_path, other))] == ["enumeration"]


def test_lint_names_known_rules_and_needs_a_reason(tmp_path):
    weak, _ = RULES["enumeration"]
    with pytest.raises(CheatdeckError) as err:
        load(sheet_file(tmp_path, weak + "      lint: {enumerations: typo}\n"))
    assert "expected one of: " + ", ".join(sorted(LINT_RULES)) + "; got 'enumerations'" in str(err.value)
    with pytest.raises(CheatdeckError) as err:
        load(sheet_file(tmp_path, weak + "      lint: {enumeration: }\n"))
    assert "a key with no value" in str(err.value)


def test_the_shipped_sheet_passes_check_strict(shipped):
    assert "0 card warnings" in run("check", "--strict").output
    assert lint(plan_notes(load(SHIPPED))) == []


GERMAN = """\
- id: bindung
  title: Chemische Bindung
  bullets:
    - text: "Ionenbindung: ΔEN > 1,7 — Elektronen werden übertragen, z. B. NaCl"
      q: Was gibt eine Bindung mit ΔEN > 1,7?
      a: "ΔEN > 1,7 — Ionenbindung, z. B. NaCl"
    - text: "Kovalente Bindung: gemeinsame Elektronenpaare"
      q: Wie heißt die Bindung, bei der die Atome Elektronenpaare teilen?
      a: Kovalente Bindung
"""


def test_yes_no_reads_english_questions_only(tmp_path):
    """"Was gibt …?" is German for "what gives …?": "was" is an English auxiliary, not a German one."""
    assert messages(plan(tmp_path, GERMAN)) == []
    english = _bullet("Was the shadow variant's response returned to the caller?", "No")
    assert [m.split(": ")[1] for m in messages(plan(tmp_path, english))] == ["yes-no"]
    # One English question in a German sheet does not make it English.
    question = _bullet("Was gibt es bei einer Ionenbindung?", "Geladene Teilchen")
    mixed = GERMAN + question.replace("- id: s\n  title: Section\n  bullets:\n", "")
    assert messages(plan(tmp_path, mixed)) == []


def test_enumeration_splits_a_text_by_one_kind_of_separator(tmp_path):
    """"ΔEN > 1,7 — …, z. B. NaCl" is two items (one comma), not three: a comparison is no separator, and a
    text's items are split by the one separator that makes its listing."""
    from cheatdeck.source import listing

    assert listing.items("ΔEN > 1,7 — Ionenbindung, z. B. NaCl") == ["ΔEN > 1,7 — Ionenbindung", "z. B. NaCl"]
    assert listing.items("Latency > 100 ms, cost > 5 USD, errors > 1 %") == [
        "Latency > 100 ms", "cost > 5 USD", "errors > 1 %"]
    # The strongest separator the text uses makes the listing: the others stay inside its items.
    assert listing.items("S3, Athena; Redshift, Glue") == ["S3, Athena", "Redshift, Glue"]
    assert listing.items("Ingest, clean → Train → Deploy, monitor") == ["Ingest, clean", "Train", "Deploy, monitor"]
    assert listing.items("Settings > Security > Keys, roles") == ["Settings", "Security", "Keys, roles"]
    assert listing.parts("A → B -> C") == [("A", " → "), ("B", " -> "), ("C", "")]
    assert messages(plan(tmp_path, _bullet("Which bond forms when ΔEN exceeds 1.7?",
                                           "ΔEN > 1,7 — Ionenbindung, z. B. NaCl"))) == []


_CAMEL_SPLIT = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def _words_as_defined(text: str) -> tuple[str, ...]:
    """`overlap.words` by its definition: identifiers split into their words, every word of the text
    case-folded (typography is no part of a word), a plural of more than three letters made singular."""
    found = [w.casefold() for w in re.findall(r"[^\W_]+", _CAMEL_SPLIT.sub(" ", text))]
    return tuple(w[:-1] if len(w) > 3 and w[-1] == "s" and w[-2] != "s" else w for w in found)


@given(st.text(st.sampled_from("aAbsSzZ019 _-.s\u2014\u2019\u00e9\u00df\u0130"), max_size=40))
@settings(max_examples=400, deadline=None, derandomize=True)
@example("Plans ends glass bus 123s 12s abcs as its OnlineStoreConfigs \u2014 caf\u00e9s")
def test_words_splits_every_text_as_its_definition_says(text):
    from cheatdeck.deck.overlap import words

    assert words.__wrapped__(text) == _words_as_defined(text)


@given(st.lists(st.text(st.sampled_from("aAbsSzZ019 _-.s\n\u2014\u2019\u00e9\u00df\u0130"), max_size=20), max_size=8))
@settings(max_examples=300, deadline=None, derandomize=True)
@example(["OnlineStoreConfigs ends", "caf\u00e9s \u2014 glass", "line\nbreak", "", "Keys \u2014 roles"])
def test_words_of_splits_each_text_as_words_does(texts):
    """The lint splits every answer and front of a plan in one call (`words_of`, texts joined by line breaks):
    each text's words are its own, whatever the others hold (capitals, typography, other scripts, a line break)."""
    from cheatdeck.deck.overlap import words_of

    assert words_of(texts) == [_words_as_defined(text) for text in texts]
