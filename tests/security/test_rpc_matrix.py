"""Every department's RPCs, and the SLA's and the hall's, that act or read, called straight
over the bus (no gateway) by every role and by a caller with no actor at all: each service must
enforce its own boundary. The hall's and the SLA's rows also try the committee and the system
(their rules name those roles).

"refused" = DomainError 401/403; "allowed" = anything else (a success, or a domain answer such
as 404/409/422 that only comes after the caller was let through). Each table row names the
roles that must be let through; every other role must be refused. Refused roles are tried
first, so a row that changes state is changed by an allowed role only.
"""
import time

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from osac_shared.errors import DomainError
from osac_shared.registry import DEPARTMENTS

OWNER_ID, OTHER_ID = "2026000001", "2026000002"
ROLES = ("owner", "other", "b", "a", "other_b", "other_a", "desk", "director", "nobody")
EVERYONE = set(ROLES)
ANY_ACTOR = EVERYONE - {"nobody"}
STUDENTS = {"owner", "other"}
DEPT_STAFF = {"b", "a"}
READERS = {"owner", "b", "a", "director"}         # a case or a student's record
ALL_ROLES = ROLES + ("committee", "system")       # the hall and SLA rows
ANY_STAFF = {"b", "a", "other_b", "other_a"}
MANAGERS = {"director", "committee"}              # the hall's read-only reports


class Caller:
    """One standalone proxy; the actor is set per call (as the gateway's pool does)."""

    def __init__(self, amqp_uri):
        self.owner = ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30)
        self.proxy = self.owner.start()

    def __call__(self, actor, service, method, *args):
        self.owner._worker_ctx.data = {"actor": actor} if actor else {}
        return getattr(getattr(self.proxy, service), method)(*args)

    def close(self):
        self.owner.stop()


@pytest.fixture(scope="module")
def call(sec):
    caller = Caller(sec.plat.amqp_uri)
    yield caller
    caller.close()


@pytest.fixture(scope="module")
def cases(call, kit):
    """Per department: a case and a spare case of the owner."""
    made = {}
    for d in DEPARTMENTS:
        code, materials, form = kit.SIMPLE[d]
        made[d] = [call(kit.actor_for("owner", d), d, "submit_case", code, materials,
                        form)["id"] for _ in range(2)]
    return made


def outcome(call, actor, service, method, args):
    try:
        call(actor, service, method, *args)
        return "allowed"
    except DomainError as err:
        return "refused" if err.status in (401, 403) else "allowed"
    except Exception as exc:                      # a crash is never an acceptable answer
        return f"crashed: {type(exc).__name__}: {exc}"


def check(call, kit, department, service, method, args, allowed, roles=ROLES):
    """-> the mismatches of one row, trying refused roles before allowed ones."""
    wrong = []
    for role in sorted(roles, key=lambda r: r in allowed):
        got = outcome(call, kit.actor_for(role, department), service, method, args)
        want = "allowed" if role in allowed else "refused"
        if got != want:
            wrong.append(f"{service}.{method} as {role}: {got}, expected {want}")
    return wrong


def generic_rows(kit, d, case, spare):
    code, materials, form = kit.SIMPLE[d]
    return [
        ("catalogue", (), EVERYONE),
        ("form_fields", (), EVERYONE),
        ("get_case", (case,), READERS),
        ("list_cases", (), STUDENTS | DEPT_STAFF | {"director"}),
        ("delegations", (), DEPT_STAFF | {"director"}),
        ("delegate", (code, False), {"a"}),
        ("expedite", (case, "学生急需 / urgent"), DEPT_STAFF),
        ("act", (case, "accept"), DEPT_STAFF),
        ("act", (spare, "withdraw"), {"owner"}),
        ("submit_case", (code, materials, form), STUDENTS),
    ]


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_case_rpcs_of_every_department(call, kit, cases, department):
    case, spare = cases[department]
    wrong = []
    for method, args, allowed in generic_rows(kit, department, case, spare):
        wrong += check(call, kit, department, department, method, args, allowed)
    assert not wrong, "\n".join(wrong)


