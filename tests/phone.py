"""Cards on a phone, in a real browser engine: every side the official engine renders, laid out by headless
Chromium in a 360 px wide viewport, day and night, with and without Anki's `.mobile` class."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

PHONE = 360
"""The narrowest common phone screen, in CSS pixels."""
MARGIN = 8
"""What the Anki apps leave around a card on a phone (AnkiDroid: 8 px)."""
VARIANTS = {"day": "", "night": "nightMode night_mode", "day mobile": "mobile",
            "night mobile": "nightMode night_mode mobile"}
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
_MEASURE = """
<script>
const wide = [];
for (const side of document.querySelectorAll('.side')) {
  if (side.scrollWidth > side.clientWidth) wide.push([side.id, side.scrollWidth]);
}
parent.postMessage(JSON.stringify({viewport: window.innerWidth, page: document.documentElement.scrollWidth,
                                   sides: document.querySelectorAll('.side').length, wide: wide}), '*');
</script>
"""
# Headless Chromium's window is at least 500 px wide: the page is laid out in a frame of the phone's width
# (its own viewport, so the phone's media queries apply), which posts its measures to the window.
_FRAME = """<!doctype html><html><body><iframe style="border: 0" width="{width}" height="800" srcdoc="{page}"></iframe>
<script>
window.addEventListener('message', event => {{
  document.body.innerHTML = '<pre id="result"></pre>';
  document.getElementById('result').textContent = event.data;
}});
</script></body></html>"""


def chromium() -> str | None:
    """Debian's chromium, or another Chrome named by CHEATDECK_CHROMIUM."""
    return os.environ.get("CHEATDECK_CHROMIUM") or next(
        (found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))), None)


def page(sides: dict[str, str]) -> str:
    """One page holding every side (name → the HTML Anki renders, its style included) in every variant."""
    css = next((m.group(1) for side in sides.values() if (m := _STYLE.search(side))), "")
    body = "".join(f'<div class="side card {classes}" id="{html.escape(f"{name} [{variant}]")}">'
                   f"{_STYLE.sub('', side)}</div>"
                   for variant, classes in VARIANTS.items() for name, side in sides.items())
    return (f'<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
            f"<style>{css}\nbody {{ margin: 0; }} .side {{ padding: 0 {MARGIN}px; box-sizing: border-box; "
            f"width: 100%; }}</style></head><body>{body}{_MEASURE}</body></html>")


def measure(browser: str, sides: dict[str, str], folder: Path) -> dict:
    """Lay the sides out at PHONE px wide; returns the viewport, the page's width and the sides wider than it."""
    path = folder / "phone.html"
    path.write_text(_FRAME.format(width=PHONE, page=html.escape(page(sides))), encoding="utf-8")
    result = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                             "--window-size=800,900", "--virtual-time-budget=5000", "--dump-dom", path.as_uri()],
                            capture_output=True, text=True, timeout=300, check=True)
    found = re.search(r'<pre id="result">(.*?)</pre>', result.stdout, re.S)
    assert found, result.stdout[-2000:] + result.stderr[-2000:]
    return json.loads(html.unescape(found.group(1)))
