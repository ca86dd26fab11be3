"""Every department's RPCs that act or read, called straight over the bus (no gateway) by every
role and by a caller with no actor at all: each service must enforce its own boundary.

"refused" = DomainError 401/403; "allowed" = anything else (a success, or a domain answer such
as 404/409/422 that only comes after the caller was let through). Each table row names the
roles that must be let through; every other role must be refused. Refused roles are tried
first, so a row that changes state is changed by an allowed role only.
"""
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


def check(call, kit, department, service, method, args, allowed):
    """-> the mismatches of one row, trying refused roles before allowed ones."""
    wrong = []
    for role in sorted(ROLES, key=lambda r: r in allowed):
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
        ("academic", "certificate_pdf", (c["academic"],), {"owner", "b", "a"}),
        ("academic", "verify_certificate", ("NO-SUCH-CODE",), EVERYONE),
        ("security", "verify_pass", ("湘A12345",), ANY_ACTOR),
        ("insurance", "record_payout", (c["insurance"], 100), DEPT_STAFF),
        ("aid", "record_committee_decision", (c["aid"], True), {"a"}),
        ("aid", "programmes", (), EVERYONE),
        ("sunshine", "add_investigation_note", (c["sunshine"], "已联系后勤处 / asked logistics"),
         DEPT_STAFF),
        ("sunshine", "investigation_notes", (c["sunshine"],), DEPT_STAFF),
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