def extra_rows(cases):
    """(service, method, args, allowed) for each department's own RPCs."""
    c = {d: cases[d][0] for d in DEPARTMENTS}
    return [
        ("finance", "ledger", (OWNER_ID,), READERS),
        ("finance", "arrears", (OWNER_ID,), READERS),
        ("finance", "charge", (OWNER_ID, 100, "测试费用 / test fee", "sec-charge-1"), DEPT_STAFF),
        ("finance", "pay", (100, "sec-pay-1"), STUDENTS),
        ("campus_it", "card", (OWNER_ID,), READERS),
        ("campus_it", "card_ledger", (OWNER_ID,), READERS),
        ("campus_it", "top_up", (100, "sec-top-1"), STUDENTS),
        ("campus_it", "transfer", (OTHER_ID, 1, "sec-transfer-1"), STUDENTS),
        ("campus_it", "unfreeze", (OWNER_ID, True, "id_card"), DEPT_STAFF),
        ("academic", "certificate_pdf", (c["academic"],), READERS),     # the director reads
        ("academic", "verify_certificate", ("NO-SUCH-CODE",), EVERYONE),
        ("security", "verify_pass", ("湘A12345",), ANY_ACTOR),
        ("insurance", "record_payout", (c["insurance"], 100), DEPT_STAFF),
        ("aid", "record_committee_decision", (c["aid"], True), set()),   # aid_committee only
        ("aid", "programmes", (), EVERYONE),
        ("sunshine", "add_investigation_note", (c["sunshine"], "已联系后勤处 / asked logistics"),
         DEPT_STAFF),
        ("sunshine", "investigation_notes", (c["sunshine"],), DEPT_STAFF | {"director"}),
        ("sunshine", "routed_cases", (), DEPT_STAFF | {"other_b", "other_a"}),
        ("league", "membership", (OWNER_ID,), READERS),
        ("league", "competitions", (), EVERYONE),
        ("student_affairs", "free_beds", (), ANY_ACTOR),
        # staff may read the repair, then the repair is not overdue (409); only the owner
        # could ever open the complaint (engine.submit refuses everyone but students)
        ("logistics", "complain_overdue", (c["logistics"], "还没修好 / still broken"), READERS),
    ]


def test_department_rpcs(call, kit, cases):
    wrong = []
    for service, method, args, allowed in extra_rows(cases):
        wrong += check(call, kit, service, service, method, args, allowed)
    assert not wrong, "\n".join(wrong)


def test_a_post_approval_needs_the_a_post_unless_delegated(call, kit):
    """sunshine's complaint item is an A-post item: its B post may accept but not approve,
    until the A post delegates it; taking the delegation back refuses again."""
    actor_for = kit.actor_for
    d, (code, materials, form) = "sunshine", kit.SIMPLE["sunshine"]
    b, a = actor_for("b", d), actor_for("a", d)
    first, second = (call(actor_for("owner", d), d, "submit_case", code, materials, form)["id"]
                     for _ in range(2))
    for case in (first, second):
        call(b, d, "act", case, "accept")
        call(b, d, "add_investigation_note", case, "已转后勤处核实")   # approval needs one
    assert outcome(call, b, d, "act", (first, "approve")) == "refused"
    assert outcome(call, actor_for("other_a", d), d, "delegate", (code, True)) == "refused"
    call(a, d, "delegate", code, True)
    try:
        assert call(b, d, "act", first, "approve")["status"] == "processing"
    finally:
        call(a, d, "delegate", code, False)
    assert outcome(call, b, d, "act", (second, "approve")) == "refused"
    assert call(a, d, "act", second, "approve")["status"] == "processing"


