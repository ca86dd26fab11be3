"""The platform the security tests attack: every department, the SLA and hall services and the
gateway (2 gunicorn workers) on real RabbitMQ and PostgreSQL, with settings that let the tests reach
the limits quickly: an 8-second lock-out, 8 failed logins per IP, and the client IP taken from
X-Forwarded-For (one trusted proxy hop) so each throttling test has an address of its own.

``actor_for`` maps the roles of the matrices to actors: the case owner, another student, the B
and A posts of the case's department and of another one, the desk, the director, nobody, and
(for the RPC matrix of the hall and SLA, whose rules name them) the committee and the system.
"""
import uuid
from types import SimpleNamespace

import pytest

from osac_shared.registry import DEPARTMENTS
from osac_shared.testing import ACTORS, login_session, platforms, staff

# one simple item per department: (item code, materials, form)
SIMPLE = {
    "student_affairs": ("student_affairs.conscription-consultation", [],
                        {"topic": "other", "question": "入伍保留学籍吗？"}),
    "aid": ("aid.policy-consultation", [], {"topic": "grant", "question": "助学金怎么申请？"}),
    "insurance": ("insurance.claim-consultation", [],
                  {"insurance": "medical", "question": "门诊能报销吗？"}),
    "career": ("career.policy-consultation", [],
               {"topic": "employment", "question": "就业协议怎么签？"}),
    "academic": ("academic.enrollment-certificate", [], {"purpose": "办理签证"}),
    "security": ("security.hazard-report", [],
                 {"category": "fire", "location": "A3 楼道", "description": "灭火器过期"}),
    "league": ("league.practice-volunteer-consultation", [],
               {"topic": "volunteer_hours", "question": "志愿时长怎么认定？"}),
    "campus_it": ("campus_it.dorm-network-fault", [],
                  {"building": "A3", "room": "302", "fault": "slow",
                   "description": "晚上网速很慢"}),
    "logistics": ("logistics.dorm-repair", [],
                  {"building": "A3", "room": "302", "facility": "water",
                   "description": "水龙头漏水", "phone": "13812345678"}),
    "finance": ("finance.fee-consultation", [],
                {"topic": "tuition", "question": "学费标准是多少？"}),
    "sunshine": ("sunshine.complaint-suggestion", [],
                 {"category": "complaint", "department": "logistics",
                  "text": "报修三天没人来，联系电话13812345678"}),
}
OTHER_DEPT = {d: ("finance" if d != "finance" else "logistics") for d in DEPARTMENTS}
ROLES = ("owner", "other", "b", "a", "other_b", "other_a", "desk", "director", "nobody")
DESK = {"id": "desk", "role": "desk", "name": "咨询台"}
COMMITTEE = {"id": "committee", "role": "committee", "name": "管理委员会"}
SYSTEM = {"id": "system", "role": "system", "name": "系统"}


def actor_for(role, department):
    """The RPC actor of ``role`` for a case of ``department`` (None for nobody)."""
    other = OTHER_DEPT[department]
    return {"owner": ACTORS["student"], "other": ACTORS["student2"],
            "b": staff(department), "a": staff(department, "a_post"),
            "other_b": staff(other), "other_a": staff(other, "a_post"),
            "desk": DESK, "director": ACTORS["director"], "committee": COMMITTEE,
            "system": SYSTEM, "nobody": None}[role]


def username_for(role, department):
    actor = actor_for(role, department)
    return actor["id"] if actor else None


@pytest.fixture(scope="session")
def kit():
    """The tables and helpers above, for the test modules (a conftest is not importable
    under --import-mode=importlib)."""
    return SimpleNamespace(SIMPLE=SIMPLE, OTHER_DEPT=OTHER_DEPT, ROLES=ROLES,
                           actor_for=actor_for, username_for=username_for)


@pytest.fixture(scope="package")
def sec(tmp_path_factory):
    upload_dir = tmp_path_factory.mktemp("uploads")
    with platforms() as start:
        plat = start(list(DEPARTMENTS) + ["sla", "hall"], gateway=True,
                     tag="sec" + uuid.uuid4().hex[:6], extra_env={
                         "TRUSTED_PROXY_HOPS": "1", "LOGIN_LOCK_SECONDS": "8",
                         "LOGIN_MAX_FAILURES_PER_IP": "8", "UPLOAD_DIR": str(upload_dir)})
        yield SimpleNamespace(plat=plat, url=plat.gateway_url, upload_dir=upload_dir)


@pytest.fixture(scope="package")
def sessions(sec):
    """username -> a logged-in requests.Session (cookie + CSRF header), made once."""
    cache = {}

    def get(username):
        if username not in cache:
            cache[username] = login_session(sec.url, username)
        return cache[username]
    return get
