"""The `handbook` command: Ctrl-C at any moment, even while Python is still loading the handbook, ends it quietly.

`sales_handbook.cli` imports the plan model and its validators, which takes a noticeable
fraction of a second; an interrupt then would print a traceback. Once `cli.main`
has returned, the outcome is decided and further signals are ignored.
"""

from __future__ import annotations

import signal
import sys


def main() -> None:
    """Run `handbook` with the command line's arguments and exit with its code."""
    code = 130
    try:
        import os

        from sales_handbook.engine import fallback

        problem = fallback.select(os.environ)  # before anything imports MkDocs
        if problem is None:
            from sales_handbook import cli

            code = cli.main()
        else:
            print(f"handbook: {problem}", file=sys.stderr)
            code = 2
    except KeyboardInterrupt:
        print("\nhandbook: interrupted before it started", file=sys.stderr)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.exit(code)


if __name__ == "__main__":
    main()
