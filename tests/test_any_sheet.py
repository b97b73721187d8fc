"""Sheets in any subject, script and length, built through the command line and read back from Anki and the page.

The fixtures in tests/fixtures/anysheet/ are the issue's examples: a chemistry sheet without weights, with
Greek keys, sub- and superscript characters and its own print settings; a Japanese sheet whose keys and table
rows are kana and kanji with no ids; a sheet of emoji and symbols.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pdfplumber
import pytest
from anki.collection import Collection
from anki_helpers import import_package, visible_text
from cli_helpers import run
from conftest import FIXTURES, REPO
from pdf_helpers import body_lines, column_ranges, geometry, squash
from reportlab.lib.pagesizes import A4, landscape, letter

import cheatdeck
from cheatdeck.source.compile import load

SHEETS = FIXTURES / "anysheet"
SELECTORS = re.compile("[\ufe00-\ufe0f]")


@pytest.fixture
def col(tmp_path: Path):
    collection = Collection(str(tmp_path / "collection.anki2"))
    yield collection
    collection.close()


def copy(name: str) -> Path:
    return Path(shutil.copy(SHEETS / name, Path("source") / name))


def printed_characters(path: Path) -> set[str]:
    """Every character the sheet gives the page (variation selectors pick a presentation and print nothing)."""
    sheet = load(path)
    texts = [t.plain for t in sheet.texts()] + [d.label for d in sheet.domains]
    return {c for c in SELECTORS.sub("", "".join(texts)) if not c.isspace()}


def pdf_characters(pdf_path: Path) -> list[dict]:
    with pdfplumber.open(pdf_path) as pdf:
        return [c for page in pdf.pages for c in page.chars]


def header_text(pdf_path: Path) -> list[str]:
    """The header band of each page: what lies above the first section bar."""
    with pdfplumber.open(pdf_path) as pdf:
        # The band ends at the rule across the page (its chips may take a second row under the title).
        return [page.crop((0, 0, page.width, min(e["top"] for e in page.lines if e["width"] > page.width * 0.8)))
                .extract_text() or "" for page in pdf.pages]


def page_sizes(pdf_path: Path) -> list[tuple[int, int]]:
    with pdfplumber.open(pdf_path) as pdf:
        return [(round(page.width), round(page.height)) for page in pdf.pages]


def ids(col: Collection) -> set[str]:
    return {col.get_note(nid)["Id"] for nid in col.find_notes("")}


def card_text(col: Collection) -> str:
    return " ".join(visible_text(col.get_card(cid).question()) + " " + visible_text(col.get_card(cid).answer())
                    for cid in col.find_cards(""))


def test_chemistry_sheet_without_weights_in_its_own_print_settings(workdir, col):
    sheet = copy("chemistry.yaml")
    assert "the PDF fits 1 a4 page at" in run("check").output
    result = run("build")
    assert "dist/chemistry.pdf" in result.output and "a4" in result.output
    pdf = Path("dist/chemistry.pdf")

    sizes = page_sizes(pdf)
    assert set(sizes) == {tuple(round(v) for v in landscape(A4))}
    assert 1 <= len(sizes) <= 4
    # A sheet that fits fewer pages than its budget says so.
    assert re.search(rf"{len(sizes)} pages?( of \d+ allowed)?,", result.output)
    printed = "".join(c["text"] for c in pdf_characters(pdf))
    assert printed_characters(sheet) <= set(printed)
    for formula in ("ΔH−TΔS", "H₂O", "SO₄²⁻", "NH₄⁺", "[A]₀", "k[A]²", "Ca²⁺"):
        assert formula in printed.replace(" ", ""), formula
    headers = header_text(pdf)
    assert all("%" not in h for h in headers), headers
    assert all(chip in headers[0] for chip in ("D1 · Thermo", "D2 · Rates", "CPD · Cmpds")), headers[0]

    import_package(col, Path("dist/chemistry.apkg"))
    assert ids(col) == {
        "chemistry/free-energy/δg", "chemistry/δg-standard", "chemistry/free-energy/δs", "chemistry/free-energy/kp",
        "chemistry/rates/k", "chemistry/rates/t1-2", *(f"chemistry/rates/rows/{row}{column}" for row in (
            "zero", "first", "second") for column in ("", "/half-life")), "chemistry/common/h2o", "chemistry/common/co2", "chemistry/common/so42",
        "chemistry/common/nh4", "chemistry/common/traps/trap"}
    text = card_text(col)
    for formula in ("ΔG", "ΔH − TΔS", "H₂O", "SO₄²⁻", "NH₄⁺", "k[A]²", "Ca²⁺"):
        assert formula in text, formula
    decks = {d.name for d in col.decks.all_names_and_ids()}
    assert {"General Chemistry::D1 · Thermodynamics", "General Chemistry::D2 · Kinetics",
            "General Chemistry::CPD · Compounds"} <= decks
    assert not any("Weight" in col.decks.get(col.decks.id(name))["desc"] for name in decks)


def test_the_command_line_overrides_the_sheets_print_settings_and_names_the_variant(workdir):
    copy("chemistry.yaml")
    run("pdf", "--paper", "letter", "--pages", "1")
    assert page_sizes(Path("dist/chemistry.letter.pdf")) == [tuple(round(v) for v in landscape(letter))]
    run("pdf", "--paper", "a4", "--grayscale")
    assert Path("dist/chemistry.gray.pdf").is_file() and not Path("dist/chemistry.a4.gray.pdf").exists()
    assert not Path("dist/chemistry.pdf").exists()

    gray = Path("source/chemistry.yaml")
    gray.write_text(gray.read_text(encoding="utf-8").replace(
        "print: {paper: a4, pages: 4}", "print: {paper: a4, pages: 4, grayscale: true, columns: 3}"), encoding="utf-8")
    built = cheatdeck.build(gray, cheatdeck.Options(out=Path("dist")), kinds=("pdf",))
    assert built.outputs[0].path == Path("dist/chemistry.pdf") and built.outputs[0].details.columns == 3
    assert built.outputs[0].details.grayscale is True
    run("pdf", "--color", "--columns", "5")
    assert Path("dist/chemistry.color.pdf").is_file()
    # Asked again, the same request is up to date without reading the sheet.
    assert "up to date" in run("pdf", "--color", "--columns", "5").output


def test_japanese_sheet_with_kana_and_kanji_keys_and_rows_without_ids(workdir, col):
    sheet = copy("japanese.yaml")
    result = run("build")
    assert "dist/nihongo.pdf" in result.output
    pdf = Path("dist/nihongo.pdf")
    assert page_sizes(pdf) == [tuple(round(v) for v in landscape(letter))]

    chars = pdf_characters(pdf)
    assert printed_characters(sheet) <= {c["text"] for c in chars}
    for c in chars:
        if re.match(r"[\u3040-\u30ff\u4e00-\u9fff]", c["text"]):
            assert c["fontname"].endswith("+DroidSansFallback"), (c["text"], c["fontname"])
        elif c["text"].isascii() and c["text"].strip():
            assert "DejaVu" in c["fontname"], (c["text"], c["fontname"])
    assert "日本語の基本" in header_text(pdf)[0]

    import_package(col, Path("dist/nihongo.apkg"))
    assert ids(col) == {"nihongo/time/今日", "nihongo/time/明日", "nihongo/time/昨日", "nihongo/time/カタカナ",
                        *(f"nihongo/particles/rows/{row}{column}" for row in "はをに" for column in ("", "/例"))}
    text = card_text(col)
    assert all(word in text for word in ("今日", "きょう — today", "カタカナ", "私は学生です", "学校に行く"))


LONG_JAPANESE = ("五段動詞のて形は語尾によって変わり、「う・つ・る」で終わる動詞は「って」、「む・ぶ・ぬ」で終わる動詞は"
                 "「んで」になるが、「行く」だけは例外として「行って」になる（subject marker）ことを覚えておこう。")


def test_japanese_breaks_between_characters_not_before_closing_marks_nor_inside_latin_words(workdir):
    sheet = copy("japanese.yaml")
    text = sheet.read_text(encoding="utf-8").replace('          - "今日: きょう — today"\n',
                                                     f'          - "今日: きょう — today"\n          - "長文: {LONG_JAPANESE}"\n')
    text = text.replace("            - [は, topic, 私は学生です]\n", f"            - [は, topic, {LONG_JAPANESE[:44]}]\n")
    sheet.write_text(text, encoding="utf-8")
    built = cheatdeck.build(sheet, cheatdeck.Options(out=Path("dist")), kinds=("pdf",))
    details = built.outputs[0].details
    page_geometry = geometry(details.paper, details.body_size, REPO / "templates", sheet)
    with pdfplumber.open("dist/nihongo.pdf") as pdf:
        lines = [line for column in column_ranges(page_geometry)
                 for line in body_lines(pdf.pages[0], column, page_geometry)]
    start = next(i for i, line in enumerate(lines) if "長文" in line["text"])
    bullet = []
    for line in lines[start:]:
        bullet.append(line["text"])
        if line["text"].endswith("。"):
            break
    assert len(bullet) > 3 and squash("".join(bullet)) == squash(f"• 長文: {LONG_JAPANESE}")
    assert all(not line.startswith(tuple("、。」）↪")) for line in bullet[1:]), bullet
    assert all(not line.endswith(tuple("「（")) for line in bullet), bullet
    assert any("（subject" in line for line in bullet) and any("marker）" in line for line in bullet), bullet
    # The table's long cell breaks between its characters too: the table keeps the body's size.
    table = lines[next(i for i, line in enumerate(lines) if line["text"].startswith("助詞")) + 1:]
    cell = [c for line in table for c in line["chars"] if c["text"] in LONG_JAPANESE]
    assert len(cell) > 40 and {round(c["size"], 2) for c in cell} == {round(details.body_size, 2)}


CHINESE_TABLE = """\
id: zhongwen
title: 机器学习基础
version: "1"
language: zh
domains:
  - id: jichu
    name: 基础概念
    sections:
      - id: guonihe
        title: 过拟合
        bullets:
          - "过拟合：模型在训练集上表现很好，但在测试集上表现较差，通常是因为模型过于复杂或者训练数据太少。"
          - "交叉验证：把数据分成 k 份，轮流用其中一份做验证集，其余做训练集，最后取平均值作为模型的估计。"
          - "引号：老师说“先看验证误差”然后说“再看测试误差”并且说“不要只看训练误差”最后说“好”。"
          - "配置：训练任务用AmazonSageMakerTrainingJobConfigurationParameterValue设置，再开始。"
          - {id: ratio, text: "Aspect ratio 16：9 is widescreen", q: Which aspect ratio is widescreen?}
          - "GPU：图形处理器，训练深度模型时用来并行计算。"
        table:
          columns: [方法, 作用, 注意]
          rows:
            - [早停, 在验证误差开始上升时停止训练, 需要单独的验证集]
            - [Dropout, 训练时随机丢弃神经元，减少神经元之间的共适应, 推理时不丢弃]
