"""The printed laminate read back with pdfplumber (issue 24): sections that stay together, columns that are all
used, short sheets that fill their page, code and identifiers that break only where a reader can follow, a
long word kept in its own cell, the quick reference without repeats, and the band, TRAP tint and padding."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SHIPPED
from pdf_helpers import body_lines, column_ranges, geometry

from cheatdeck import colors
from cheatdeck.cli import cli
from cheatdeck.options import TEMPLATES
from cheatdeck.pdf.theme import load_theme
from cheatdeck.source.compile import load

LAMINATE = FIXTURES / "laminate"
THEME = load_theme(TEMPLATES / "pdf" / "theme.yaml")
VARIANTS = [("letter", False), ("letter", True), ("a4", False), ("a4", True)]


def _build(source: Path, out: Path, *args: str) -> tuple[Path, float, str]:
    result = CliRunner().invoke(cli, ["--source", str(source), "--out", str(out), *args, "pdf"])
    assert result.exit_code == 0, result.output
    size = float(result.output.split("body ")[1].split(" pt")[0])
    return next(out.glob("*.pdf")), size, result.output


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """The shipped sheet on Letter and A4, in colour and in gray."""
    root = tmp_path_factory.mktemp("laminate")
    shutil.copy(SHIPPED, root / SHIPPED.name)
    return {(paper, gray): _build(root / SHIPPED.name, root / f"{paper}-{gray}", "--paper", paper,
                                  "--grayscale" if gray else "--color")
            for paper, gray in VARIANTS}


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    """The test sheets: a short one (also on three columns), commands, a long word in a table, identifiers, and a
    very short one (18 facts)."""
    root = tmp_path_factory.mktemp("own")
    built = {}
    for name, args in (("short", ()), ("short3", ("--columns", "3")), ("commands", ()), ("longword", ()),
                       ("camel", ()), ("brief", ())):
        source = root / name / f"{name.rstrip('3')}.yaml"
        source.parent.mkdir()
        shutil.copy(LAMINATE / source.name, source)
        built[name] = _build(source, root / name / "out", *args)
    return built


def _fills(output: str) -> list[float]:
    line = next(line for line in output.splitlines() if "column fill, page by page:" in line)
    return [float(f) for f in re.findall(r"\d+(?:\.\d+)?", line.split(":")[1])]


def _bars(page, column, fills: set[tuple]) -> list[dict]:
    """The section bars of a column: filled, column-wide rectangles in a domain's colour."""
    return sorted((r for r in page.rects if abs(r["x0"] - column[0]) < 1 and r["width"] > (column[1] - column[0]) * 0.95
                   and tuple(round(c, 2) for c in (r.get("non_stroking_color") or ())) in fills),
                  key=lambda r: r["top"])


def _bar_fills(gray: bool) -> set[tuple]:
    out = set()
    for domain in load(SHIPPED).domains:
        hexed = colors.gray(domain.color) if gray else domain.color
        rgb = tuple(round(c / 255, 2) for c in colors.rgb(hexed))
        out |= {rgb, rgb[:1]}
    return out


def _columns(path: Path, paper: str, size: float, sheet: Path = SHIPPED):
    """Page by page, column by column: (page, column range, lines)."""
    page_geometry = geometry(paper, size, TEMPLATES, sheet)
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            for column in column_ranges(page_geometry):
                yield number, page, column, body_lines(page, column, page_geometry), page_geometry


# 1. Blocks that stay together ---------------------------------------------------------------------------


