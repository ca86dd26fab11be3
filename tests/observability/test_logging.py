"""The JSON log line and the outcome of a worker (pure parts of osac_shared.observability)."""
import json
import logging
import sys

import pytest

from osac_shared.errors import DomainError, forbidden
from osac_shared.observability import (CORRELATION, JsonFormatter, bind_correlation_id,
                                       configure_logging, outcome_of)


def record(msg, *args, **attrs):
    r = logging.LogRecord("aid.service", logging.WARNING, __file__, 1, msg, args, None)
    r.__dict__.update(attrs)
    return r


def test_one_json_object_with_the_fields_of_the_request():
    bind_correlation_id("req-12345678")
    try:
        line = json.loads(JsonFormatter("aid").format(
            record("rpc %s ok", "aid.submit_case", fields={"duration_ms": 3.5, "kind": "rpc"})))
    finally:
        bind_correlation_id(None)
    assert line["service"] == "aid" and line["level"] == "WARNING"
    assert line["message"] == "rpc aid.submit_case ok"
    assert line["correlation_id"] == "req-12345678"
    assert (line["duration_ms"], line["kind"]) == (3.5, "rpc")
    assert line["time"].endswith("+00:00")
    assert CORRELATION.get() is None


def test_a_correlation_id_given_with_the_record_wins_and_personal_numbers_are_masked():
    line = json.loads(JsonFormatter("gateway").format(record(
        "call from 13812345678", correlation_id="given-1234",
        fields={"error": "id 11010519491231002X refused"})))
    assert line["correlation_id"] == "given-1234"
    assert line["message"] == "call from 138****5678"
    assert line["error"] == "id 110***********002X refused"


def test_a_traceback_stays_inside_the_line():
    try:
        raise ValueError("boom")
    except ValueError:
        r = record("failed")
        r.exc_info = sys.exc_info()
    text = JsonFormatter("sla").format(r)
    assert "\n" not in text and "ValueError: boom" in json.loads(text)["exc"]


@pytest.mark.parametrize("fmt,json_lines", [("json", True), ("text", False), (None, True)])
def test_log_format(fmt, json_lines, monkeypatch):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    handler = logging.StreamHandler()
    logger = logging.getLogger("osac.test.format")
    logger.addHandler(handler)
    try:
        configure_logging("aid", fmt, loggers=("osac.test.format",))
        assert isinstance(handler.formatter, JsonFormatter) is json_lines
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize("exc,outcome", [
    (None, "ok"), (forbidden(), "refused"),
    (DomainError("not_found", "没有", "none", {}, 404), "refused"),
    (ValueError("bug"), "error")])
def test_outcome_of_a_worker(exc, outcome):
    exc_info = None if exc is None else (type(exc), exc, None)
    assert outcome_of(exc_info) == outcome
