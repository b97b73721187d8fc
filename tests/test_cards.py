"""Card rules and the card lint, on small sheets that provoke each rule."""

from __future__ import annotations

import random
import re
import textwrap
from pathlib import Path

import pytest
from conftest import REPO, SHIPPED

from cheatdeck import colors
from cheatdeck.deck.lint import lint
from cheatdeck.deck.notetypes import DAY, NIGHT, palette_css
from cheatdeck.deck.plan import plan_notes
from cheatdeck.errors import CheatdeckError
from cheatdeck.source.compile import load

HEAD = """\
id: t
title: Card rules
version: "1"
{sheet}domains:
  - id: d1
    name: Deployment
    short: Deploy
    weight: 100
    color: "#16365c"
    sections:
"""


def sheet_file(tmp_path: Path, sections: str, sheet: str = "", quick: str = "") -> Path:
    path = tmp_path / "t.yaml"
    path.write_text(HEAD.format(sheet=sheet) + textwrap.indent(textwrap.dedent(sections), " " * 6)
                    + textwrap.dedent(quick), encoding="utf-8")
    return path


def plan(tmp_path: Path, sections: str, **kw):
    return plan_notes(load(sheet_file(tmp_path, sections, **kw)))


def messages(p) -> list[str]:
    return [f"{w.loc.line}: {w.message}" for w in lint(p)]


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


SCALING = """\
- id: scaling
  title: Endpoint Scaling
  bullets:
    - "Primary metric: InvocationsPerInstance (target tracking)"
    - "Cooldown: the wait between two scaling actions"
"""


def test_reverse_cards_are_opt_in(tmp_path):
    assert all(len(n.cards) == 1 for n in plan(tmp_path, SCALING).notes)
    on = plan(tmp_path, SCALING, sheet="reverse: true\n")
    assert [[c.reverse for c in n.cards] for n in on.notes] == [[False, True], [False, True]]
    assert on.notes[0].fields[3] == "Which term of <i>Endpoint Scaling</i> is this?"
    section_off = SCALING.replace("  bullets:", "  reverse: false\n  bullets:").replace(
        '    - "Cooldown: the wait between two scaling actions"',
        '    - {text: "Cooldown: the wait between two scaling actions", reverse: true}')
    assert [len(n.cards) for n in plan(tmp_path, section_off, sheet="reverse: true\n").notes] == [1, 2]


def test_no_reverse_card_when_another_item_has_the_same_answer(tmp_path):
    sections = SCALING + """\
- id: batch
  title: Batch Transform
  bullets:
    - "Warm pool: the wait between two scaling actions"
"""
    p = plan(tmp_path, sections, sheet="reverse: true\n")
    cooldown, warm = p.notes[1], p.notes[2]
    assert (len(cooldown.cards), len(warm.cards)) == (1, 1) and cooldown.fields[3] == ""
    found = messages(p)
    path = tmp_path / "t.yaml"
    assert (f"{line_of(path, 'Cooldown')}: no reverse card: \u201cthe wait between two scaling actions\u201d also "
            f"answers the item at line {line_of(path, 'Warm pool')}; set `reverse: false` here or reword one "
            "answer") in found


def test_no_reverse_card_when_the_answer_names_the_key(tmp_path):
    p = plan(tmp_path, """\
- id: encryption
  title: Encryption
  table:
    columns: [Resource, Parameter]
    reverse: true
    rows:
      - [Feature Store online, OnlineStoreConfig.SecurityConfig.KmsKeyId]
      - [Training EBS volume, ResourceConfig.VolumeKmsKeyId]
""")
    online, ebs = p.notes
    assert [c.reverse for c in online.cards] == [False] and [c.reverse for c in ebs.cards] == [False, True]
    assert any("gives away the key \u201cFeature Store online\u201d" in m for m in messages(p))