@pytest.mark.parametrize("paper, gray", VARIANTS)
def test_no_section_crosses_the_flip_and_bars_carry_their_body(shipped, paper, gray):
    """Every section of the shipped sheet is shorter than a column: none continues on the next page (only the
    quick reference does); every bar has two lines under it; a "(cont.)" bar carries two lines of its
    section's own body before any TRAP."""
    path, size, _ = shipped[paper, gray]
    fills = _bar_fills(gray)
    bars_seen = 0
    for number, page, column, lines, _ in _columns(path, paper, size):
        bars = _bars(page, column, fills)
        bars_seen += len(bars)
        if number > 1 and column[0] == column_ranges(geometry(paper, size, TEMPLATES))[0][0]:
            first_bar = bars[0]["top"] if bars else 1e9
            before = [line["text"] for line in lines if line["bottom"] <= first_bar + 1]
            assert not before or "Service / Key Facts" in before[0], (number, before[:3])
        for i, bar in enumerate(bars):
            end = bars[i + 1]["top"] if i + 1 < len(bars) else 1e9
            under = [line["text"] for line in lines if bar["bottom"] - 1 <= line["top"] and line["bottom"] <= end]
            inside = " ".join(line["text"] for line in lines if bar["top"] - 1 <= line["top"] < bar["bottom"] - 1)
            assert len(under) >= 2, (number, inside, under)
            if "(cont.)" in inside:
                body = next((k for k, text in enumerate(under) if text.startswith("⚠ TRAP")), len(under))
                assert body >= 2, (number, inside, under)
    assert bars_seen >= sum(len(d.sections) for d in load(SHIPPED).domains)


def test_a_trap_stays_with_its_section_on_a4(shipped):
    """The A4 review found the Model Monitor table on the front and its TRAP on the back."""
    path, size, _ = shipped["a4", False]
    pages = {}
    for number, _, _, lines, _ in _columns(path, "a4", size):
        for line in lines:
            pages.setdefault(line["text"], number)
    monitor = next(p for text, p in pages.items() if "Model Monitor — 4 Types" in text)
    trap = next(p for text, p in pages.items() if text.startswith("⚠ TRAP All 4 monitor types"))
    assert monitor == trap


# 2. Every column used -----------------------------------------------------------------------------------


def _ink_fills(path: Path, paper: str, size: float) -> list[float]:
    """Every column's fill read back, page by page: where its lowest ink (a glyph, a rule, a box) ends, in per
    cent of the frame's height."""
    page_geometry = geometry(paper, size, TEMPLATES)
    fills = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            top, bottom = page.height - page_geometry.frame_top, page.height - page_geometry.frame_bottom
            for x0, x1 in column_ranges(page_geometry):
                ends = [o["bottom"] for o in page.chars + page.rects + page.lines if x0 - 0.5 <= o["x0"]
                        and o["x1"] <= x1 + 0.5 and top - 1 <= o["top"] and o["bottom"] <= bottom + 5]
                fills.append(100 * (max(ends, default=top) - top) / page_geometry.frame_h)
    return fills


@pytest.mark.parametrize("paper, gray", VARIANTS)
def test_every_column_is_used_and_reported(shipped, paper, gray):
    """Every column's ink reaches 90 % of the frame, the last page's last column included, and the report prints
    each column's fill as read back here; gray is laid out as colour is."""
    path, size, output = shipped[paper, gray]
    reported, measured = _fills(output), _ink_fills(path, paper, size)
    assert len(reported) == len(measured) == 2 * THEME.columns
    assert min(measured) >= 90, [round(f, 1) for f in measured]
    assert all(abs(r - m) <= 1 for r, m in zip(reported, measured)), (reported, measured)
    assert f"emptiest column {min(reported):.0f} % full" in output
    assert reported == _fills(shipped[paper, not gray][2])
    # Justified, not merely near the foot: most columns end on the frame's last line, to the point.
    assert sum(f >= 99.5 for f in measured) >= 6, measured


# 3. Short sheets fill their paper --------------------------------------------------------------------------


@pytest.mark.parametrize("name, columns", [("short", 4), ("short3", 3)])
def test_a_short_sheet_grows_to_fill_its_page(own, name, columns):
    path, size, output = own[name]
    assert THEME.body.ceiling < size <= THEME.body.grow
    assert "1 page of 2 allowed" in output
    fills = _fills(output)
    assert len(fills) == columns
    assert sum(fills) / columns >= 85 and min(fills) >= 60, fills
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) == 1


