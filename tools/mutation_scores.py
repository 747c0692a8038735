"""Mutation scores per module from the last ``mutmut run`` (see docs/contributing.rst).

Run in the folder where mutmut ran.  A mutant is caught when a test failed or timed out
with it.  The raw score of a module is caught / (caught + survived); the net score leaves
out the survivors listed in :data:`EQUIVALENT`, mutants that cannot change anything a
caller observes.  Mutants of lines no test runs are not made
(``mutate_only_covered_lines``), so the scores are on reachable code.  ``--survivors``
lists the survivors that are not known to be equivalent: each is a missing test.
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
from typing import Dict, List

CAUGHT = {"killed", "timeout"}
MISSED = {"survived"}
NOT_RUN = {"not checked"}
#: A mutant's name: the module, then ``x_<function>`` or ``xǁ<class>ǁ<method>``, then ``__mutmut_<n>``.
NAME = re.compile(r"^\s*(?P<name>(?P<module>[\w.]+?)\.x[_ǁ].*__mutmut_\d+): (?P<status>.+)$")

#: Survivors that change nothing observable, each with the reason.  A mutant's number is its
#: position in its function, so a change to that function can renumber them: the script warns
#: when a listed mutant is missing or caught, and the list must then be checked again
#: (``mutmut show NAME``).
EQUIVALENT: Dict[str, str] = {
    # A list, map or union is written "Value" in a message whether or not it holds a secret
    # (validation._show), so the sensitive flag of a problem with one cannot change its text.
    "appfabric_mock.protocol.validation.xǁ_Checksǁlist__mutmut_28":
        "sensitive=None for a list's length problem: a list is shown as 'Value' either way",
    "appfabric_mock.protocol.validation.xǁ_Checksǁmap__mutmut_28":
        "sensitive=None for a map's length problem: a map is shown as 'Value' either way",
    "appfabric_mock.protocol.validation.xǁ_Checksǁstructure__mutmut_59":
        "sensitive=None for a union's member count problem: a union is shown as 'Value' either way",
    # A null value is written "Value null" unless it is sensitive; None is as false as False.
    "appfabric_mock.protocol.validation.xǁ_Checksǁlist__mutmut_44":
        "sensitive=None instead of False for a null list element: both are false",
    "appfabric_mock.protocol.validation.xǁ_Checksǁstructure__mutmut_39":
        "sensitive=None instead of False for a missing required member: both are false",
    # Validator.check keeps each input shape's checker; without the lookup it compiles the
    # shape again (ShapeCompiler), the same checker, only slower.
    "appfabric_mock.protocol.validation.xǁValidatorǁcheck__mutmut_3":
        "checker = None: the input's checker is compiled again on every call, with the same result",
    "appfabric_mock.protocol.validation.xǁValidatorǁcheck__mutmut_4":
        "self._inputs.get(None): the input's checker is compiled again on every call, with the same result",
    # An operation's input is a structure, never a union (Smithy), and a structure reads the
    # top-level path only as `path or "body"` and `path + "." if path else ""`: None and "" agree.
    "appfabric_mock.protocol.validation.xǁValidatorǁcheck__mutmut_9":
        "top-level path None instead of '': a structure treats both as the top level",
    # A string's floor and ceiling only decide whether _check_length runs; it checks the
    # bounds again and writes every message.
    "appfabric_mock.protocol.validation.x__compile_string__mutmut_29":
        "floor 1 without a min: an empty string goes on to _check_length, which finds no problem",
    "appfabric_mock.protocol.validation.x__compile_string__mutmut_36":
        "float('INF') is float('inf')",
    "appfabric_mock.protocol.validation.x__compile_string__mutmut_52":
        "floor < len: a string exactly at its min goes on to _check_length, which finds no problem",
    "appfabric_mock.protocol.validation.x__compile_string__mutmut_53":
        "len < ceiling: a string exactly at its max goes on to _check_length, which finds no problem",
    # iso8601: strftime and isoformat write the same text for the year 1000 (tests/test_serialization_fast_paths.py).
    "appfabric_mock.protocol.serialization.x_iso8601__mutmut_4":
        "year <= 1000: the year 1000 is written by strftime, the same text as isoformat's",
    "appfabric_mock.protocol.serialization.x_iso8601__mutmut_5":
        "year < 1001: the year 1000 is written by strftime, the same text as isoformat's",
    # A header member always has a locationName (Smithy's @httpHeader requires the name, and
    # botocore's parsers read it without a default): the default is never used.
    "appfabric_mock.protocol.serialization.xǁOutputSerializerǁ__init____mutmut_23":
        "header name default None: every header member of a model names its header",
    "appfabric_mock.protocol.serialization.xǁOutputSerializerǁ__init____mutmut_25":
        "header name without default: every header member of a model names its header",
    # An ARN's last "/" part is the id however many times it is split.
    "appfabric_mock.backend.ingestions.xǁIngestionOperationsǁ_describe_ingestion__mutmut_6":
        "rsplit('/') without maxsplit: the last part is the same",
    "appfabric_mock.backend.ingestions.xǁIngestionOperationsǁ_describe_ingestion__mutmut_9":
        "rsplit('/', 2): the last part is the same",
    "appfabric_mock.backend.ingestions.xǁIngestionOperationsǁ_describe_ingestion__mutmut_10":
        "[+1] of a split in two is its last part",
    # The operation name only keeps apart the idempotency entries (and page tokens) of different
    # operations; any other name that no other operation uses keeps them apart as well.
    "appfabric_mock.backend.ingestions.xǁIngestionOperationsǁcreate_ingestion__mutmut_82":
        "idempotency key operation None: still distinct from the other operations' names",
    "appfabric_mock.backend.ingestions.xǁIngestionOperationsǁcreate_ingestion__mutmut_92":
        "idempotency key operation 'XXCreateIngestionXX': still distinct from the other operations' names",
    "appfabric_mock.backend.ingestions.xǁIngestionOperationsǁcreate_ingestion__mutmut_93":
        "idempotency key operation 'createingestion': still distinct from the other operations' names",
    "appfabric_mock.backend.ingestions.xǁIngestionOperationsǁcreate_ingestion__mutmut_94":
        "idempotency key operation 'CREATEINGESTION': still distinct from the other operations' names",
    "appfabric_mock.backend.ingestions.xǁIngestionOperationsǁlist_ingestions__mutmut_7":
        "page token operation None: still distinct from the other listings' names",
    "appfabric_mock.backend.ingestions.xǁIngestionOperationsǁlist_ingestions__mutmut_15":
        "page token operation 'XXListIngestionsXX': still distinct from the other listings' names",
    "appfabric_mock.backend.ingestions.xǁIngestionOperationsǁlist_ingestions__mutmut_16":
        "page token operation 'listingestions': still distinct from the other listings' names",
    "appfabric_mock.backend.ingestions.xǁIngestionOperationsǁlist_ingestions__mutmut_17":
        "page token operation 'LISTINGESTIONS': still distinct from the other listings' names",
    # Only an ingestion without destinations is deleted, and _track_delivery reads the bundle
    # only for one with destinations.
    "appfabric_mock.backend.ingestions.xǁIngestionOperationsǁdelete_ingestion__mutmut_20":
        "_track_delivery(None, ...) on delete: the bundle is read only for an ingestion with destinations",
    # A credential is a union: validation refuses one with no member before the backend sees it,
    # so the default of next() is never used.
    "appfabric_mock.backend.authorizations.x__check_credential__mutmut_3":
        "given = None for an empty credential: validation refuses an empty union first",
    "appfabric_mock.backend.authorizations.x__check_credential__mutmut_5":
        "default None for an empty credential: validation refuses an empty union first",
    "appfabric_mock.backend.authorizations.x__check_credential__mutmut_7":
        "no default for an empty credential: validation refuses an empty union first",
    "appfabric_mock.backend.authorizations.x__check_credential__mutmut_9":
        "default 'XXcredentialXX' for an empty credential: validation refuses an empty union first",
    "appfabric_mock.backend.authorizations.x__check_credential__mutmut_10":
        "default 'CREDENTIAL' for an empty credential: validation refuses an empty union first",
    # apiKey authorizations have no authUrl: a state drawn for one is kept and never shown.
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁcreate_app_authorization__mutmut_110":
        "an OAuth state drawn for apiKey too: no answer shows it (a seeded mock draws its later ids in "
        "another order, no rule changes)",
    # The first answer is rebuilt through _describe, which shows neither the id nor the sequence
    # number; status and persona are those every create leaves (the dataclass's defaults).
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁ_first_answer__mutmut_3":
        "id None: the rebuilt answer does not show the id",
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁ_first_answer__mutmut_29":
        "id from rsplit(None, 1): the rebuilt answer does not show the id",
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁ_first_answer__mutmut_32":
        "id from rsplit('/'): the rebuilt answer does not show the id",
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁ_first_answer__mutmut_33":
        "id from split('/', 1): the rebuilt answer does not show the id",
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁ_first_answer__mutmut_34":
        "id from rsplit('XX/XX', 1): the rebuilt answer does not show the id",
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁ_first_answer__mutmut_35":
        "id from rsplit('/', 2): the rebuilt answer does not show the id",
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁ_first_answer__mutmut_36":
        "id from [+1]: the rebuilt answer does not show the id",
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁ_first_answer__mutmut_37":
        "id from [-2]: the rebuilt answer does not show the id",
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁ_first_answer__mutmut_5":
        "seq None: the rebuilt answer does not show the sequence number",
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁ_first_answer__mutmut_38":
        "seq 1: the rebuilt answer does not show the sequence number",
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁ_first_answer__mutmut_26":
        "status left to its default: PendingConnect, the same",
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁ_first_answer__mutmut_27":
        "persona left to its default: admin, the persona of every authorization the mock makes",
    # As for ingestions: the ARN's last part, and the operation name inside a page token.
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁ_describe_authorization_arn__mutmut_6":
        "rsplit('/') without maxsplit: the last part is the same",
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁ_describe_authorization_arn__mutmut_9":
        "rsplit('/', 2): the last part is the same",
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁ_describe_authorization_arn__mutmut_10":
        "[+1] of a split in two is its last part",
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁlist_app_authorizations__mutmut_7":
        "page token operation None: still distinct from the other listings' names",
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁlist_app_authorizations__mutmut_15":
        "page token operation 'XXListAppAuthorizationsXX': still distinct from the other listings' names",
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁlist_app_authorizations__mutmut_16":
        "page token operation 'listappauthorizations': still distinct from the other listings' names",
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁlist_app_authorizations__mutmut_17":
        "page token operation 'LISTAPPAUTHORIZATIONS': still distinct from the other listings' names",
    # The quote() of the authUrl's client_id: 'X' is never percent-encoded.
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁ_auth_url__mutmut_8":
        "safe='XXXX' instead of '': X is never encoded, the URL is the same",
    # Uniqueness on update: the new (app, tenant) differs from the old one, so the authorization
    # itself is never among the others found under the new key.
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁupdate_app_authorization__mutmut_36":
        "skip=None: the authorization is not under its new key yet",
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁ_check_unique_authorization__mutmut_5":
        "skip=None: its one caller (create) passes None",
    # ValidationException's reason defaults to 'other' (errors._MEMBER_DEFAULTS).
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁconnect_app_authorization__mutmut_38":
        "reason=None: the default reason is other",
    "appfabric_mock.backend.authorizations.xǁAuthorizationOperationsǁconnect_app_authorization__mutmut_40":
        "no reason: the default reason is other",
}


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--survivors", action="store_true", help="list the survivors not known to be equivalent")
    args = parser.parse_args(argv)
    listing = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"],
                             capture_output=True, text=True, check=True).stdout
    counts: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    status_by_name: Dict[str, str] = {}
    for line in listing.splitlines():
        match = NAME.match(line)
        if match:
            status = match["status"].strip()
            status_by_name[match["name"]] = status
            counts[match["module"]][status] += 1
            if status in MISSED and match["name"] in EQUIVALENT:
                counts[match["module"]]["equivalent"] += 1
    if not counts:
        print("no mutants found: run `mutmut run` first", file=sys.stderr)
        return 1
    print(f"{'module':42} {'total':>5} {'killed':>6} {'timeout':>7} {'survived':>8} {'equiv.':>6} "
          f"{'not run':>7} {'other':>5} {'raw':>6} {'net':>6}")
    for module, statuses in sorted(counts.items()):
        total = sum(n for status, n in statuses.items() if status != "equivalent")
        caught = sum(statuses[s] for s in CAUGHT)
        missed = sum(statuses[s] for s in MISSED)
        equivalent = statuses["equivalent"]
        not_run = sum(statuses[s] for s in NOT_RUN)
        other = total - caught - missed - not_run
        raw = f"{100 * caught / (caught + missed):.1f}%" if caught + missed else "-"
        net = f"{100 * caught / (caught + missed - equivalent):.1f}%" if caught + missed - equivalent else "-"
        print(f"{module:42} {total:5} {statuses['killed']:6} {statuses['timeout']:7} {missed:8} {equivalent:6} "
              f"{not_run:7} {other:5} {raw:>6} {net:>6}")
    for name in EQUIVALENT:
        status = status_by_name.get(name)
        if status is None:
            print(f"warning: {name} is listed as equivalent but mutmut has no such mutant", file=sys.stderr)
        elif status in CAUGHT:
            print(f"warning: {name} is listed as equivalent but a test catches it ({status})", file=sys.stderr)
    if args.survivors:
        for name, status in sorted(status_by_name.items()):
            if status in MISSED and name not in EQUIVALENT:
                print(f"survivor: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
