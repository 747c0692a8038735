"""Validation and serialisation of every kind of shape, on a small synthetic botocore model.

AppFabric's model has strings, lists, structures, a union, an integer and timestamps,
but no map, blob, float, long or boolean, and few of the limits a model can set.  The
walkers (:mod:`appfabric_mock.protocol.validation`, :mod:`.serialization`,
:mod:`.fast_serialization`) handle all of them, so that a botocore release adding such a
member needs no code change; this model holds them to AWS's wording and to the
rest-json document, exactly.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Dict

import pytest
from botocore.model import ServiceModel

from appfabric_mock.protocol.fast_serialization import FastConversion, FastOutputSerializer
from appfabric_mock.protocol.serialization import Conversion, OutputSerializer
from appfabric_mock.protocol.shapes import ShapeCompiler
from appfabric_mock.protocol.validation import Validator

_MODEL: Dict[str, Any] = {
    "metadata": {"apiVersion": "2024-01-01", "endpointPrefix": "synthetic", "protocol": "rest-json",
                 "serviceId": "Synthetic", "signatureVersion": "v4", "uid": "synthetic-2024-01-01"},
    "operations": {
        "Put": {"name": "Put", "http": {"method": "POST", "requestUri": "/things", "responseCode": 201},
                "input": {"shape": "PutRequest"}, "output": {"shape": "PutResponse"}},
        "Drop": {"name": "Drop", "http": {"method": "DELETE", "requestUri": "/things", "responseCode": 204},
                 "input": {"shape": "PutRequest"}, "output": {"shape": "DropResponse"}},
        # No responseCode: the default status of an operation in the model (Smithy's http trait), 200.
        "Look": {"name": "Look", "http": {"method": "GET", "requestUri": "/things"},
                 "input": {"shape": "PutRequest"}, "output": {"shape": "Thing"}},
    },
    "shapes": {
        "PutRequest": {"type": "structure", "required": ["name"], "members": {
            "name": {"shape": "Name"},
            "count": {"shape": "Count"},
            "size": {"shape": "Size"},
            "ratio": {"shape": "Ratio"},
            "flag": {"shape": "Flag"},
            "when": {"shape": "When"},
            "data": {"shape": "Data"},
            "labels": {"shape": "Labels"},
            "items": {"shape": "Items"},
            "choice": {"shape": "Choice"},
            "secret": {"shape": "Secret"},
            "color": {"shape": "Color"},
            "vault": {"shape": "Vault"},
            "pin": {"shape": "Pin"},
            "pins": {"shape": "Pins"},
            "code": {"shape": "Code"},
            "weight": {"shape": "Weight"},
            "token": {"shape": "Token"},
            "mode": {"shape": "Mode"},
        }},
        "PutResponse": {"type": "structure", "members": {
            "token": {"shape": "Name", "location": "header", "locationName": "x-token"},
            "thing": {"shape": "Thing"},
            "labels": {"shape": "Labels"},
            "things": {"shape": "Things"},
        }},
        "DropResponse": {"type": "structure", "members": {}},
        "Thing": {"type": "structure", "members": {
            "name": {"shape": "Name"}, "when": {"shape": "When"}, "size": {"shape": "Size"},
        }},
        "Things": {"type": "list", "member": {"shape": "Thing"}},
        "Name": {"type": "string", "min": 2, "max": 5, "pattern": "^[a-z]+$"},
        "Color": {"type": "string", "enum": ["red", "green"]},
        "Secret": {"type": "string", "sensitive": True, "min": 2, "max": 4},
        "Vault": {"type": "map", "key": {"shape": "Name"}, "value": {"shape": "Secret"}},
        "Pin": {"type": "boolean", "sensitive": True},
        "Pins": {"type": "list", "member": {"shape": "Secret"}, "max": 1},
        "Code": {"type": "integer", "sensitive": True, "min": 1000, "max": 9999},
        "Weight": {"type": "float", "min": 0},
        "Token": {"type": "string", "sensitive": True, "pattern": "^[0-9]+$"},
        "Mode": {"type": "string", "sensitive": True, "enum": ["on", "off"]},
        "Count": {"type": "integer", "min": 1, "max": 10},
        "Size": {"type": "long"},
        "Ratio": {"type": "double", "min": 0, "max": 1},
        "Flag": {"type": "boolean"},
        "When": {"type": "timestamp"},
        "Data": {"type": "blob"},
        "Labels": {"type": "map", "key": {"shape": "Name"}, "value": {"shape": "Count"}, "min": 1, "max": 2},
        "Items": {"type": "list", "member": {"shape": "Name"}, "min": 1, "max": 2},
        "Choice": {"type": "structure", "union": True, "members": {
            "left": {"shape": "Name"}, "right": {"shape": "Count"},
        }},
    },
}

SERVICE = ServiceModel(_MODEL, service_name="synthetic")
PUT = SERVICE.operation_model("Put")


def _problems(**params: Any) -> Dict[str, str]:
    return dict(Validator().check(PUT.input_shape, {"name": "ok", **params}))


def _rule(message: str) -> str:
    return message.split("failed to satisfy constraint: ", 1)[1]


# -- validation -------------------------------------------------------------------------------------
def test_a_valid_request_of_every_kind_has_no_problem() -> None:
    assert _problems(count=1, size=2**40, ratio=0.5, flag=False, when="2024-01-01T00:00:00Z", data=b"x",
                     labels={"ab": 3}, items=["ab", "cd"], choice={"left": "ab"}, secret="pw", color="red") == {}
    assert _problems(ratio=1, when=1700000000, data="eA==", count=10) == {}  # ints are numbers, text is a blob


def test_strings_say_what_failed_in_aws_words() -> None:
    assert _problems(name="a") == {
        "name": "Value 'a' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2"}
    assert _problems(name="abcdef") == {
        "name": "Value 'abcdef' at 'name' failed to satisfy constraint: Member must have length less than or equal "
                "to 5"}
    assert _problems(name="AB") == {
        "name": "Value 'AB' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                "^[a-z]+$"}
    assert _problems(color="blue") == {
        "color": "Value 'blue' at 'color' failed to satisfy constraint: Member must satisfy enum value set: "
                 "[red, green]"}
    assert _problems(name=7) == {"name": "Value '7' at 'name' failed to satisfy constraint: Member must be of type "
                                         "string"}


def test_a_long_value_is_cut_in_the_message_and_a_secret_never_shown() -> None:
    long = "x" * 200
    assert _problems(color=long)["color"] == (f"Value '{'x' * 128}...' at 'color' failed to satisfy constraint: "
                                              "Member must satisfy enum value set: [red, green]")
    assert _problems(secret="hunter2") == {
        "secret": "Value at 'secret' failed to satisfy constraint: Member must have length less than or equal to 4"}
    assert _problems(secret=12345) == {"secret": "Value at 'secret' failed to satisfy constraint: Member must be of "
                                                 "type string"}


def test_a_value_is_shown_whole_up_to_128_characters() -> None:
    assert _problems(color="x" * 128)["color"].startswith(f"Value '{'x' * 128}' at 'color'")
    assert _problems(color="x" * 129)["color"].startswith(f"Value '{'x' * 128}...' at 'color'")


def test_no_secret_is_shown_whatever_the_rule_it_breaks() -> None:
    assert _problems(secret="a") == {
        "secret": "Value at 'secret' failed to satisfy constraint: Member must have length greater than or equal to 2"}
    assert _problems(pin="1234") == {
        "pin": "Value at 'pin' failed to satisfy constraint: Member must be of type boolean"}
    # A map of secrets given a scalar: the scalar is most likely a secret, so it is not echoed.
    assert _problems(vault="hunter2") == {
        "vault": "Value at 'vault' failed to satisfy constraint: Member must be of type map"}
    assert _problems(vault={"ab": "hunter2"}) == {
        "vault.ab": "Value at 'vault.ab' failed to satisfy constraint: Member must have length less than or equal to 4"}
    assert _problems(vault={"ab": "pw"}, pin=True) == {}
    assert _problems(pins="hunter2") == {
        "pins": "Value at 'pins' failed to satisfy constraint: Member must be of type list"}
    assert _problems(code="hunter2") == {
        "code": "Value at 'code' failed to satisfy constraint: Member must be of type number"}
    assert _problems(code=12) == {
        "code": "Value at 'code' failed to satisfy constraint: Member must have value greater than or equal to 1000"}
    assert _problems(code=12345) == {
        "code": "Value at 'code' failed to satisfy constraint: Member must have value less than or equal to 9999"}
    assert _problems(pins=["pw"], code=1234) == {}
    assert _problems(token="hunter2") == {
        "token": "Value at 'token' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                 "^[0-9]+$"}
    assert _problems(mode="hunter2") == {
        "mode": "Value at 'mode' failed to satisfy constraint: Member must satisfy enum value set: [on, off]"}
    assert _problems(token="42", mode="on") == {}


def test_a_missing_required_member_is_null() -> None:
    assert Validator().check(PUT.input_shape, {}) == [
        ("name", "Value null at 'name' failed to satisfy constraint: Member must not be null")]


def test_numbers_have_a_type_and_bounds() -> None:
    assert _problems(count=0) == {"count": "Value '0' at 'count' failed to satisfy constraint: Member must have value "
                                           "greater than or equal to 1"}
    assert _problems(count=11) == {"count": "Value '11' at 'count' failed to satisfy constraint: "
                                            "Member must have value less than or equal to 10"}
    assert _rule(_problems(count=1.5)["count"]) == "Member must be of type number"
    assert _rule(_problems(count=True)["count"]) == "Member must be of type number"  # a bool is no number
    assert _rule(_problems(size="1")["size"]) == "Member must be of type number"
    assert _problems(count="x") == {"count": "Value 'x' at 'count' failed to satisfy constraint: Member must be of "
                                             "type number"}
    assert _problems(weight=2.5) == {}
    assert _problems(weight="heavy") == {"weight": "Value 'heavy' at 'weight' failed to satisfy constraint: "
                                                   "Member must be of type number"}
    assert _rule(_problems(weight=-1.5)["weight"]) == "Member must have value greater than or equal to 0"
    assert _rule(_problems(ratio=1.5)["ratio"]) == "Member must have value less than or equal to 1"
    assert _rule(_problems(ratio=-0.1)["ratio"]) == "Member must have value greater than or equal to 0"
    assert _rule(_problems(ratio=False)["ratio"]) == "Member must be of type number"


def test_booleans_timestamps_and_blobs_have_a_type() -> None:
    assert _problems(flag="true") == {"flag": "Value 'true' at 'flag' failed to satisfy constraint: Member must be of "
                                              "type boolean"}
    assert _rule(_problems(flag=1)["flag"]) == "Member must be of type boolean"
    assert _rule(_problems(when=True)["when"]) == "Member must be of type timestamp"
    assert _rule(_problems(when=[1])["when"]) == "Member must be of type timestamp"
    assert _rule(_problems(data=5)["data"]) == "Member must be of type blob"
    assert _rule(_problems(data=True)["data"]) == "Member must be of type blob"


def test_lists_have_a_type_a_length_and_checked_elements() -> None:
    assert _problems(items=[]) == {"items": "Value at 'items' failed to satisfy constraint: Member must have length "
                                            "greater than or equal to 1"}
    assert _rule(_problems(items=["ab", "cd", "ef"])["items"]) == "Member must have length less than or equal to 2"
    assert _problems(items="ab") == {"items": "Value 'ab' at 'items' failed to satisfy constraint: Member must be of "
                                              "type list"}
    assert _problems(items=["ab", None]) == {
        "items.2.member": "Value null at 'items.2.member' failed to satisfy constraint: Member must not be null"}
    assert _rule(_problems(items=["ab", "a"])["items.2.member"]).startswith("Member must have length greater")


def test_maps_have_a_type_a_length_and_checked_keys_and_values() -> None:
    assert _problems(labels={}) == {"labels": "Value at 'labels' failed to satisfy constraint: Member must have length "
                                              "greater than or equal to 1"}
    assert _rule(_problems(labels={"ab": 1, "cd": 2, "ef": 3})["labels"]) == (
        "Member must have length less than or equal to 2")
    assert _problems(labels=["ab"]) == {"labels": "Value at 'labels' failed to satisfy constraint: Member must be of "
                                                  "type map"}
    assert _problems(labels={"a": 1}) == {
        "labels.key": "Value 'a' at 'labels.key' failed to satisfy constraint: Member must have length greater than "
                      "or equal to 2"}
    assert _problems(labels={"ab": 0}) == {
        "labels.ab": "Value '0' at 'labels.ab' failed to satisfy constraint: Member must have value greater than or "
                     "equal to 1"}
    assert _problems(labels={"ab": None}) == {}  # a null value is left out, as botocore leaves it out


def test_structures_have_a_type_and_unions_exactly_one_member() -> None:
    assert _problems(choice="ab") == {"choice": "Value 'ab' at 'choice' failed to satisfy constraint: Member must be "
                                                "of type structure"}
    union = "Member must have exactly one of the following set: left, right"
    assert _rule(_problems(choice={})["choice"]) == union
    assert _rule(_problems(choice={"left": "ab", "right": 1})["choice"]) == union
    assert _problems(choice={"left": "ab", "right": None}) == {}
    # The request holds a secret member: a scalar sent in its place is not echoed.
    assert Validator().check(PUT.input_shape, "body") == [  # type: ignore[arg-type]
        ("body", "Value at 'body' failed to satisfy constraint: Member must be of type structure")]
    assert _problems(choice={"left": "ab", "right": 1})["choice"].startswith("Value at 'choice'")


def test_every_problem_of_a_request_is_reported() -> None:
    assert sorted(_problems(name="A", count=0, flag="x")) == ["count", "flag", "name"]


# -- serialisation ----------------------------------------------------------------------------------
UTC = dt.timezone.utc
WHEN = dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
RESULT = {
    "token": "abc",
    "thing": {"when": WHEN, "name": "ab", "size": 5, "extra": "dropped"},
    "labels": {"ab": 1, "cd": None},
    "things": [{"name": "ab"}, {"name": "cd", "when": None}, {"size": 3, "name": "ef"}],
    "unknown": "dropped",
}
DOCUMENT = {
    "thing": {"name": "ab", "when": "2024-05-06T07:08:09.123Z", "size": 5},
    "labels": {"ab": 1, "cd": None},
    "things": [{"name": "ab"}, {"name": "cd"}, {"name": "ef", "size": 3}],
}


@pytest.mark.parametrize(("serializer", "strategy"), [(OutputSerializer, Conversion),
                                                      (FastOutputSerializer, FastConversion)])
def test_a_result_is_written_as_its_output_shape_says(serializer: Any, strategy: Any) -> None:
    writer = serializer(PUT, ShapeCompiler(strategy()))
    for _ in range(2):  # the second time from what the fast paths kept
        status, headers, body = writer.serialize(RESULT)
        assert (status, headers) == (201, {"x-token": "abc", "Content-Type": "application/json"})
        assert json.loads(body) == DOCUMENT
        assert list(json.loads(body)) == ["thing", "labels", "things"]  # model order
        assert list(json.loads(body)["thing"]) == ["name", "when", "size"]
        assert b" " not in body  # compact separators
    assert writer.serialize(None) == (201, {"Content-Type": "application/json"}, b"{}")


@pytest.mark.parametrize("serializer", [OutputSerializer, FastOutputSerializer])
def test_a_no_content_answer_has_no_body_and_no_content_type(serializer: Any) -> None:
    writer = serializer(SERVICE.operation_model("Drop"), ShapeCompiler(Conversion()))
    assert writer.serialize({"ignored": 1}) == (204, {}, b"")


@pytest.mark.parametrize("serializer", [OutputSerializer, FastOutputSerializer])
def test_an_operation_without_a_response_code_answers_200(serializer: Any) -> None:
    look = SERVICE.operation_model("Look")
    assert "responseCode" not in look.http
    writer = serializer(look, ShapeCompiler(Conversion()))
    assert writer.serialize({"name": "ab"}) == (200, {"Content-Type": "application/json"}, b'{"name":"ab"}')
    assert writer.serialize(None) == (200, {"Content-Type": "application/json"}, b"{}")