def test_a_very_short_sheet_ends_its_columns_level(own):
    """18 facts take about 1.3 columns at the ceiling: their three sections stay whole in two columns (over three or
    four, they would end less level), and the two end within one of their bullets (three lines and a gap) of each
    other, not at 99 % and 33 %."""
    path, size, output = own["brief"]
    assert size == THEME.body.grow
    fills = _fills(output)
    assert fills[2:] == [0, 0] and min(fills[:2]) > 0, fills
    line = 100 * size * THEME.body.leading / geometry("letter", size, TEMPLATES, LAMINATE / "brief.yaml").frame_h
    assert abs(fills[0] - fills[1]) <= 4 * line, fills


# 4. Breaking rules for code and identifiers ---------------------------------------------------------------


def _lines_of(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [line["text"] for page in pdf.pages for line in
                page.extract_text_lines(strip=True, layout=False)]


def _column_lines(built, sheet: Path) -> list[str]:
    path, size, _ = built
    return [line["text"] for *_, lines, _ in _columns(path, "letter", size, sheet) for line in lines]


def _joined(lines: list[str]) -> str:
    """The lines with every marked break undone: a piece and its continuation ("↪…") joined."""
    return re.sub(r"\n *↪ ?", "", "\n".join(lines))


def test_code_breaks_only_after_a_separator_and_marks_it(own):
    lines = _column_lines(own["commands"], LAMINATE / "commands.yaml")
    text = "\n".join(lines)
    marked = [i for i, line in enumerate(lines) if line.lstrip().startswith("↪")]
    assert len(marked) >= 6
    for i in marked:
        # In running text a code word breaks after / = , - . ; a code block's line also at a space.
        assert re.search(r"[/=,.\-]$", lines[i - 1]) or "↪ " in lines[i], (lines[i - 1], lines[i])
    joined = _joined(lines)
    for token in ("--ignore-daemonsets", "--delete-emptydir-data", "--grace-period=120", "/opt/backup.db",
                  "--cacert=/etc/kubernetes/pki/etcd/ca.crt", "/etc/kubernetes/manifests/etcd.yaml",
                  "--data-dir=/var/lib/etcd-from-backup", "--namespace=production-eu-west",
                  "--cert-dir=/etc/kubernetes/pki"):
        assert token in joined.replace("\n", " ").replace("  ", " ") or token in joined, token
    # Nothing broke unmarked: no line ends inside a flag or path segment that goes on on the next line.
    for flag in ("--ignore-daemonset", "/op", "ca.cr", "--grace-perio"):
        assert not re.search(re.escape(flag) + r"\n[^↪ ]", text), flag
    # A code block's continuation keeps the line's indentation: the openssl line was indented two spaces.
    with pdfplumber.open(own["commands"][0]) as pdf:
        words = pdf.pages[0].extract_words()
    openssl = next(w for w in words if w["text"] == "openssl")
    kubeadm = next(w for w in words if w["text"] == "kubeadm")
    arrows = [w for w in words if w["text"].startswith("↪") and abs(w["x0"] - openssl["x0"]) < 0.5]
    assert openssl["x0"] > kubeadm["x0"] + 1 and arrows


def test_identifiers_break_only_when_too_wide_at_a_joint_with_a_mark(own):
    lines = _column_lines(own["camel"], LAMINATE / "camel.yaml")
    joined = _joined(lines)
    for whole in ("VolumeKmsKeyId", "OutputDataConfig.KmsKeyId", "CreateTrainingJob", "ClusterRoleBinding"):
        assert any(whole in line for line in lines), whole
    for long in ("EnableNetworkIsolationForTrainingContainersWithoutInternetAccess",
                 "IDENTICAL_DATA_AND_ALGORITHM_SPECIFICATION_REQUIREMENT",
                 "ProductionVariantServerlessConfigMaxConcurrency"):
        assert long in joined, long
        assert not any(long in line for line in lines)
    for i, line in enumerate(lines):
        if line.startswith("↪"):
            before, after = lines[i - 1], line[1:]
            assert before[-1] in "._/" or (before[-1].islower() and after[0].isupper()), (before, line)


def test_a_long_word_breaks_in_its_own_cell_and_short_words_stay_whole(own):
    lines = _column_lines(own["longword"], LAMINATE / "longword.yaml")
    words = {w for line in lines for w in line.replace("↪", " ").split()}
    for short in ("Infinitivo", "Ejemplo", "tener", "tengo", "poner", "pongo", "hacer", "hago", "componer",
                  "compongo", "música", "decir", "digo", "perro", "mesa", "tarea", "verdad", "larguísima"):
        assert short in words, short
    long = "supercalifragilisticexpialidociousantidisestablishmentarianism"
    assert long not in words
    first = next(line for line in lines if line.startswith("supercal"))
    following = lines[lines.index(first) + 1:]
    assert following[0].startswith("↪")
    assert re.sub(r"[^a-z]", "", first.split()[0] + "".join(l.split()[0] for l in following[:3])).startswith(long)


# 6. The quick reference without the repeats --------------------------------------------------------------


def test_the_compact_quick_reference_drops_what_the_sheet_says(tmp_path):
    text = SHIPPED.read_text(encoding="utf-8")
    outputs = {}
    for mode in ("full", "compact", "none"):
        source = tmp_path / mode / SHIPPED.name
        source.parent.mkdir()
        source.write_text(text + f"print:\n  quick_reference: {mode}\n", encoding="utf-8")
        path, size, _ = _build(source, tmp_path / mode / "out")
        outputs[mode] = (size, "\n".join(_lines_of(path)))
    rule = "First request per model = slow cold load"  # the MME row's rule repeats its trap word for word
    assert outputs["full"][1].count("slow cold") == 2 and outputs["compact"][1].count("slow cold") == 1
    assert "Master Quick Reference" in outputs["compact"][1] and "Master Quick Reference" not in outputs["none"][1]
    # Every rule a trap does not print is kept.
    assert "Offline for training" in outputs["compact"][1] and rule.split()[0] in outputs["compact"][1]
    # Less to print, a larger body.
    assert outputs["full"][0] < outputs["compact"][0] < outputs["none"][0]


def test_the_default_is_compact():
    assert load(SHIPPED).print.quick_reference == "compact"


# 7. Hierarchy and finish ---------------------------------------------------------------------------------


@pytest.mark.parametrize("paper, gray", VARIANTS)
def test_title_chips_tint_and_padding(shipped, paper, gray):
    path, size, _ = shipped[paper, gray]
    sheet = load(SHIPPED)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        title = [c for c in page.chars if c["top"] < 60 and c["text"] == sheet.title.plain[0]]
        assert max(c["size"] for c in title) >= 1.5 * size
        # The chips wrapped to a row of their own under the title.
        title_bottom = max(c["bottom"] for c in page.chars if c["size"] >= 1.5 * size)
        chip = next(w for w in page.extract_words() if w["text"] == sheet.domains[0].label)
        assert chip["top"] > title_bottom
        _tint_and_padding(page, size, gray)


def _gray_of(rect) -> float:
    color = rect.get("non_stroking_color") or (1,)
    return 255 * (color[0] if len(color) == 1 else 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2])


