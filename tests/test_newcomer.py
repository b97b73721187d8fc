"""A new user's first hour: `cheatdeck new`, domains that need only a name, wide tables, choices in any case,
quiet runs, usage errors, strikethrough, cards the Browser finds, and `python build.py` in a bare Python.

Everything runs through the command line; decks are read back with the real Anki engine, PDFs with pdfplumber.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest
import yaml
from anki_helpers import import_package
from cli_helpers import run
from conftest import REPO
from reportlab.lib.pagesizes import A4, landscape

import cheatdeck
from cheatdeck import colors
from cheatdeck.options import TEMPLATES

VERBS = """\
id: verbs
title: Spanish verbs
version: "1"
print: {paper: A4, columns: 3}
domains:
  - id: present
    name: Present tense
    sections:
      - id: regular
        title: Regular verbs
        bullets:
          - text: "Hablar: to speak, ~~to talk~~"
            q: What does hablar mean?
        table:
          columns: [Verb, yo, tú, él/ella, nosotros, vosotros, ellos/ellas, Meaning]
          rows:
            - [hablar, hablo, hablas, habla, hablamos, habláis, hablan, to speak]
            - [comer, como, comes, come, comemos, coméis, comen, to eat]
            - [vivir, vivo, vives, vive, vivimos, vivís, viven, to live]
  - id: past
    name: Preterite tense
    sections:
      - id: irregular
        title: Irregular preterite
        bullets:
          - text: "Ser and ir (yo): fui"
            q: What is the yo form of ser and ir in the preterite?
