"""Command line: ``python -m appfabric_mock demo`` and ``python -m appfabric_mock server``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, List, Optional


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
    server.add_argument(
        "--allowed-host", action="append", default=[], metavar="NAME",
        help="a host name clients may use besides localhost and the --host address (repeatable; '*': any); "
             "also APPFABRIC_MOCK_ALLOWED_HOSTS=name,name",
    )
    server.add_argument(
        "--token", default=None,
        help="require this token (Authorization: Bearer TOKEN) on the control API; prefer the environment "
             "variable APPFABRIC_MOCK_TOKEN, which other users of this machine cannot see",
    )
    server.add_argument(
        "--state-file", default=None, metavar="PATH",
        help="load the state from PATH at start (if it exists) and save it there after every change; "
             "the key of its digests goes to PATH.key unless APPFABRIC_MOCK_STATE_KEY is set",
    )
    server.add_argument(
        "--delivery-dir", default=None, metavar="PATH",
        help="let the control API deliver audit logs as files (the 'directory' sink) under PATH, and nowhere "
             "else; without it, the control API cannot choose the directory sink",
    )
    server.add_argument(
        "--option", action="append", default=[], metavar="NAME=VALUE",
        help="an option of mock_appfabric (repeatable); VALUE is JSON where it parses as JSON, else a string: "
             "--option seed=7 --option 'quotas={\"app_bundles\": 5}' --option strict_regions=true",
    )
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import run

        return run()
    from .server import serve

    options = _parse_options(parser, args.option)
    if args.state_file is not None:
        if "state_file" in options:
            parser.error("give the state file once: --state-file PATH or --option state_file=PATH")
        options["state_file"] = args.state_file
    if args.token is not None and not args.token.strip():
        parser.error("--token must not be empty")
    if any(not host.strip() for host in args.allowed_host):
        parser.error("--allowed-host must not be empty")
    if args.delivery_dir is not None:
        from .server import delivery_directory

        try:
            delivery_directory(args.delivery_dir)
        except ValueError as exc:
            parser.error(f"--delivery-dir: {exc}")
    return serve(args.host, args.port, quiet=args.quiet, allowed_hosts=args.allowed_host, token=args.token,
                 delivery_dir=args.delivery_dir, **options)


#: Options whose value is text even when it looks like a JSON number.
_TEXT_OPTIONS = frozenset({"account_id", "now", "state_file", "state_key"})


def _parse_options(parser: argparse.ArgumentParser, pairs: List[str]) -> Dict[str, Any]:
    """``NAME=VALUE`` pairs as keyword options, checked as ``mock_appfabric`` checks them."""
    options: Dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name:
            parser.error(f"--option takes NAME=VALUE, not {pair!r}")
        name = name.strip()
        if name in _TEXT_OPTIONS:
            value: Any = text  # an account id is digits, yet a string
        else:
            try:
                value = json.loads(text)
            except ValueError:
                value = text  # a bare string, such as a time for `now`
        options[name] = value
    from .config import MockConfig

    try:
        MockConfig.from_options(options)
    except TypeError as exc:
        # The usual cause: a value that is not JSON, read as a string.
        parser.error(f"--option: {exc} (a VALUE is read as JSON where it parses: --option strict_apps=false, "
                     f"--option seed=7, --option 'extra_apps=[\"ACME\"]')")
    except ValueError as exc:
        parser.error(f"--option: {exc}")
    return options


if __name__ == "__main__":
    sys.exit(main())