def test_personal_numbers_are_masked_unless_the_role_needs_them(call, kit):
    """The owner and the department's A post see the phone number; B posts and the director
    see it masked; the free text of a complaint is masked the same way."""
    actor_for = kit.actor_for
    d, (code, materials, form) = "logistics", kit.SIMPLE["logistics"]
    case = call(actor_for("owner", d), d, "submit_case", code, materials, form)
    assert case["form"]["phone"] == "13812345678"
    seen = {role: call(actor_for(role, d), d, "get_case", case["id"])["form"]["phone"]
            for role in ("owner", "a", "b", "director")}
    assert seen == {"owner": "13812345678", "a": "13812345678", "b": "138****5678",
                    "director": "138****5678"}
    listed = call(actor_for("b", d), d, "list_cases")["cases"]
    assert all("13812345678" not in str(c["form"]) for c in listed)
    s, (code, materials, form) = "sunshine", kit.SIMPLE["sunshine"]
    complaint = call(actor_for("owner", s), s, "submit_case", code, materials, form)
    assert "13812345678" in complaint["form"]["text"]
    seen_by_b = call(actor_for("b", s), s, "get_case", complaint["id"])
    assert "138****5678" in seen_by_b["form"]["text"]


# ---- the SLA and the hall (department "logistics": b/a are logistics_b/_a, window 11) -------
def eventually(probe, timeout=30):
    deadline = time.time() + timeout
    while not (value := probe()):
        assert time.time() < deadline, "the SLA did not pick the events up in time"
        time.sleep(0.3)
    return value


@pytest.fixture(scope="module")
def hall(call, kit, cases):
    """The hall's roster at window 11 (logistics_b, logistics_b2 and logistics_a), a hand-over
    to logistics_b, a question the desk referred to logistics (q_referred; its SLA referral
    deadline is in) and an open one (q_open), a patrol finding; the SLA holds the logistics
    case's deadlines."""
    director, desk = kit.actor_for("director", "logistics"), kit.actor_for("desk", "logistics")
    b2 = {**kit.actor_for("b", "logistics"), "id": "logistics_b2"}
    for staff_id, post in (("logistics_b", "B"), ("logistics_b2", "B"), ("logistics_a", "A")):
        call(director, "hall", "set_post", 11, staff_id, post, staff_id)
    handover = call(b2, "hall", "hand_over", 11, "logistics_b", [cases["logistics"][0]], "交班")
    referred = call(desk, "hall", "record_question", OWNER_ID, "on_site", "宿舍能否养宠物？", None)
    call(desk, "hall", "refer", referred["id"], "logistics", "宿舍管理规定")
    opened = call(desk, "hall", "record_question", OWNER_ID, "phone", "报修电话是多少？", None)
    patrol = call(director, "hall", "record_patrol", "2026-01-05", {
        code: True for code in ("on_duty_discipline", "badge", "manner", "attitude",
                                "signage_and_guide", "hygiene", "answers")},
        [{"window": 11, "person": "logistics_b", "opinion": "桌面需整理"}])
    eventually(lambda: call(director, "sla", "get_deadline", cases["logistics"][0]))
    eventually(lambda: call(director, "sla", "get_deadline", str(referred["id"]), "referral"))
    return {"handover": handover["id"], "q_referred": referred["id"], "q_open": opened["id"],
            "finding": patrol["patrol"]["findings"][0]["id"]}


def sla_rows(cases, hall):
    case, referral = cases["logistics"][0], str(hall["q_referred"])
    readers = READERS | {"committee", "system"}
    viewers = ANY_STAFF | {"director", "committee", "system"}      # scoped to their department
    period = ("2026-01-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00")
    return [
        ("get_deadline", (case,), readers),
        ("get_deadline", (case, "acceptance"), readers),
        ("timers", (case,), readers),
        ("deadlines", ([case],), readers),
        # a referral: the student who asked, the department it went to, the desk
        ("get_deadline", (referral, "referral"), readers | {"desk"}),
        ("timers", (referral,), readers | {"desk"}),
        ("compute_deadline", ("2026-12-07T10:00:00+08:00", 3, "working_days"), set(ALL_ROLES)),
        ("health", (), set(ALL_ROLES)),
        ("report", period, viewers),
        ("at_risk", (), viewers),
    ]