ENDPOINTS = """\
- id: endpoints
  title: Inference Endpoints
  table:
    columns: [Type, Latency, Payload, Best For]
    rows:
      - [Real-time, ms, 6 MB, Interactive]
      - [Serverless, ms, 4 MB, Infrequent]
"""


def test_a_table_card_asks_one_column_and_by_default_the_columns_that_tell_rows_apart(tmp_path):
    p = plan(tmp_path, ENDPOINTS)
    # Latency says "ms" in both rows, so it is not asked.
    # "Which payload?" reads as a question; "Which best for?" does not, so that header is asked as it is.
    assert [(n.ident, n.fields[2], n.fields[3]) for n in p.notes] == [
        ("endpoints/rows/real-time/payload", "Which payload?", "6 MB"),
        ("endpoints/rows/real-time/best-for", "Best For?", "Interactive"),
        ("endpoints/rows/serverless/payload", "Which payload?", "4 MB"),
        ("endpoints/rows/serverless/best-for", "Best For?", "Infrequent")]
    assert [c.front for c in p.notes[0].cards] == ["Type: Real-time \u2014 which payload?"]
    asked = plan(tmp_path, ENDPOINTS.replace("    rows:", "    ask: [latency, Best For]\n    rows:"))
    # The card for the first column after the key keeps the row's own identity (and review history).
    assert [(n.ident, n.fields[2]) for n in asked.notes] == [
        ("endpoints/rows/real-time", "Which latency?"), ("endpoints/rows/real-time/best-for", "Best For?"),
        ("endpoints/rows/serverless", "Which latency?"), ("endpoints/rows/serverless/best-for", "Best For?")]


ORGANELLES = """\
- id: organellen
  title: Organellen
  bullets:
    - "Ribosom: Ort der Proteinbiosynthese, die Übersetzung der mRNA in eine Kette von Aminosäuren"
  table:
    columns: [Organell, Membranen, Eigene DNA]
    rows:
      - [Mitochondrium, "2", ja]
      - [Lysosom, "1", nein]
"""


def test_a_sheet_in_another_language_asks_the_header_as_written_not_in_english(tmp_path):
    """"Which membranen?" is English around a German noun it lowercased: a sheet that says it is German asks
    "Membranen?" under "Organell: Mitochondrium". One that says nothing keeps the English question, though its
    words read as German: a guess that reworded cards would rewrite the notes of decks built before."""
    def asked(**kw) -> list[str]:
        return [n.fields[2] for n in plan(tmp_path, ORGANELLES, **kw).notes if n.kind == "row"]

    assert asked() == ["Which membranen?", "Which eigene DNA?"] * 2
    assert asked(sheet="language: de\n") == ["Membranen?", "Eigene DNA?"] * 2
    assert asked(sheet="language: en-GB\n") == ["Which membranen?", "Which eigene DNA?"] * 2
    # An English sheet that says another language asks as that language would.
    assert [n.fields[2] for n in plan(tmp_path, ENDPOINTS, sheet="language: fr\n").notes][:2] == [
        "Payload?", "Best For?"]


def test_a_chinese_sheet_asks_with_its_own_question_mark_and_a_trap_without_q_in_no_english(tmp_path):
    section = """\
    - id: guonihe
      title: 过拟合
      table:
        columns: [方法, 作用]
        rows:
          - [早停, 在验证误差开始上升时停止训练]
      traps:
        - text: 训练误差低而测试误差高，是过拟合。
    """
    notes = plan(tmp_path, section, sheet="language: zh\n").notes
    assert [n.fields[2] for n in notes if n.kind == "row"] == ["作用？"]
    assert [n.cards[0].front for n in notes if n.kind == "trap"] == ["过拟合 → ？"]
    # A sheet that says no language asks in English, as before.
    assert [n.cards[0].front for n in plan(tmp_path, section).notes if n.kind == "trap"] == [
        "What is the exam trap in 过拟合?"]


