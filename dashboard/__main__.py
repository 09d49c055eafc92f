"""`python -m dashboard [--demo]`: serve the dashboard on http://127.0.0.1:8050.

`--demo` (what `make run` uses) marks every page as a demo and prints freshly made demo accounts.
"""

import argparse

from config.dutch_argparse import parse_in_dutch
from dashboard.app import main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="Start de Monitor plegeraanpak.")
    parser.add_argument("--demo", action="store_true", help="demomodus: demo-accounts met nieuwe wachtwoorden")
    return parser


main(demo=parse_in_dutch(build_parser, None).demo)