def test_sla_rpcs(call, kit, cases, hall):
    wrong = []
    for method, args, allowed in sla_rows(cases, hall):
        wrong += check(call, kit, "logistics", "sla", method, args, allowed, ALL_ROLES)
    assert not wrong, "\n".join(wrong)


def hall_rows(cases, hall):
    case = cases["logistics"][0]
    anyone = set(ALL_ROLES) - {"nobody"}
    recorders = ANY_STAFF | {"desk", "director"}
    checks = {code: True for code in ("on_duty_discipline", "badge", "manner", "attitude",
                                      "signage_and_guide", "hygiene", "answers")}
    return [
        # roster and hand-overs
        ("windows", (), anyone),
        ("on_duty", (11,), anyone),
        ("set_post", (11, "logistics_b3", "B", "第三位学生助理"), {"director"}),
        ("remove_post", (11, "nobody_here"), {"director"}),          # 404 once let through
        ("add_shift", ("2026-12-07", "08:30", "12:00", 11, "logistics_b"), {"director"}),
        ("shifts", ("2026-12-07",), recorders),
        ("hand_over", (11, "logistics_b2", [case], "交班"), {"b"}),
        ("confirm_hand_over", (hall["handover"],), {"b"}),           # the arriving B post
        ("pending_hand_overs", (), {"director"}),
        ("list_hand_overs", (True,), ANY_STAFF | {"director"}),
        # the desk's log: the first-question owner (here the desk) and the department asked
        ("record_question", (OWNER_ID, "wechat", "学生证丢了怎么办？", None), recorders),
        ("list_questions", (), recorders),
        ("get_question", (hall["q_referred"],), {"b", "a", "desk", "director"}),
        ("refer", (hall["q_open"], "logistics", "请后勤处答复"), {"desk", "director"}),
        ("answer_referral", (hall["q_referred"], "宿舍内不允许饲养宠物。"), {"b", "a"}),
        ("follow_up", (hall["q_referred"], "已电话告知学生"), {"desk"}),
        # patrols and assessment: the director acts; managers read; staff read their own
        ("record_patrol", ("2026-01-06", checks, []), {"director"}),
        ("resolve_finding", (hall["finding"], "已整改"), {"director"}),
        ("patrols", ("2026-01",), MANAGERS),
        ("open_findings", (), MANAGERS),
        ("record_demerit", ("logistics_b", "lateness", "sec-matrix-1", "迟到"), {"director"}),
        ("assessment", ("2026-12",), MANAGERS),
        ("assessment", ("2026-12", "logistics_b"), MANAGERS | {"b"}),
        # satisfaction and the Sunshine Window: students rate their own cases and vote
        ("rate_case", (case, True, "很满意"), {"owner"}),
        ("vote", (11,), {"owner", "other"}),
        ("my_vote", (), {"owner", "other"}),
        ("satisfaction", ("2026-12",), MANAGERS),
        ("sunshine", ("2026-12",), MANAGERS),
        ("report", ("2026-12", "json"), MANAGERS),
        ("health", (), set(ALL_ROLES)),
        ("ping", (), set(ALL_ROLES)),
    ]


def test_hall_rpcs(call, kit, cases, hall):
    wrong = []
    for method, args, allowed in hall_rows(cases, hall):
        wrong += check(call, kit, "logistics", "hall", method, args, allowed, ALL_ROLES)
    assert not wrong, "\n".join(wrong)


def test_the_director_reads_documents_but_never_writes_them(call, kit, cases):
    """The director reads a certificate (there is none before completion: 409, not 403) and
    a complaint's investigation notes, and may not add a note."""
    director = kit.actor_for("director", "sunshine")
    with pytest.raises(DomainError) as err:
        call(director, "academic", "certificate_pdf", cases["academic"][1])
    assert err.value.code == "certificate_not_issued"
    assert isinstance(call(director, "sunshine", "investigation_notes", cases["sunshine"][1]),
                      list)
    assert outcome(call, director, "sunshine", "add_investigation_note",
                   (cases["sunshine"][1], "主任批注")) == "refused"