def test_a_language_that_is_not_a_tag_is_an_error_with_its_line(tmp_path):
    path = sheet_file(tmp_path, ORGANELLES, sheet="language: Deutsch!\n")
    with pytest.raises(CheatdeckError) as caught:
        load(path)
    assert [(p.loc.line, p.message) for p in caught.value.problems] == [
        (4, "expected a language tag like 'de', 'es' or 'pt-BR' (BCP 47), got 'Deutsch!'")]


def test_ask_names_columns_of_the_table(tmp_path):
    path = sheet_file(tmp_path, ENDPOINTS.replace("    rows:", "    ask: [Type, Cost]\n    rows:"))
    with pytest.raises(CheatdeckError) as err:
        load(path)
    line = line_of(path, "ask:")
    assert [str(p).split(" (at")[0] for p in err.value.problems] == [
        f"{path}:{line}:17: 'Type' is the key column, which the cards show; ask for one of: Latency, Payload, Best For",
        f"{path}:{line}:23: 'Cost' is not a column of this table; ask for one of: Latency, Payload, Best For"]


QUICK = """\
quick_reference:
  columns: [Service, Key Facts, Decision Rule]
  rows:
    - domain: d1
      cells: [Multi-Model Endpoint, Thousands of models on 1 endpoint, First request per model = slow cold load]
    - domain: d1
      q: Which endpoint option do you pick for traffic that comes in rare bursts?
      cells: [Serverless, Scales to zero, Serverless for infrequent or spiky traffic]
"""
MME = """\
- id: mme
  title: Multi-Model Endpoints
  traps:
    - q: Why is the first request for a model on a multi-model endpoint slow?
      text: First request per model = slow cold load from S3.
      a: A cold load from S3
"""


def test_quick_reference_rows_are_decision_cards_unless_a_trap_says_the_same(tmp_path):
    p = plan(tmp_path, MME, quick=QUICK)
    trap, serverless = p.notes
    assert trap.kind == "trap" and "t::topic::quick-reference" in trap.tags
    assert serverless.kind == "quickref" and serverless.ident == "quickref/serverless"
    concept, prompt, back = serverless.fields[:3]
    assert (concept, prompt) == ("Serverless", "Which endpoint option do you pick for traffic that comes in rare bursts?")
    assert back.startswith('<div class="cd-lead"><b>Serverless for infrequent or spiky traffic</b></div><table')
    kept = plan(tmp_path, MME, quick=QUICK.replace("    - domain: d1\n      cells: [Multi",
                                                    "    - domain: d1\n      cards: forward\n      cells: [Multi"))
    assert [n.kind for n in kept.notes] == ["trap", "quickref", "quickref"]


def test_a_rule_of_a_word_or_two_is_never_taken_for_a_fact_that_shares_it(tmp_path):
    """An IR row whose rule is "Carboxylic acid" is not the NMR bullet about carboxylic acid H: both keep a card."""
    sections = """\
- id: nmr
  title: NMR shifts
  bullets:
    - id: acid-h
      text: "Carboxylic acid H: δ 10–12 ppm"
      q: Where does a carboxylic acid's O–H proton appear in 1H NMR?
"""
    quick = """\
quick_reference:
  columns: [IR band, Facts, Rule]
  rows:
    - domain: d1
      q: A broad IR band at 2500–3300 with a peak at 1710 points to which group?
      cells: [Broad 2500–3300 + 1710, O–H and C=O together, Carboxylic acid]
"""
    p = plan(tmp_path, sections, quick=quick)
    assert [n.kind for n in p.notes] == ["fact", "quickref"]
    assert not any("quick-reference" in tag for tag in p.notes[0].tags)