def _tint_and_padding(page, size: float, gray: bool) -> None:
    tabs = [w for w in page.extract_words() if w["text"] == "TRAP"]
    assert tabs
    boxes = [r for r in page.rects if r["height"] > size * 1.5 and any(
        r["x0"] - 1 <= t["x0"] <= r["x1"] and r["top"] <= t["top"] <= r["bottom"] for t in tabs)
        and r["width"] > 100]
    zebra = THEME.palette.zebra
    zebra_level = colors.rgb(colors.gray(zebra))[0]
    for box in boxes:
        level = _gray_of(box)
        assert level < 250, "the TRAP box is tinted"
        assert abs(level - zebra_level) >= 20, (level, zebra_level)
    assert boxes
    # The tab and the rule: dark rectangles at the box's left edge and under the "TRAP" word.
    thin = [r for r in page.rects if r["width"] < size * 0.3 and r["height"] > size]
    assert thin
    # Table cells: at least 2.5 pt from the rule on the left, and as much room above the text as below it in
    # every one-line zebra row.
    zebras = [r for r in page.rects if round(_gray_of(r)) == zebra_level and r["height"] < size * 2]
    assert zebras
    for row in zebras:
        chars = [c for c in page.chars if row["top"] <= c["top"] and c["bottom"] <= row["bottom"]
                 and row["x0"] <= c["x0"] <= row["x1"] and c["text"].strip()]
        if not chars:
            continue
        assert min(c["x0"] for c in chars) - row["x0"] >= 2.5
        above = min(c["top"] for c in chars) - row["top"]
        below = row["bottom"] - max(c["bottom"] for c in chars)
        assert abs(above - below) <= 1.0, (above, below)


