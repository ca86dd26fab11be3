"""End to end through the gateway's HTTP on real RabbitMQ and PostgreSQL:
student submits -> department service -> event -> SLA deadline stored -> staff handles,
with one-time notification enforced on the way -> SLA records the case on time."""
import json
import time
import uuid

from kombu import Connection, Queue
from nameko.events import get_event_exchange

from osac_shared.clock import system_now

_YEAR = system_now().year + 1                 # an academic year not yet begun
EXCHANGE_FORM = {"item_code": "academic.exchange", "form": {
    "programme": "domestic_exchange", "partner_university": "厦门大学",
    "academic_year": f"{_YEAR}-{_YEAR + 1}", "term": "autumn", "gpa": 3.2,
    "language_test": "none", "study_plan": "到厦门大学访学一学期，修读海洋经济方向课程。"}}


def wait_for(fetch, ok, timeout=20):
    deadline = time.time() + timeout
    while True:
        value = fetch()
        if ok(value) or time.time() > deadline:
            return value
        time.sleep(0.3)


def violation_queue(amqp_uri):
    exchange = get_event_exchange("academic", {"AMQP_URI": amqp_uri})
    queue = Queue(f"e2e-violations-{uuid.uuid4().hex[:6]}", exchange=exchange,
                  routing_key="case.notice_violation", durable=False, auto_delete=False)
    with Connection(amqp_uri) as conn:
        queue(conn.default_channel).declare()
    return queue


def drain(amqp_uri, queue):
    with Connection(amqp_uri) as conn:
        q = queue(conn.default_channel)
        out = []
        while (msg := q.get(no_ack=True)) is not None:
            body = msg.body if isinstance(msg.body, dict) else json.loads(msg.body)
            out.append(body)
        return out


def test_a_case_from_submission_to_on_time_completion(hall, url, login):
    student, clerk, teacher = login("2026000001"), login("academic_b"), login("academic_a")
    violations = violation_queue(hall.amqp_uri)

    # one-time notification at submission: every missing material named at once
    r = student.post(f"{url}/api/cases", json={**EXCHANGE_FORM, "materials": []})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "materials_missing"
    assert set(body["fields"]) == {"materials.application_form", "materials.transcript"}
    assert body["message"] and body["message_en"]

    r = student.post(f"{url}/api/cases", json={**EXCHANGE_FORM,
                                               "materials": ["application_form", "transcript"]},
                     headers={"Idempotency-Key": uuid.uuid4().hex})
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]

    # the department's event reached the SLA service, which stored the deadline
    case = wait_for(lambda: student.get(f"{url}/api/cases/{case_id}").json(),
                    lambda c: c.get("due_at"))
    assert case["due_at"] and case["due_at"].endswith("+08:00")
    assert case["status"] == "submitted"

    # the B post returns it with one complete notice
    r = clerk.post(f"{url}/api/cases/{case_id}/return", json={
        "reason": "成绩单未盖教务处公章", "correct": ["transcript"]})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "returned"
    r = student.post(f"{url}/api/cases/{case_id}/resubmit", json={"materials": ["transcript"]})
    assert r.status_code == 200 and r.json()["status"] == "resubmitted", r.text

    # a second return for something the first notice never named is refused and recorded
    r = clerk.post(f"{url}/api/cases/{case_id}/return", json={
        "reason": "申请表未签名", "missing": ["application_form"]})
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "notice_violation"
    assert "application_form" in json.dumps(r.json()["fields"])
    recorded = wait_for(lambda: drain(hall.amqp_uri, violations), bool, timeout=10)
    assert [e["data"]["materials"] for e in recorded] == [["application_form"]]
    assert student.get(f"{url}/api/cases/{case_id}").json()["status"] == "resubmitted"

    # the B post accepts; approval of an A-post item is the teacher's
    assert clerk.post(f"{url}/api/cases/{case_id}/accept", json={}).status_code == 200
    r = clerk.post(f"{url}/api/cases/{case_id}/approve", json={})
    assert r.status_code == 403, r.text
    assert teacher.post(f"{url}/api/cases/{case_id}/approve", json={}).status_code == 200
    r = teacher.post(f"{url}/api/cases/{case_id}/complete", json={})
    assert r.status_code == 200 and r.json()["status"] == "completed", r.text

    # the SLA service saw the completion and records the case as on time
    case = wait_for(lambda: student.get(f"{url}/api/cases/{case_id}").json(),
                    lambda c: c.get("sla_status") == "met")
    assert case["sla_status"] == "met", case
    assert case["on_time"] is True
    steps = [(h["action"], h["actor_id"]) for h in case["history"]]
    assert steps == [("submit", "2026000001"), ("return", "academic_b"),
                     ("resubmit", "2026000001"), ("accept", "academic_b"),
                     ("approve", "academic_a"), ("complete", "academic_a")]
    assert all(h["at"].endswith("+08:00") for h in case["history"])

    # and it shows in "my affairs" with nothing unavailable
    mine = student.get(f"{url}/api/me/cases").json()
    assert mine["unavailable"] == []
    assert case_id in [c["id"] for c in mine["cases"]]


def test_other_students_and_other_departments_are_refused(url, login):
    student, other, outsider = login("2026000001"), login("2026000002"), login("finance_b")
    r = student.post(f"{url}/api/cases", json={**EXCHANGE_FORM,
                                               "materials": ["application_form", "transcript"]})
    case_id = r.json()["id"]
    assert other.get(f"{url}/api/cases/{case_id}").status_code == 403
    assert outsider.post(f"{url}/api/cases/{case_id}/accept", json={}).status_code == 403
    assert other.post(f"{url}/api/cases/{case_id}/withdraw", json={}).status_code == 403
    assert student.post(f"{url}/api/cases/{case_id}/withdraw", json={}).status_code == 200
