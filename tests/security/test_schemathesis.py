"""Property-based fuzzing of the gateway from its own OpenAPI document (schemathesis), over
real HTTP in front of the real services: valid and invalid inputs for every documented
operation (every /api route: gateway/tests/test_openapi_coverage.py keeps the document
complete), as nobody and as a logged-in student, B post and the director (who reaches the
hall's and the SLA's director routes), and

- never a server error (5xx other than a department named as unavailable, which the document
  lists as 503/504);
- every answer conforms to the document: its status is one the operation lists, its content
  type one it declares, its body matches the schema (errors: {error, message, message_en,
  fields}).

Bounded: a few examples per operation and phase, a fixed seed, a time budget, one worker
(with two, schemathesis itself sometimes crashes: a SystemError from ast.parse in
hypothesis's threads under Python 3.11, nothing the gateway did). /api/logout is left out
(it would end the session under test); /api/login is fuzzed from an address of its own,
which it soon locks out (429, documented)."""
import os
import subprocess
import sys

import pytest

from osac_shared.testing import ARTIFACTS

ST = os.path.join(os.path.dirname(sys.executable), "schemathesis")
CHECKS = ",".join(["not_a_server_error", "status_code_conformance", "content_type_conformance",
                   "response_schema_conformance"])


def fuzz(url, name, headers=()):
    report = os.path.join(ARTIFACTS, "schemathesis", name)
    os.makedirs(report, exist_ok=True)
    argv = [ST, "run", f"{url}/api/openapi.json", "--url", url,
            "--checks", CHECKS, "--max-examples", "6", "--seed", "20261207",
            "--phases", "examples,coverage,fuzzing", "--max-time", "100", "--workers", "1",
            "--exclude-path", "/api/logout", "--request-timeout", "30",
            "--generation-database", "none", "--no-color", "--warnings", "off",
            "--report", "junit", "--report-dir", report,
            "-H", f"X-Forwarded-For: 10.99.{len(name)}.1"]
    for header in headers:
        argv += ["-H", header]
    return subprocess.run(argv, capture_output=True, text=True, timeout=600)


def session_headers(session):
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    return [f"Cookie: {cookie}", f"X-CSRF-Token: {session.cookies['csrf_token']}"]


@pytest.mark.parametrize("who", [None, "2026000001", "logistics_b", "director"])
def test_no_input_makes_the_gateway_fail(sec, sessions, who):
    headers = session_headers(sessions(who)) if who else []
    result = fuzz(sec.url, who or "anonymous", headers)
    tail = (result.stdout + result.stderr)[-6000:]
    assert result.returncode == 0, tail