def test_trap_front_shows_scenario_and_domain_and_the_back_leads_with_the_answer(tmp_path):
    (trap,) = plan(tmp_path, MME).notes
    scenario, rule, context = trap.fields[:3]
    assert "Multi-Model Endpoints" not in scenario + context and "Deploy" in context
    assert rule == ('<div class="cd-lead"><b>A cold load from S3</b></div>'
                    '<div class="cd-rule">First request per model = slow cold load from S3.</div>'
                    '<div class="cd-source">Multi-Model Endpoints</div>')


def test_lint_bare_label_and_the_question_that_fixes_it(tmp_path):
    sections = """\
- id: pipelines
  title: Pipelines
  bullets:
    - "Step caching: skip unchanged steps on re-run"
"""
    path = sheet_file(tmp_path, sections)
    p = plan_notes(load(path))
    assert messages(p) == [f"{line_of(path, 'Step caching')}: bare-label: the front \u201cStep caching\u201d is a bare label: "
                           "add `q:` with a specific question that has one answer"]
    asked = plan(tmp_path, sections.replace('    - "Step caching: skip unchanged steps on re-run"',
                                            '    - text: "Step caching: skip unchanged steps on re-run"\n'
                                            "      q: Which Pipelines feature skips unchanged steps on a re-run?"))
    assert messages(asked) == []
    # The key still names the note, so the question keeps its review history.
    assert asked.notes[0].ident == p.notes[0].ident == "pipelines/step-caching"
    assert asked.notes[0].fields[1] == "<b>Step caching:</b> skip unchanged steps on re-run"
    # With an answer of its own (`a:`), the back shows that answer, once.
    short = plan(tmp_path, sections.replace('    - "Step caching: skip unchanged steps on re-run"',
                                            '    - text: "Step caching: skip unchanged steps on re-run"\n'
                                            "      q: Which Pipelines feature skips unchanged steps on a re-run?\n"
                                            "      a: Step caching"))
    assert short.notes[0].fields[1] == "Step caching"


def test_lint_front_that_contains_its_answer(tmp_path):
    p = plan(tmp_path, """\
- id: distributed
  title: Distributed Training
  traps:
    - q: The model does not fit on one GPU. SDP or SMP?
      text: Use SMP when the model exceeds one GPU's memory.
      a: SMP
""")
    assert [m.split(": ", 1)[1] for m in messages(p)] == [
        "contains-answer: the front \u201cThe model does not fit on one GPU. SDP or SMP?\u201d contains its answer \u201cSMP\u201d: "
        "reword the question"]


def test_lint_same_answer_and_similar_fronts(tmp_path):
    path = sheet_file(tmp_path, """\
- id: monitor
  title: Model Monitor
  table:
    columns: [Monitor Type, Tool]
    rows:
      - [Data Quality, Built-in]
      - [Model Quality, Built-in]
""")
    p = plan_notes(load(path))
    assert messages(p) == [
        f"{line_of(path, 'Model Quality')}: twins: this card and the card at line {line_of(path, 'Data Quality')} have the "
        "same answer \u201cBuilt-in\u201d and similar fronts; ask something that tells them apart"]


def test_lint_back_longer_than_a_phone_screen(tmp_path):
    long = " ".join(["word"] * 58)
    p = plan(tmp_path, f"""\
- id: long
  title: Long
  bullets:
    - text: A short answer
      id: long
      q: Which text is far too long for one card?
      a: A short answer
      why: {long}
""")
    # The back is the answer, "Why:" and the reason: 3 + 1 + 58 words.
    assert [m.split(": ", 1)[1] for m in messages(p)] == [
        "long-back: the back has 62 words, more than a phone screen shows (about 60): shorten it or split the item"]


def test_the_shipped_sheet_has_no_card_warnings():
    assert lint(plan_notes(load(SHIPPED))) == []


def _css_rules(css: str) -> dict[str, dict[str, str]]:
    rules: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S)):
        declarations = dict(re.findall(r"([\w-]+)\s*:\s*([^;]+)", body))
        for selector in selectors.split(","):
            rules.setdefault(" ".join(selector.split()), {}).update(declarations)
    return rules


