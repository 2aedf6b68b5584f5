"""Reading CloudEvents from HTTP requests (structured, binary, batch) and validating them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import quote

import pytest
from starlette.datastructures import Headers

from events.envelope import Envelope
from services.http.cloudevents import BATCH, STRUCTURED, read_batch, read_single, validate
from services.http.problems import Problem
from tests.support.events import OWNER, lot, registration

AT = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
JSON = {"content-type": "application/json"}


def envelope(**changes: Any) -> dict[str, Any]:
    return registration("XZ-2026-001", at=AT, event_id="evt-0001-gateway") | changes


def binary_headers(env: dict[str, Any], content_type: str = "application/json") -> dict[str, str]:
    headers = {f"ce-{k}": v for k, v in env.items() if k not in ("data", "datacontenttype")}
    return headers | {"content-type": content_type}


def body(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def fields(problem: Problem) -> list[str]:
    return [e["field"] for e in problem.errors]


# ----------------------------------------------------------------------------- structured


def test_structured_mode_returns_the_body_as_the_envelope() -> None:
    env = envelope()
    assert read_single({"content-type": STRUCTURED}, body(env)) == env


def test_structured_media_type_parameters_and_case_are_ignored() -> None:
    env = envelope()
    headers = {"content-type": "Application/CloudEvents+JSON; charset=utf-8"}
    assert read_single(headers, body(env)) == env


@pytest.mark.parametrize("raw", [b"{", b"", b"not json", b"{'single': 'quotes'}"])
def test_malformed_json_is_a_400(raw: bytes) -> None:
    with pytest.raises(Problem) as caught:
        read_single({"content-type": STRUCTURED}, raw)
    assert caught.value.status == 400
    assert fields(caught.value) == ["(body)"]
    assert caught.value.body()["status"] == 400


@pytest.mark.parametrize("value", [[], [1], "text", 5, None])
def test_a_structured_body_must_be_an_object(value: Any) -> None:
    with pytest.raises(Problem) as caught:
        read_single({"content-type": STRUCTURED}, body(value))
    assert caught.value.status == 400 and fields(caught.value) == ["(body)"]


# ----------------------------------------------------------------------------- binary


def test_binary_mode_gives_the_same_envelope_as_structured_mode() -> None:
    env = envelope()
    from_binary = read_single(binary_headers(env), body(env["data"]))
    from_structured = read_single(
        {"content-type": STRUCTURED}, body(env | {"datacontenttype": "application/json"})
    )
    assert from_binary == from_structured
    assert validate(from_binary) == validate(read_single({"content-type": STRUCTURED}, body(env)))


def test_binary_mode_reads_real_request_headers_case_insensitively() -> None:
    env = envelope()
    raw = {
        "Content-Type": "application/json; charset=utf-8",
        "CE-SpecVersion": "1.0",
        "Ce-Id": env["id"],
        "ce-Type": env["type"],
        "ce-source": env["source"],
        "ce-subject": env["subject"],
        "ce-time": env["time"],
        "ce-actororg": env["actororg"],
        "ce-actorperson": "Wang Jianguo",
        "ce-actorrole": env["actorrole"],
    }
    read = read_single(Headers(headers=raw), body(env["data"]))
    assert read == env | {"actorperson": "Wang Jianguo", "datacontenttype": "application/json"}


def test_binary_mode_without_a_content_type_is_json() -> None:
    env = envelope()
    headers = binary_headers(env)
    del headers["content-type"]
    assert read_single(headers, body(env["data"]))["data"] == env["data"]


def test_binary_mode_with_malformed_data_is_a_400() -> None:
    with pytest.raises(Problem) as caught:
        read_single(binary_headers(envelope()), b'{"name": ')
    assert caught.value.status == 400


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/cbor"])
def test_binary_mode_data_must_be_json(content_type: str) -> None:
    env = envelope()
    with pytest.raises(Problem) as caught:
        read_single(binary_headers(env, content_type), body(env["data"]))
    assert caught.value.status == 415
    assert fields(caught.value) == ["content-type"]
    assert content_type in caught.value.errors[0]["reason"]


def test_binary_mode_percent_decodes_header_values() -> None:
    env = envelope(actorperson="王建国")
    headers = binary_headers(env) | {"ce-actorperson": quote("王建国", safe="")}
    assert read_single(headers, body(env["data"]))["actorperson"] == "王建国"


# ----------------------------------------------------------------------------- unsupported


@pytest.mark.parametrize(
    "headers",
    [{}, {"content-type": "text/plain"}, JSON, {"content-type": BATCH}, {"content-type": ""}],
)
def test_an_unsupported_content_type_is_a_415_naming_content_type(headers: dict[str, str]) -> None:
    with pytest.raises(Problem) as caught:
        read_single(headers, body(envelope()))
    problem = caught.value
    assert problem.status == 415
    assert fields(problem) == ["content-type"]
    assert problem.errors[0]["reason"].startswith("unsupported")
    assert problem.body()["errors"] == problem.errors


# ----------------------------------------------------------------------------- batch


def test_a_batch_is_a_json_array_of_envelopes() -> None:
    events = [envelope(), lot("XZ-2026-001", 1, at=AT, event_id="evt-0002-gateway")]
    assert read_batch({"content-type": BATCH}, body(events)) == events
    assert read_batch({"content-type": f"{BATCH}; charset=utf-8"}, b"[]") == []


@pytest.mark.parametrize("content_type", [STRUCTURED, "application/json", "", "text/plain"])
def test_a_batch_needs_the_batch_media_type(content_type: str) -> None:
    with pytest.raises(Problem) as caught:
        read_batch({"content-type": content_type}, body([envelope()]))
    assert caught.value.status == 415 and fields(caught.value) == ["content-type"]


@pytest.mark.parametrize("value", [{"events": []}, "[]", 1, None])
def test_a_batch_body_must_be_an_array(value: Any) -> None:
    with pytest.raises(Problem) as caught:
        read_batch({"content-type": BATCH}, body(value))
    assert caught.value.status == 400 and fields(caught.value) == ["(body)"]


def test_a_malformed_batch_is_a_400() -> None:
    with pytest.raises(Problem) as caught:
        read_batch({"content-type": BATCH}, b"[{")
    assert caught.value.status == 400


# ----------------------------------------------------------------------------- validate


def test_a_valid_envelope_validates() -> None:
    parsed = validate(envelope())
    assert isinstance(parsed, Envelope)
    assert parsed.id == "evt-0001-gateway" and parsed.actororg == OWNER
    assert parsed.occurred_at == dt.datetime(2026, 1, 1, 0, 0, tzinfo=dt.UTC)


def test_every_bad_field_is_named_with_a_reason() -> None:
    env = envelope(actororg="91320300abc", time="yesterday", actorrole="contractor")
    env["data"] = env["data"] | {"design_life_years": "50", "contractor": "某公司"}
    del env["data"]["name"]
    with pytest.raises(Problem) as caught:
        validate(env)
    problem = caught.value
    assert problem.status == 422
    assert set(fields(problem)) == {
        "actororg",
        "time",
        "actorrole",
        "data.design_life_years",
        "data.contractor",
        "data.name",
    }
    assert all(isinstance(e["reason"], str) and e["reason"] for e in problem.errors)
    assert problem.extra == {"id": "evt-0001-gateway"}
    assert problem.body()["id"] == "evt-0001-gateway"
    assert all(f in problem.detail for f in fields(problem))


def test_a_cross_field_data_error_is_reported_on_data() -> None:
    env = envelope()
    env["data"] = env["data"] | {"planned_start": "2028-01-01"}
    with pytest.raises(Problem) as caught:
        validate(env)
    assert fields(caught.value) == ["data"]
    assert "planned_finish" in caught.value.errors[0]["reason"]


def test_an_unknown_type_is_named() -> None:
    with pytest.raises(Problem) as caught:
        validate(envelope(type="qtrail.project.demolished.v1"))
    assert caught.value.status == 422 and fields(caught.value) == ["type"]
    assert "qtrail.project.registered.v1" in caught.value.errors[0]["reason"]


def test_missing_attributes_are_named() -> None:
    env = envelope()
    del env["specversion"], env["subject"]
    with pytest.raises(Problem) as caught:
        validate(env)
    assert set(fields(caught.value)) == {"specversion", "subject"}


def test_without_a_string_id_the_problem_carries_no_id() -> None:
    with pytest.raises(Problem) as caught:
        validate(envelope(id=17))
    assert "id" in fields(caught.value)
    assert caught.value.extra == {} and "id" not in caught.value.body()


@pytest.mark.parametrize("value", [[], "event", None, 3])
def test_a_non_object_event_is_a_422(value: Any) -> None:
    with pytest.raises(Problem) as caught:
        validate(value)
    assert caught.value.status == 422 and fields(caught.value) == ["(event)"]


def test_data_that_is_not_an_object_is_named_once() -> None:
    with pytest.raises(Problem) as caught:
        validate(envelope(data="not an object"))
    assert fields(caught.value) == ["data"]
