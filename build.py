"""`python build.py` runs the cheatdeck command line (the same as the `cheatdeck` script).

Before anything else, it looks for every runtime dependency pyproject.toml declares, in the Python that runs it:
a Python with only some of them (a distro's or conda's, with click and PyYAML) would otherwise fail halfway
through a build, or call stale outputs up to date without being able to build them.
"""

import importlib.util
import re
import sys
from pathlib import Path

# A distribution whose module is not named after it.
MODULES = {"pyyaml": "yaml", "pillow": "PIL", "markdown-it-py": "markdown_it", "rl-accel": "_rl_accel"}
# The [project] table's `dependencies` list as pyproject.toml writes it: one quoted requirement a line.
_DEPENDENCIES = re.compile(r"^\[project\]\n(?:[^\[\n].*\n|\n)*?dependencies = \[\n((?:[ \t].*\n)*)\]", re.MULTILINE)
_REQUIREMENT = re.compile(r'^\s*"([^"]+)"', re.MULTILINE)


def requirements(pyproject: Path) -> list[str]:
    """The runtime requirements pyproject.toml declares. Read from the list as the file writes it: importing
    tomllib took about a tenth of an up-to-date build (tomllib reads a file written any other way)."""
    text = pyproject.read_text(encoding="utf-8")
    listed = _DEPENDENCIES.search(text)
    if listed is None:
        import tomllib

        return tomllib.loads(text)["project"]["dependencies"]
    return _REQUIREMENT.findall(listed[1])


def missing_dependencies(pyproject: Path) -> list[str]:
    """The runtime requirements of pyproject.toml (their names) whose module this Python cannot find."""
    missing = []
    for requirement in requirements(pyproject):
        name = re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", requirement)[0]).lower()
        if importlib.util.find_spec(MODULES.get(name, name.replace("-", "_"))) is None:
            missing.append(name)
    return missing


if __name__ == "__main__":
    missing = missing_dependencies(Path(__file__).resolve().with_name("pyproject.toml"))
    if missing:
        print(f"cheatdeck cannot start: {sys.executable} lacks {', '.join(missing)}.\n"
              "run `make` once (it sets up .venv from the lock), then use `.venv/bin/python build.py`, "
              "or `pip install -e .` in the Python you want to use.", file=sys.stderr)
        sys.exit(2)
    from cheatdeck.cli import main

    main()