def _hex(css_color: str) -> str:
    value = css_color.strip()
    return "#" + "".join(c * 2 for c in value[1:]) if len(value) == 4 else value


def test_every_label_and_chip_reads_at_4_5_to_1_in_day_and_night_mode():
    rules = _css_rules((REPO / "templates/anki/cards.css").read_text(encoding="utf-8"))
    card = rules[".card"]["background"]
    night_card = rules[".nightMode .card"]["background"]
    assert (card, night_card) == (DAY, NIGHT)
    trap = rules[".cd-trap"]["background"]
    night_trap = rules[".nightMode .cd-trap"]["background"]
    labels = [".cd-context", ".cd-hint", ".cd-header", ".cd-label", ".cd-source", ".cd-ask", ".cd-why"]
    pairs = [(rules[s]["color"], card, s) for s in labels]
    pairs += [(rules[f".nightMode {s}"]["color"], night_card, f"night {s}") for s in labels]
    pairs += [(rules[".cd-trap-label"]["color"], trap, "trap label"),
              (rules[".nightMode .cd-trap-label"]["color"], night_trap, "night trap label")]
    # A stacked table cell's column name sits on the card.
    stacked = {d["color"] for s, d in rules.items() if s.endswith("td::before") and "night" not in s.casefold()}
    night_stacked = rules[".nightMode .cd table td::before"]["color"]
    pairs += [(color, card, "stacked column name") for color in stacked]
    pairs += [(night_stacked, night_card, "night stacked column name")]
    low = [(name, round(colors.contrast(_hex(fg), _hex(bg)), 2)) for fg, bg, name in pairs
           if colors.contrast(_hex(fg), _hex(bg)) < 4.5]
    assert low == []
    # The neutral chip, for a sheet whose palette is not the last imported.
    pairs += [(rules[".cd-domain"]["color"], rules[".cd-domain"]["background"], "chip"),
              (rules[".cd-domain"]["background"], card, "chip on card"),
              (rules[".nightMode .cd-domain"]["color"], rules[".nightMode .cd-domain"]["background"], "night chip"),
              (rules[".nightMode .cd-domain"]["background"], night_card, "night chip on card")]
    for color in ("#16365c", "#2e7d32", "#d9822b", "#d8c3ef", "#ffff00", "#777777", "#000000", "#ffffff"):
        for background in (DAY, NIGHT):
            chip = colors.readable_on(color, background)
            assert colors.contrast(chip, background) >= 4.5, (color, background)
            assert colors.contrast(chip, colors.text_on(chip)) >= 4.5, (color, background)


def test_the_palette_gives_each_chip_day_and_night_colours(tmp_path):
    palette = palette_css(load(sheet_file(tmp_path, SCALING)))
    assert palette == (".cd-domain.cd-t--d1 { background: #16365c; color: #ffffff; }\n"
                       ".nightMode .cd-domain.cd-t--d1, .night_mode .cd-domain.cd-t--d1 "
                       "{ background: #7f90a5; color: #111111; }\n")


def test_lint_trap_without_scenario_and_decision_card_without_question(tmp_path):
    path = sheet_file(tmp_path, """\
- id: mme
  title: Multi-Model Endpoints
  traps:
    - First request per model = slow cold load from S3.
""", quick="""\
quick_reference:
  columns: [Service, Decision Rule]
  rows:
    - domain: d1
      cells: [Ground Truth Active Learning, Reduces labeling effort by about 70 percent]
""")
    p = plan_notes(load(path))
    (trap,) = [n for n in p.notes if n.kind == "trap"]
    assert trap.fields[0] == "What is the exam trap in Multi-Model Endpoints?"
    assert messages(p) == [
        f"{line_of(path, 'First request')}: bare-label: this trap has no scenario, so its card asks \u201cWhat is the exam trap in "
        "Multi-Model Endpoints?\u201d, which names the section: add `q:` with the situation the trap is about",
        f"{line_of(path, '- domain: d1')}: bare-label: the decision card for \u201cGround Truth Active Learning\u201d asks for a "
        "column, not about a situation: add `q:` with a specific question that has one answer"]


