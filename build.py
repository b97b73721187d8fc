"""`python build.py` runs the cheatdeck command line (the same as the `cheatdeck` script)."""

from cheatdeck.cli import main

if __name__ == "__main__":
    main()