"""


def test_a_chinese_key_ends_with_its_fullwidth_colon_and_no_line_starts_with_a_closing_mark(workdir, col):
    Path("source").mkdir(exist_ok=True)
    Path("source/zh.yaml").write_text(CHINESE_TABLE, encoding="utf-8")
    run("build")
    pdf = Path("dist/zhongwen.pdf")
    page_geometry = geometry("letter", cheatdeck.build(Path("source/zh.yaml"), cheatdeck.Options(out=Path("dist")),
                                                       kinds=("pdf",)).outputs[0].details.body_size,
                             REPO / "templates", Path("source/zh.yaml"))
    with pdfplumber.open(pdf) as opened:
        lines = [line["text"] for column in column_ranges(page_geometry)
                 for line in body_lines(opened.pages[0], column, page_geometry)]
    assert any(line.startswith("• 过拟合：模型") for line in lines), lines
    assert not any(line.startswith(tuple("，。：；！？）」”")) or line.endswith(tuple("“（(")) for line in lines), lines
    # A Latin identifier among Chinese breaks at its joints, behind the continuation mark, as it does in Latin text.
    assert any(line.startswith("↪") and line[1:].startswith(("Training", "Job", "Configuration", "Parameter"))
               for line in lines), lines
    assert "".join(lines).count("↪") == squash(" ".join(lines)).count("↪")
    bold = {c["text"] for c in pdf_characters(pdf) if "Bold" in c["fontname"] or c["text"] == "："}
    assert "：" in {c["text"] for c in pdf_characters(pdf)} and "\ufffd" not in bold
    import_package(col, Path("dist/zhongwen.apkg"))
    # The card asks the key and answers the value.
    sides = {(visible_text(col.get_card(cid).question()), visible_text(col.get_card(cid).answer()))
             for cid in col.find_cards("")}
    assert any(q.endswith(" 过拟合") and a.endswith("过拟合 模型在训练集上表现很好，但在测试集上表现较差，"
                                                 "通常是因为模型过于复杂或者训练数据太少。") for q, a in sides), sides
    assert ids(col) >= {"zhongwen/guonihe/过拟合", "zhongwen/guonihe/交叉验证", "zhongwen/guonihe/gpu"}
    # A fullwidth colon after Latin text is a character of the text, not the end of a key.
    ratio = next(f for f in load(Path("source/zh.yaml")).domains[0].sections[0].facts if f.ident == "ratio")
    assert ratio.key is None and "Aspectratio16：9iswidescreen" in squash("".join(lines)), lines


def test_a_chinese_phrase_is_no_word_a_table_keeps_whole(workdir):
    """Chinese writes a phrase without spaces: the third column's short phrases do not take the room the second's
    long one needs, leaving it a character a line."""
    Path("source").mkdir(exist_ok=True)
    Path("source/zh.yaml").write_text(CHINESE_TABLE, encoding="utf-8")
    cheatdeck.build(Path("source/zh.yaml"), cheatdeck.Options(out=Path("dist")), kinds=("pdf",))
    only_second = set("随神经元减少之间共适应")  # in no other cell nor title
    tops = {round(c["top"]) for c in pdf_characters(Path("dist/zhongwen.pdf")) if c["text"] in only_second}
    assert 0 < len(tops) <= 5, sorted(tops)


def test_japanese_around_a_display_formula_prints_in_the_font_that_has_it(workdir):
    sheet = copy("japanese.yaml")
    formula = "'MSE: 平均二乗誤差は次の式で計算される。$$\\frac{1}{n}\\sum_i (y_i - \\hat y_i)^2$$ これは回帰で使われる。'"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace('          - "今日: きょう — today"\n',
                                                               f'          - "今日: きょう — today"\n          - {formula}\n'),
                     encoding="utf-8")
    cheatdeck.build(sheet, cheatdeck.Options(out=Path("dist")), kinds=("pdf",))
    printed = {c["text"]: c["fontname"] for c in pdf_characters(Path("dist/nihongo.pdf"))}
    assert all(printed.get(char, "").endswith("+DroidSansFallback") for char in "平均二乗誤差回帰"), printed


def test_a_vocabulary_table_of_japanese_terms_english_glosses_and_japanese_sentences_keeps_to_one_column(workdir):
    Path("source").mkdir(exist_ok=True)
    Path("source/ja.yaml").write_text("""\