"""


def _palette() -> list[str]:
    return yaml.safe_load((TEMPLATES / "pdf" / "theme.yaml").read_text(encoding="utf-8"))["palette"]["domains"]


def _words(pdf: Path) -> list[str]:
    with pdfplumber.open(pdf) as doc:
        return [w["text"] for page in doc.pages for w in page.extract_words()]


@pytest.fixture
def verbs(workdir: Path) -> Path:
    path = workdir / "source" / "verbs.yaml"
    path.write_text(VERBS, encoding="utf-8")
    return path


# --- cheatdeck new ---------------------------------------------------------------------------------------------

def test_new_in_an_empty_folder_writes_a_sheet_that_checks_strictly_and_builds(tmp_path, monkeypatch, col):
    project = tmp_path / "chem"
    (project / ".git").mkdir(parents=True)  # `git init` leaves a folder new
    monkeypatch.chdir(project)
    output = run("new", "chem-101").output
    written = [".gitignore", ".pre-commit-config.yaml", ".github/workflows/cheatdeck.yml", "source/chem-101.yaml",
               "source/cheatdeck.schema.json"]
    assert all(f"wrote {name}\n" in output for name in written), output
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()) == sorted(written)

    assert "0 card warnings" in run("check", "--strict").output
    built = run().output
    assert "dist/chem-101.apkg" in built and "dist/chem-101.pdf" in built
    import_package(col, project / "dist" / "chem-101.apkg")
    kinds = {tag.rpartition("::")[2] for nid in col.find_notes("") for tag in col.get_note(nid).tags
             if "::kind::" in tag}
    assert kinds == {"fact", "table", "trap", "cloze"}
    assert "Chem 101" in " ".join(_words(project / "dist" / "chem-101.pdf"))


def test_the_project_files_new_writes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run("new", "chem-101")
    assert {"dist/", ".venv/"} <= set(Path(".gitignore").read_text(encoding="utf-8").split())
    hooks = yaml.safe_load(Path(".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks["repos"][0]["hooks"]
    assert hooks["repos"][0]["repo"] == "local" and hook["entry"] == "cheatdeck check --strict"
    assert hook["language"] == "system" and hook["pass_filenames"] is False
    steps = yaml.safe_load(Path(".github/workflows/cheatdeck.yml").read_text(encoding="utf-8"))["jobs"]["build"]["steps"]
    runs = [step.get("run", "").split("#")[0].strip() for step in steps]
    assert f'pip install "cheatdeck=={cheatdeck.__version__}"' in runs
    assert runs.index("cheatdeck check --strict") < runs.index("cheatdeck")
    assert steps[-1]["uses"].startswith("actions/upload-artifact@") and steps[-1]["with"]["path"] == "dist/"
    sheet = Path("source/chem-101.yaml").read_text(encoding="utf-8")
    assert sheet.startswith("# yaml-language-server: $schema=cheatdeck.schema.json\n")
    assert "id: chem-101\ntitle: Chem 101\n" in sheet and "${" not in sheet
    assert Path("source/cheatdeck.schema.json").read_text(encoding="utf-8") == run("schema").output


def test_new_never_overwrites_and_writes_only_the_sheet_into_a_project(tiny):
    Path(".gitignore").write_text("mine\n", encoding="utf-8")
    output = run("new", "bio", "-v").output
    assert "wrote source/bio.yaml\n" in output and "wrote source/cheatdeck.schema.json\n" in output
    assert not Path(".pre-commit-config.yaml").exists() and Path(".gitignore").read_text() == "mine\n"
    before = Path("source/bio.yaml").read_text(encoding="utf-8")
    Path("source/bio.yaml").write_text(before + "# my edit\n", encoding="utf-8")
    refused = run("new", "bio", code=2).output
    assert "source/bio.yaml: this sheet exists already, and `new` never overwrites a file" in refused
    assert Path("source/bio.yaml").read_text(encoding="utf-8").endswith("# my edit\n")
    # From inside the project's source/ folder, the sheet still goes there; the schema there is kept.
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "new", "phys"], cwd="source",
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == ["wrote phys.yaml", "kept cheatdeck.schema.json: it exists"]
    assert "'Bad Id' cannot be a sheet's id" in run("new", "Bad Id", code=2).output
    assert run("-q", "new", "quiet").output == "" and Path("source/quiet.yaml").is_file()


# --- domains that need only a name --------------------------------------------------------------------------

def test_domains_with_only_names_take_the_themes_colours_in_order(verbs, col):
    palette = _palette()
    # The first four are the colours the shipped sheet gives its domains, in order.
    shipped = cheatdeck.load(REPO / "source" / "mla-c01.yaml")
    assert palette[:4] == [d.color for d in shipped.domains]
    grays = [int(colors.gray(c)[1:3], 16) for c in palette]
    assert min(abs(a - b) for i, a in enumerate(grays) for b in grays[i + 1:]) >= 14, grays

    sheet = cheatdeck.load(verbs)
    assert [(d.short.plain, d.color) for d in sheet.domains] == [("Present tense", palette[0]),
                                                                 ("Preterite tense", palette[1])]
    run("build")
    with pdfplumber.open("dist/verbs.pdf") as pdf:
        page = pdf.pages[0]
        fills = {tuple(round(v, 3) for v in r["non_stroking_color"]) for r in page.rects if r["non_stroking_color"]}
        header = page.crop((0, 0, page.width, 40)).extract_text()
    assert {tuple(round(c / 255, 3) for c in colors.rgb(hex_)) for hex_ in palette[:2]} <= fills
    assert "D1 · Present tense" in header and "D2 · Preterite tense" in header
    import_package(col, Path("dist/verbs.apkg"))
    css = col.models.by_name("cheatdeck · Fact")["css"]
    assert colors.readable_on(palette[0], "#fafafa") in css and colors.readable_on(palette[1], "#fafafa") in css


# --- tables up to 10 columns ------------------------------------------------------------------------------------

def test_an_8_column_table_keeps_every_word_whole_in_a_wide_column(verbs, col):
    run("build")
    words = _words(Path("dist/verbs.pdf"))
    for row in (["hablar", "hablo", "hablas", "habla", "hablamos", "habláis", "hablan"],
                ["vivir", "vivo", "vives", "vive", "vivimos", "vivís", "viven"], ["nosotros", "vosotros"]):
        assert all(word in words for word in row), (row, words)
    import_package(col, Path("dist/verbs.apkg"))
    rows = col.find_notes("tag:verbs::kind::table")
    # The back shows the asked cell once, above the row's six other answer cells (the key is on the front).
    assert len(rows) == 3 * 7 and 'class="cd-cols-6 cd-wide"' in col.get_note(rows[0]).cards()[0].answer()
    # Four columns a page leave 8 columns too little room for whole words, but the table still builds.
    assert "dist/verbs.pdf" in run("pdf", "--columns", "4", "--force").output


def test_a_table_of_11_columns_is_refused_naming_the_limit(verbs):
    columns = ", ".join(f"C{i}" for i in range(11))
    row = ", ".join(f"v{i}" for i in range(11))
    verbs.write_text(VERBS.replace("[Verb, yo, tú, él/ella, nosotros, vosotros, ellos/ellas, Meaning]",
                                   f"[{columns}]").replace("[hablar, hablo, hablas, habla, hablamos, habláis, "
                                                           "hablan, to speak]", f"[{row}]"), encoding="utf-8")
    assert "a table has at most 10 columns; this one has 11" in run("check", code=1).output


# --- choices in any case, -q, strikethrough ---------------------------------------------------------------------

def test_choices_in_the_sheet_ignore_case_as_on_the_command_line(verbs):
    verbs.write_text(VERBS.replace("q: What does hablar mean?", "q: What does hablar mean?\n            cards: "
                                   "None"), encoding="utf-8")
    assert cheatdeck.load(verbs).print.paper == "a4"
    run("pdf")
    with pdfplumber.open("dist/verbs.pdf") as pdf:
        assert (round(pdf.pages[0].width), round(pdf.pages[0].height)) == tuple(round(v) for v in landscape(A4))
    assert [f.cards for d in cheatdeck.load(verbs).domains for s in d.sections for f in s.facts][0] == "none"
    verbs.write_text(VERBS.replace("paper: A4", "paper: A3"), encoding="utf-8")
    assert "expected one of: a4, letter; got 'A3'" in run("check", code=1).output


def test_quiet_prints_errors_only(verbs):
    verbs.write_text(VERBS.replace("          - text: \"Ser and ir (yo): fui\"\n"
                                   "            q: What is the yo form of ser and ir in the preterite?\n",
                                   "          - \"Fui: ser\"\n"), encoding="utf-8")
    assert "bare label" in run("check").output
    assert run("-q", "check").output == ""
    assert run("-q").output == ""
    verbs.write_text(VERBS.replace("id: verbs", "id: verbs\nid: again"), encoding="utf-8")
    assert "duplicate key 'id'" in run("-q", "check", code=1).output


def test_strikethrough_prints_struck_on_the_page_and_the_card(verbs, col):
    run("build")
    with pdfplumber.open("dist/verbs.pdf") as pdf:
        page = pdf.pages[0]
        talk = next(w for w in page.extract_words() if w["text"] == "talk")
        speak = next(w for w in page.extract_words() if w["text"] == "speak,")
        strokes = page.lines + [r for r in page.rects if r["height"] < 1.5]

    def crossed(word) -> bool:
        return any(s["x0"] <= word["x0"] + 1 and s["x1"] >= word["x1"] - 1 and word["top"] < s["top"] < word["bottom"]
                   for s in strokes)

    assert crossed(talk) and not crossed(speak)
    import_package(col, Path("dist/verbs.apkg"))
    (nid,) = col.find_notes('"Id:verbs/regular/hablar"')
    assert "to speak, <s>to talk</s>" in " ".join(col.get_note(nid).fields)


# --- usage errors exit 2 -------------------------------------------------------------------------------------

def test_usage_errors_exit_2(tiny, tmp_path, monkeypatch):
    assert "no sheet has the id 'nope'" in run("--sheet", "nope", code=2).output
    assert "Path 'nope.yaml' does not exist" in run("nope.yaml", code=2).output
    missing = tmp_path / "missing.anki2"
    assert "no such collection file" in run("sync", "--collection", missing, "--plan", code=2).output
    assert "no such collection file" in run("sync", "--collection", missing, code=2).output
    import importlib.util

    real = importlib.util.find_spec
    with monkeypatch.context() as patch:
        patch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "anki" else real(name, *a))
        assert "sync drives the Anki engine, which is not installed" in \
            run("sync", "--collection", missing, code=2).output
    shutil.rmtree(tmp_path / "source")
    assert "no source/ folder" in run("check", code=2).output


# --- cards the Browser finds ----------------------------------------------------------------------------------

KUBERNETES = """\
id: k8s
title: Kubernetes commands
version: "1"
domains:
  - id: storage
    name: Storage
    sections:
      - id: volumes
        title: Volumes
        bullets:
          - text: "volumeBindingMode: WaitForFirstConsumer delays binding until a pod is scheduled"
            q: Which StorageClass binding mode waits until a pod is scheduled?
          - text: "Service DNS: my-svc.my-namespace.svc.cluster.local resolves to the ClusterIP"
            q: Which DNS name resolves to a Service's ClusterIP?
        table:
          columns: [Field, Meaning]
          rows:
            - [metadata.creationTimestamp, when the object was created]
            - [spec.persistentVolumeReclaimPolicy, what happens to a released volume]
