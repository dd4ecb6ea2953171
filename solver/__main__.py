"""``python -m solver``: the command line (see :mod:`solver.cli`)."""

from solver.cli import main

if __name__ == "__main__":
    raise SystemExit(main(prog="python -m solver"))
