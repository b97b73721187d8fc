from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import REPO, SHIPPED

from cheatdeck import inline
from cheatdeck.cli import cli
from cheatdeck.source.format import json_schema


def test_schema_command_prints_generated_schema():
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["$ref"] == "#/$defs/Sheet"
    sheet = schema["$defs"]["Sheet"]
    assert set(sheet["required"]) == {"id", "title", "version", "domains"}
    assert sheet["additionalProperties"] is False
    weight = schema["$defs"]["Domain"]["properties"]["weight"]["anyOf"][0]
    assert (weight["minimum"], weight["maximum"]) == (0, 100)
    assert "weight" not in schema["$defs"]["Domain"]["required"]
    assert (sheet["properties"]["domains"]["minItems"], sheet["properties"]["domains"]["maxItems"]) == (1, 12)
    columns = schema["$defs"]["Print"]["properties"]["columns"]["anyOf"][0]
    assert (columns["minimum"], columns["maximum"]) == (3, 5)


def test_committed_schema_is_current():
    """source/cheatdeck.schema.json is what editors read; regenerate it with `cheatdeck schema`."""
    assert (REPO / "source" / "cheatdeck.schema.json").read_text(encoding="utf-8") == json_schema()


def test_shipped_source_declares_its_schema():
    assert SHIPPED.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=cheatdeck.schema.json\n")


@pytest.mark.parametrize("source,html,rl", [
    ("DI < 0.8 = x & y > z", "DI &lt; 0.8 = x &amp; y &gt; z", "DI &lt; 0.8 = x &amp; y &gt; z"),
    ("**Wrangler:** GUI", "<b>Wrangler:</b> GUI", "<b>Wrangler:</b> GUI"),
    ("*it* and `a<b`", "<i>it</i> and <code>a&lt;b</code>", '<i>it</i> and <font face="M">a&lt;b</font>'),
    # A long identifier goes into the field whole, so that Anki's Browser finds it (the card's CSS wraps it).
    ("IDENTICAL_DATA_AND_ALGORITHM", "IDENTICAL_DATA_AND_ALGORITHM", "IDENTICAL_DATA_AND_ALGORITHM"),
    ("OnlineStoreConfig.KmsKeyId", "OnlineStoreConfig.KmsKeyId", "OnlineStoreConfig.KmsKeyId"),
    ("~~drop~~ keep H~2~O", "<s>drop</s> keep H<sub>2</sub>O", "<strike>drop</strike> keep H<sub>2</sub>O"),
    ("short_id.x", "short_id.x", "short_id.x"),
    ("s3:* and ecr:\\*", "s3:* and ecr:*", "s3:* and ecr:*"),
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("&amp; [link](x) <http://a>", "&amp;amp; &#91;link](x) &lt;http://a&gt;", "&amp;amp; [link](x) &lt;http://a&gt;"),
    ("[sound:x.mp3] [$]y[/$]", "&#91;sound:x.mp3] &#91;$]y&#91;/$]", "[sound:x.mp3] [$]y[/$]"),
])
def test_one_parser_two_renderers(source, html, rl):
    spans = inline.parse(source)
    assert inline.to_html(spans) == html
    assert inline.to_reportlab(spans, "M") == rl


@pytest.mark.parametrize("text", ["a*b*c", "`tick`", "back\\slash", "_under_", "**"])
def test_escape_round_trips(text):
    assert inline.plain(inline.parse(inline.escape(text))) == text