# The flow itself, on blocks of known heights ---------------------------------------------------------------


def _flow(per_page: int = 2, frame: float = 100.0):
    from cheatdeck.pdf.columns import Flow
    from cheatdeck.pdf.theme import Spacing

    return Flow(frame, Spacing(section=0.0, block=0.0, item=0.0, bar=0.0), 10.0, per_page, 10.0)


def _unit(title: str, heights: list[float], traps: int = 0, may_cross: bool = False):
    from cheatdeck.pdf.columns import Block, Unit

    items = [Block(f"{title}{i}", h) for i, h in enumerate(heights)]
    items += [Block(f"{title}-trap{i}", 20.0, boxed=True, trap=True) for i in range(traps)]
    return Unit(title, None, lambda continued: Block(f"{title}-bar{continued}", 10.0), items, may_cross)


def _placed(flow) -> list[list[list[str]]]:
    flow.finish()
    return [[[name for _, name in column] for column in page] for page in flow.placed()]


def test_a_section_that_would_cross_the_flip_starts_the_next_page():
    flow = _flow()
    flow.add(_unit("a", [40, 40, 40]))  # bar + 120: column 1 and part of column 2
    flow.add(_unit("b", [20, 20, 20, 20]))  # would go on from page 1's last column to page 2
    pages = _placed(flow)
    assert len(pages) == 2
    assert not any(name.startswith("b") for column in pages[0] for name in column)
    assert pages[1][0][0] == "b-barFalse"


def test_the_quick_reference_and_a_section_taller_than_a_column_may_cross():
    for unit in (_unit("q", [20, 20, 20, 20], may_cross=True), _unit("t", [30] * 5)):
        flow = _flow()
        flow.add(_unit("a", [40, 40, 40]))
        flow.add(unit)
        pages = _placed(flow)
        title = unit.title
        assert any(name.startswith(title) for name in pages[0][1]) and \
            any(name.startswith(title) for name in pages[1][0]), pages


def test_a_continued_part_holds_two_lines_of_body_and_a_trap_stays_with_it():
    flow = _flow(per_page=3)
    flow.add(_unit("a", [50, 20]))  # bar + 70 of 100
    flow.add(_unit("b", [10, 10, 10], traps=1))  # 20 left: a split would leave "b" a bar and one line
    pages = _placed(flow)
    first, second = pages[0][0], pages[0][1]
    assert not any(name.startswith("b") for name in first)
    assert second[:2] == ["b-barFalse", "b0"]
    flow = _flow(per_page=3)
    flow.add(_unit("a", [40]))  # bar + 40: 50 left
    flow.add(_unit("c", [10, 10, 10, 10], traps=1))  # bar + 40 + 20: fits but for the trap
    # As poured (a page this short is poured again into level columns once finished, where "c" moves whole).
    continued = next([piece.flowable for piece in column.pieces] for column in flow.columns
                     if "c-barTrue" in [piece.flowable for piece in column.pieces])
    assert sum(name.startswith("c") and "trap" not in name and "bar" not in name for name in continued) >= 2


def test_a_column_short_of_content_stretches_its_gaps_no_further_than_their_caps():
    """A column of few gaps ends short rather than gappy: a line of 10 lets a bullet gap grow by 2.5 at most."""
    from cheatdeck.pdf.columns import STRETCH, STRETCH_CAP

    flow = _flow()
    flow.add(_unit("a", [40, 40]))  # bar + 80: column 1, one bullet gap
    flow.add(_unit("b", [5, 5, 5]))  # bar + 15 in column 2, two bullet gaps
    flow.finish()
    assert [c.used for c in flow.pages[0]] == [90, 25]
    grow = STRETCH_CAP * 10 * STRETCH["item"]
    assert flow.fills() == [pytest.approx(0.9 + grow / 100), pytest.approx(0.25 + 2 * grow / 100)]
    (first, second), = flow.placed()
    assert [y for y, _ in second] == pytest.approx([0, 10, 15 + grow, 20 + 2 * grow])


