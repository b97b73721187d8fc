"""`python build.py` runs the cheatdeck command line (the same as the `cheatdeck` script)."""

import sys

try:
    from cheatdeck.cli import main
except ModuleNotFoundError as missing:
    print(f"cheatdeck cannot start: the package {missing.name!r} is not installed for {sys.executable}.\n"
             "Run `make` once (it sets up .venv from the lock), then use `.venv/bin/python build.py`, "
             "or `pip install -e .` in the Python you want to use.", file=sys.stderr)
    sys.exit(2)

if __name__ == "__main__":
    main()