id: jatable
title: 表のテスト
version: "1"
language: ja
domains:
  - id: d1
    name: 基礎
    sections:
      - id: s1
        title: 混在表
        table:
          columns: [用語, English, 説明]
          rows:
            - [勾配降下法, gradient descent optimizer for neural network training, 損失関数の勾配に沿ってパラメータを少しずつ更新していく最適化手法である]
            - [学習率, learning rate, 一回の更新でどれだけ進むかを決めるハイパーパラメータ（大きすぎると発散する）]
            - [バッチ正規化, batch normalization, 各ミニバッチで活性化を正規化し学習を安定させる]
            - [早期終了, early stopping, 検証損失が改善しなくなったら止める]
""", encoding="utf-8")
    built = cheatdeck.build(Path("source/ja.yaml"), cheatdeck.Options(out=Path("dist")), kinds=("pdf",))
    _, right = column_ranges(geometry("letter", built.outputs[0].details.body_size, REPO / "templates",
                                      Path("source/ja.yaml")))[0]
    chars = pdf_characters(Path("dist/jatable.pdf"))
    # The sentences' column is given room (its terms and glosses give way), not left two characters a line.
    head = next(c for c in chars if c["text"] == "説")
    third = [c for c in chars if head["x0"] - 1 <= c["x0"] < right and c["top"] > head["bottom"]]
    per_line = [sum(1 for c in third if round(c["top"]) == top) for top in {round(c["top"]) for c in third}]
    assert max(per_line) >= 4, per_line


def test_emoji_and_symbols_print_in_the_symbol_font(workdir, col):
    sheet = copy("emoji.yaml")
    run("build")
    pdf = Path("dist/lab-safety.pdf")
    assert page_sizes(pdf) == [tuple(round(v) for v in landscape(letter))]
    chars = pdf_characters(pdf)
    assert printed_characters(sheet) <= {c["text"] for c in chars}
    fonts = {c["text"]: c["fontname"] for c in chars}
    # Each in the first font that has it: DejaVu has the alembic and the radioactive sign.
    assert all(fonts[e].endswith("+NotoEmoji-Regular") for e in "🔥✅") and "DejaVu" in fonts["⚗"], fonts

    import_package(col, Path("dist/lab-safety.apkg"))
    assert ids(col) == {"lab-safety/signs/fire", "lab-safety/signs/alembic", "lab-safety/signs/radioactive-sign",
                        "lab-safety/signs/goggles"}
    text = card_text(col)
    assert all(e in text for e in ("🔥", "⚗️", "☢", "★", "✅"))


# One emoji first encoded in each version of Unicode from 6.0 to 15.0.
EMOJI_BY_VERSION = {"6.0": "🔥", "7.0": "🙂", "8.0": "🤔", "9.0": "🥑", "10.0": "🦒", "11.0": "🧪", "12.0": "🥱",
                    "13.0": "🫐", "14.0": "🫠", "15.0": "🩷"}


def test_every_emoji_from_unicode_6_to_15_prints_in_the_emoji_font_and_reads_back(workdir):
    sheet = copy("emoji.yaml")
    bullets = "".join(f'          - "Unicode {version}: {emoji}"\n'
                      for version, emoji in EMOJI_BY_VERSION.items())
    text = sheet.read_text(encoding="utf-8").replace("        bullets:\n", "        bullets:\n" + bullets, 1)
    sheet.write_text(text, encoding="utf-8")
    run("pdf")
    chars = pdf_characters(Path("dist/lab-safety.pdf"))
    fonts = {c["text"]: c["fontname"] for c in chars}
    assert {emoji: fonts.get(emoji, "").partition("+")[2] for emoji in EMOJI_BY_VERSION.values()} == \
        dict.fromkeys(EMOJI_BY_VERSION.values(), "NotoEmoji-Regular")
    with pdfplumber.open("dist/lab-safety.pdf") as pdf:
        extracted = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    for version, emoji in EMOJI_BY_VERSION.items():
        assert f"Unicode {version}: {emoji}" in extracted


def test_a_character_no_font_has_is_one_error_naming_every_line_and_the_fonts_tried(workdir):
    sheet = copy("emoji.yaml")
    text = sheet.read_text(encoding="utf-8").replace("flammable", "flammable 𓀀").replace("restricted", "𓀀 restricted")
    sheet.write_text(text, encoding="utf-8")
    result = run("pdf", code=1)
    errors = [line for line in result.output.splitlines() if "𓀀" in line]
    lines = [i for i, line in enumerate(text.splitlines(), 1) if "𓀀" in line]
    assert len(errors) == 1, result.output
    assert errors[0].startswith(f"Error: source/emoji.yaml:{lines[0]}:")
    assert (f"no font has a glyph for '𓀀' (U+13000 EGYPTIAN HIEROGLYPH A001, on lines {lines[0]}, {lines[1]}): "
            "tried DejaVuSansCondensed, DroidSansFallback, NotoEmoji-Regular, Symbola") in errors[0]
    assert not Path("dist/lab-safety.pdf").exists()


def test_a_long_sheet_prints_within_the_budget_it_is_given(workdir):
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import synth
    finally:
        sys.path.pop(0)
    import yaml

    source = Path("source/long.yaml")
    data = synth.sheet(1500)
    data["print"] = {"pages": 60}
    source.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=200), encoding="utf-8")
    result = run("pdf")
    with pdfplumber.open("dist/synthetic-1500.pdf") as pdf:
        pages = len(pdf.pages)
    assert 2 < pages <= 60 and f"{pages} pages" in result.output
    assert "does not fit on 2 page(s)" in run("pdf", "--pages", "2", code=1).output


def test_a_fallback_font_by_path_and_one_that_is_missing(workdir):
    templates = Path(shutil.copytree(REPO / "templates", "theme"))
    theme = templates / "pdf" / "theme.yaml"
    text = theme.read_text(encoding="utf-8")
    moved = shutil.move(templates / "fonts" / "DroidSansFallbackFull.ttf", workdir / "cjk.ttf")
    theme.write_text(text.replace("- DroidSansFallbackFull.ttf", f"- {moved}"), encoding="utf-8")
    copy("japanese.yaml")
    run("pdf", "--templates", templates)
    assert any(c["fontname"].endswith("+DroidSansFallback") for c in pdf_characters(Path("dist/nihongo.pdf")))

    theme.write_text(text, encoding="utf-8")
    result = run("pdf", "--templates", templates, code=1)
    assert f"{theme}: no font file '{templates / 'fonts' / 'DroidSansFallbackFull.ttf'}'" in result.output


def test_fallback_runs_in_markup_sit_inside_the_tags_around_them(workdir):
    from cheatdeck.pdf.fonts import fonts_for
    from cheatdeck.pdf.theme import load_theme

    templates = REPO / "templates"
    sheet = load(copy("japanese.yaml"))
    fonts, _ = fonts_for(load_theme(templates / "pdf" / "theme.yaml"), templates / "fonts", sheet)
    name = fonts.fallback.fallbacks[0].fontName
    assert name.startswith("cd-DroidSansFallbackFull-")  # named by the file's content
    cjk = f'<font name="{name}">'
    assert fonts.fallback.markup("<b>今日</b> &lt; <font color='#fff'>日本</font> 語 x") == (
        f"<b>{cjk}今日</font></b> &lt; <font color='#fff'>{cjk}日本</font></font> {cjk}語 </font>x")


def test_twelve_domains_keep_the_title_and_their_chips_on_the_page(workdir):
    import yaml

    domains = [{"id": f"part{i}", "name": f"Part number {i}", "short": f"Short name {i}", "color": "#16365c",
                "sections": [{"id": f"s{i}", "title": f"Section {i}", "bullets": [f"Key {i}: value {i}"]}]}
               for i in range(1, 13)]
    Path("source/twelve.yaml").write_text(yaml.safe_dump(
        {"id": "twelve", "title": "Twelve domains", "version": "1", "domains": domains}), encoding="utf-8")
    run("pdf")
    with pdfplumber.open("dist/twelve.pdf") as pdf:
        page = pdf.pages[0]
        band = [w for w in page.extract_words() if w["top"] < 40]
    assert [w["text"] for w in band if w["text"].startswith("D")] == [f"D{i}" for i in range(1, 13)]
    assert {"Twelve", "domains"} <= {w["text"] for w in band}
    assert min(w["x0"] for w in band) >= 0 and max(w["x1"] for w in band) <= page.width
