"""Paragraph markup parsed once per shape (pdf/shapes.py): the fragments it copies are the ones ReportLab parses."""

from __future__ import annotations

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus.paraparser import ParaParser

from cheatdeck.pdf.shapes import Shapes

STYLE = ParagraphStyle("body", fontName="Helvetica", fontSize=9, leading=11)
# Pairs of one shape: the second is given copies of the first's fragments, its own texts put in.
PAIRS = [
    ("•\xa0<b>Term 1:</b> explanation of fact 1", "•\xa0<b>Key 22:</b> another, longer explanation"),
    ("Rule 0: never confuse A &lt; B with B &amp; C.", "Rule 12: keep x &lt; y so y &amp; z hold."),
    ("<font name='Courier' size='7'>s3:*</font> then <i>this</i>", "<font name='Courier' size='7'>a</font> b <i>c</i>"),
    ("<b>bold <i>both</i></b> plain &#8594; on", "<b>x <i>y</i></b> z &#8594; w"),
    ("<font color='#ff0000'>▸</font>\xa0Rows", "<font color='#ff0000'>▸</font>\xa0Other rows, more"),
]


def _parsed(markup: str, style: ParagraphStyle) -> list:
    parser = ParaParser()
    parser.caseSensitive = 1
    return parser.parse(markup, style)[1]


@pytest.mark.parametrize("first,second", PAIRS)
def test_a_shape_seen_before_gives_the_fragments_reportlab_parses(first, second):
    shapes = Shapes()
    for markup in (first, second, first):
        copied = shapes.frags(markup, STYLE)
        parsed = _parsed(markup, STYLE)
        assert copied is not None
        assert [(type(f), f.__dict__) for f in copied] == [(type(f), f.__dict__) for f in parsed]


def test_shapes_are_kept_apart_by_style_and_by_where_the_tags_fall():
    shapes, bold = Shapes(), ParagraphStyle("bold", parent=STYLE, fontName="Helvetica-Bold")
    for markup, style in (("<b>a</b> b", STYLE), ("<b>a</b> b", bold), ("a <b>b</b>", STYLE), ("<b></b>a", STYLE)):
        assert [f.__dict__ for f in shapes.frags(markup, style)] == [f.__dict__ for f in _parsed(markup, style)]


def test_markup_whose_fragments_may_depend_on_more_than_its_tags_is_left_to_the_parser():
    shapes = Shapes()
    assert shapes.frags("a <img src='x.png' width='3' height='3'/> b", STYLE) is None
    assert shapes.frags("a <br/> b", STYLE) is None
    assert shapes.frags("a & b", STYLE) is None  # a bare ampersand: the parser decides where the text splits
    assert shapes.frags("<seq/> b", STYLE) is None


def test_shapes_stop_being_kept_at_their_limit(monkeypatch):
    """A sheet whose every paragraph has a shape of its own (a colour each) keeps LIMIT shapes, not one per
    paragraph; past the limit a paragraph is left to the parser."""
    from cheatdeck.pdf import shapes as module

    monkeypatch.setattr(module, "_LIMIT", 10)
    shapes = Shapes()
    made = [shapes.frags(f"a <font color='#{i:06x}'>x</font> b", STYLE) for i in range(30)]
    assert len(shapes._known) == 10
    assert all(made[:10]) and not any(made[10:])