"""


def test_the_browser_finds_long_identifiers_as_written(workdir, col):
    Path("source/k8s.yaml").write_text(KUBERNETES, encoding="utf-8")
    run("anki")
    import_package(col, Path("dist/k8s.apkg"))
    notes = {col.get_note(nid)["Id"]: nid for nid in col.find_notes("")}
    assert set(col.find_notes("WaitForFirstConsumer")) == {notes["k8s/volumes/volumebindingmode"]}
    assert set(col.find_notes("svc.cluster.local")) == {notes["k8s/volumes/service-dns"]}
    assert set(col.find_notes("creationTimestamp")) == {notes["k8s/volumes/rows/metadata-creationtimestamp"]}
    assert len(col.find_notes("persistentVolumeReclaimPolicy")) == 1
    assert not any("<wbr>" in field for nid in notes.values() for field in col.get_note(nid).fields)
    assert "overflow-wrap: anywhere" in col.models.by_name("cheatdeck · Table row")["css"]


# --- python build.py in a Python without the dependencies -----------------------------------------------------

def test_build_py_in_a_python_with_only_click_and_pyyaml_names_what_is_missing(tmp_path, tiny):
    venv = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    found = tmp_path / "found"
    found.mkdir()
    packages = next(Path(sys.prefix).glob("lib/python3*/site-packages"))
    for name in ("click", "yaml"):
        shutil.copytree(packages / name, found / name)
    (next(venv.glob("lib/python3*/site-packages")) / "found.pth").write_text(str(found) + "\n", encoding="utf-8")
    python = venv / "bin" / "python"
    assert subprocess.run([str(python), "-c", "import click, yaml"]).returncode == 0
    for args in ((), ("check",)):
        result = subprocess.run([str(python), str(REPO / "build.py"), *args], capture_output=True, text=True)
        assert result.returncode == 2, result.stderr
        assert "lacks genanki, reportlab, rl-accel, markdown-it-py" in result.stderr and "click" not in \
            result.stderr.split("lacks")[1].split(".")[0]
        assert "run `make`" in result.stderr and "Traceback" not in result.stderr
    assert not Path("dist").exists()


def test_every_runtime_dependency_has_a_module_build_py_looks_for():
    sys.path.insert(0, str(REPO))
    try:
        import build
    finally:
        sys.path.remove(str(REPO))
    assert build.missing_dependencies(REPO / "pyproject.toml") == []