def test_the_last_page_break_moves_back_to_even_the_pages():
    """Nine sections of 25 fill page 1's two columns and leave one on page 2: settled, page 2 takes three of
    page 1's, so that both pages are more than half full and use both columns; every section stays whole and in
    order."""
    flow = _flow()
    for title in "abcdefghi":
        flow.add(_unit(title, [15]))
    flow.finish()
    assert [len(column.starts) for page in flow.pages for column in page] == [4, 4, 1]
    flow.settle()
    assert [len(column.starts) for page in flow.pages for column in page] in ([3, 2, 2, 2], [2, 3, 2, 2])
    pages = _placed(flow)
    names = [name for page in pages for column in page for name in column]
    assert names == [f"{t}{suffix}" for t in "abcdefghi" for suffix in ("-barFalse", "0")]


def test_a_page_less_than_half_full_keeps_its_sections_whole():
    """Sections of 90 and 40 take two columns of four: poured whole, each keeps a column of its own (90 and 40)
    rather than the first continuing in the second for two columns of 70; no column is spread to the foot and
    none of the other two is used."""
    flow = _flow(per_page=4)
    flow.add(_unit("a", [10] * 8))
    flow.add(_unit("b", [10] * 3))
    flow.finish()
    assert [column.used for column in flow.pages[0]] == [90, 40]
    assert flow.fills() == [0.9, 0.4, 0.0, 0.0]


def test_a_page_with_columns_to_spare_splits_no_section_its_natural_flow_would():
    """Sections of 60, 70 and 30 on four columns of 100: poured at the frame's height, "b" fills the first
    column's last 40 and continues in the second under a "(cont.)" bar. Two columns are free, so every section
    stays whole, each in one column."""
    flow = _flow(per_page=4)
    for unit in (_unit("a", [10] * 5), _unit("b", [10] * 6), _unit("c", [10] * 2)):
        flow.add(unit)
    (page,) = _placed(flow)
    assert not any(name.endswith("-barTrue") for column in page for name in column), page
    for title, count in (("a", 5), ("b", 6), ("c", 2)):
        (column,) = [column for column in page if f"{title}-barFalse" in column]
        assert sum(name.startswith(title) and "bar" not in name for name in column) == count, page


def test_a_page_less_than_half_full_leaves_no_lone_row_under_a_continued_bar():
    """Sections of 110 and 40 on a page of four columns of 100: "a" is taller than a column and must split.
    Poured at the frame's height, it ends the first column with nine of its ten items and leaves the tenth alone
    under its "(cont.)" bar; on a page this short nothing forces that: the split leaves at least two items on each
    side, and "b" stays whole."""
    flow = _flow(per_page=4)
    for unit in (_unit("a", [10] * 10), _unit("b", [10] * 3)):
        flow.add(unit)
    (page,) = _placed(flow)
    assert any("a-barTrue" in column for column in page), page
    for column in page:
        for title in "ab":
            if f"{title}-barTrue" in column:
                assert sum(name.startswith(title) and "bar" not in name for name in column) >= 2, page
    for title in "ab":
        first = next(column for column in page if f"{title}-barFalse" in column)
        continued = any(f"{title}-barTrue" in column for column in page)
        assert not continued or sum(name.startswith(title) and "bar" not in name for name in first) >= 2, page


def test_the_last_page_is_balanced():
    """Four sections of 50 fill two columns of 100 and leave the third empty, unless the page is balanced."""
    flow = _flow(per_page=3)
    for title in "abcd":
        flow.add(_unit(title, [20, 20]))
    flow.finish()
    used = [column.used for column in flow.pages[-1]]
    assert len(used) == 3 and max(used) - min(used) <= 30, used