def _glossary(tmp_path: Path, answers: list[str]) -> Path:
    bullets = "".join(f'    - "Term{i}: {answer}"\n' for i, answer in enumerate(answers))
    return sheet_file(tmp_path, f"- id: glossary\n  title: Glossary\n  bullets:\n{bullets}", sheet="reverse: true\n")


def test_the_answer_index_finds_what_comparing_every_pair_finds(tmp_path):
    from cheatdeck.deck.answers import Answers
    from cheatdeck.deck.overlap import same_answer, words

    chance = random.Random(28)
    vocabulary = ["scale", "wait", "pool", "metric", "target", "batch", "warm", "cold", "shadow", "canary"]
    answers = [" ".join(chance.choice(vocabulary) for _ in range(chance.randint(1, 11))) for _ in range(400)]
    index = Answers(load(_glossary(tmp_path, answers)))
    for text, _ in index.entries:
        said = words(text.plain)
        expected = next((where for other, where in index.entries
                         if other is not text and same_answer(said, words(other.plain))), None)
        assert index.other(text) == expected, text.plain


def test_reverse_cards_of_a_long_glossary_are_not_compared_with_every_answer(tmp_path, monkeypatch):
    from cheatdeck.deck import answers as module

    compared = []
    monkeypatch.setattr(module, "same_answer", lambda a, b: compared.append(1) or a == b)
    glossary = [f"meaning number {i} of the sheet" for i in range(2_000)]
    p = plan_notes(load(_glossary(tmp_path, glossary)))
    assert all(len(n.cards) == 2 for n in p.notes)
    assert len(compared) < 4 * len(glossary)


def test_the_glossary_spells_out_shorthand_but_where_the_text_defines_it():
    """"Preterite (pret)" defines the page's shorthand: a card saying "Preterite (preterite)" would say one word
    twice and no longer teach it. Elsewhere the shorthand is spelled out, in plain text and in HTML alike."""
    from cheatdeck.deck.glossary import Glossary

    glossary = Glossary({"pret": "preterite", "ms": "milliseconds"})
    assert glossary.plain("Preterite (pret) irregulars: the pret of ser, in 5 ms") == \
        "Preterite (pret) irregulars: the preterite of ser, in 5 milliseconds"
    assert glossary.html("<b>Preterite</b> (pret): the <i>pret</i> (pret)") == \
        "<b>Preterite</b> (pret): the <i>preterite</i> (preterite)"
    assert glossary.plain("Imperfect (pret)") == "Imperfect (preterite)"
    assert glossary.html("Preterite (<b>pret</b>) and <i>Preterite</i> <b>(pret)</b>") == \
        "Preterite (<b>pret</b>) and <i>Preterite</i> <b>(pret)</b>"


def test_a_spanish_sheet_opens_its_questions_once(tmp_path):
    """Spanish questions open with "¿": a card asks a column's header as written between the two marks, and a
    header that is a question already keeps the marks it has ("¿Cuándo?", not "¿¿Cuándo??")."""
    section = """\
    - id: capas
      title: Capas
      table:
        columns: [Protocolo, Capa, ¿Cuándo?]
        ask: [Capa, ¿Cuándo?]
        rows:
          - [TCP, transporte, siempre]
          - [IP, red, siempre]
    """
    asked = [n.fields[2] for n in plan(tmp_path, section, sheet="language: es\n").notes]
    assert asked == ["¿Capa?", "¿Cuándo?"] * 2
    assert [n.fields[2] for n in plan(tmp_path, section, sheet="language: de\n").notes] == ["Capa?", "¿Cuándo?"] * 2
