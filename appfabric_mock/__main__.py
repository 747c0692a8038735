"""Command line: ``python -m appfabric_mock demo`` and ``python -m appfabric_mock server``."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="appfabric-mock", description="An in-memory AWS AppFabric for tests."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run a realistic AppFabric workflow against the mock")
    server = commands.add_parser("server", help="serve the mock over HTTP")
    server.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    server.add_argument("--port", type=int, default=5050, help="port (default 5050; 0 picks a free one)")
    server.add_argument("--quiet", action="store_true", help="no access log (one line per request on stderr)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import run

        return run()
    from .server import serve

    return serve(args.host, args.port, quiet=args.quiet)


if __name__ == "__main__":
    sys.exit(main())
