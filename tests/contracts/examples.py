"""Consumers' examples, in one place: every RPC call each consumer makes (as it makes it: the
same positional/keyword arguments, the same actor) and the result fields it relies on, plus
the events each event consumer is written against. The provider tests replay them in order
against the real services (tests/contracts/test_providers.py); the consumer tests check them
against the declared contracts (test_consumers.py).

Consumers: ``gateway`` (gateway/gateway/*.py), ``hall`` (sla.report, department get_case),
``sunshine`` (department get_case), ``student_affairs`` (security.activity_approval_status);
event consumers: sla, finance, hall, aid.
"""
from datetime import datetime, timedelta

from osac_shared.clock import TZ
from osac_shared.contract_testing import Example as E
from osac_shared.registry import DEPARTMENTS
from osac_shared.testing import ACTORS, staff

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)                 # a Monday, in working hours
STUDENT, STUDENT2, DIRECTOR = ACTORS["student"], ACTORS["student2"], ACTORS["director"]
DESK = {"id": "desk", "role": "desk", "name": "咨询台"}
ACTIVITY_START = (T0 + timedelta(days=7)).isoformat()


def b(department):
    return staff(department, "b_post")


def a(department):
    return staff(department, "a_post")


# what the gateway's forms send: one item per department (item, materials, form)
SUBMISSIONS = {
    "student_affairs": ("student_affairs.conscription-consultation", [],
                        {"topic": "pre_enlistment", "question": "预征兵报名需要什么材料？"}),
    "aid": ("aid.policy-consultation", [], {"topic": "grant", "question": "国家助学金怎么申请？"}),
    "insurance": ("insurance.claim-consultation", [],
                  {"insurance": "medical", "question": "门诊费用怎么报销？"}),
    "career": ("career.policy-consultation", [],
               {"topic": "employment", "question": "就业协议丢了怎么办？"}),
    "academic": ("academic.policy-consultation", [],
                 {"topic": "minor", "question": "辅修学分如何认定？"}),
    "security": ("security.household-consultation", [],
                 {"topic": "move_in", "question": "户口迁入需要什么材料？"}),
    "league": ("league.league-work-consultation", [],
               {"topic": "other", "question": "团员证如何注册？"}),
    "campus_it": ("campus_it.dorm-network-fault", [],
                  {"building": "C2", "room": "415", "fault": "no_connection",
                   "description": "宿舍网口没有信号"}),
    "logistics": ("logistics.dorm-repair", [],
                  {"building": "C2", "room": "415", "facility": "electricity",
                   "description": "插座没电"}),
    "finance": ("finance.fee-consultation", [],
                {"topic": "payment", "question": "学费可以分期缴纳吗？"}),
    "sunshine": ("sunshine.complaint-suggestion", [],
                 {"category": "suggestion", "department": "logistics",
                  "text": "希望延长报修电话的服务时间"}),
}
CASE_READS = ("id", "item_code", "student_id", "status", "status_zh", "history",
              "allowed_actions", "submitted_at", "updated_at", "result", "notices")
ITEM_READS = ("code", "name_zh", "name_en", "window", "department", "limit", "materials",
              "kind", "post", "green_channel")
DEADLINE_READS = ("due_at", "flagged", "status", "on_time")
VERIFY_READS = ("valid", "status", "code", "kind", "kind_zh", "kind_en", "student_name",
                "student_id", "issued_at", "sha256")


def department_examples(d):
    item, materials, form = SUBMISSIONS[d]
    case = f"{d}_case"
    return [
        E("gateway", d, "catalogue", reads=ITEM_READS),
        E("gateway", d, "form_fields", actor=None),
        E("gateway", d, "health", reads=("status",)),
        E("gateway", d, "submit_case", (item, materials, form, f"contract-{d}", ""),
          actor=STUDENT, reads=CASE_READS, save=case),
        E("gateway", d, "get_case", (f"{{{case}.id}}",), actor=STUDENT, reads=CASE_READS),
        E("gateway", d, "list_cases", kwargs={"statuses": None, "page": 1, "per_page": 20},
          actor=STUDENT, reads=("cases", "total")),
        E("gateway", d, "act", (f"{{{case}.id}}", "accept"), {"reason": ""}, actor=b(d),
          reads=("status", "history")),
        E("gateway", d, "delegations", actor=a(d), reads=()),
        E("gateway", "sla", "get_deadline", (f"{{{case}.id}}",), actor=STUDENT,
          reads=DEADLINE_READS, eventually=True),
    ]


EXAMPLES = [ex for d in DEPARTMENTS for ex in department_examples(d)] + [
    # ---- gateway: the rest of the case API ------------------------------------------------
    E("gateway", "logistics", "get_case", ("logistics-20261207-00000000",), actor=STUDENT,
      error="not_found"),
    E("gateway", "logistics", "expedite", ("{logistics_case.id}", "宿舍停电，学生需用电"),
      actor=b("logistics"), reads=("green_channel", "status")),
    E("gateway", "logistics", "delegate", ("logistics.complaint",), {"enabled": True},
      actor=a("logistics"), reads=("item_code", "b_post_id")),
    E("gateway", "logistics", "delegations", actor=a("logistics"),
      reads=("item_code", "b_post_id")),
    E("gateway", "aid", "act", ("{aid_case.id}", "approve"), {"reason": ""}, actor=b("aid"),
      reads=("status",)),
    E("gateway", "aid", "act", ("{aid_case.id}", "complete"),
      {"reason": "国家助学金每学年申请一次，请于9月提交。"}, actor=b("aid"),
      reads=("status", "result")),
    E("gateway", "sla", "deadlines", (["{aid_case.id}", "{logistics_case.id}"],),
      actor=STUDENT, reads=DEADLINE_READS),
    E("gateway", "sla", "report", ("2026-12-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00"),
      actor=DIRECTOR, reads=("total", "on_time_rate", "by_window", "breaches")),
    E("gateway", "sla", "at_risk", (1, 20), actor=DIRECTOR,
      reads=("items", "total", "page", "per_page")),
    E("gateway", "sla", "compute_deadline", ("2026-12-07T10:00:00+08:00", 3, "working_days"),
      actor=STUDENT, reads=("due_at", "flagged")),
    E("gateway", "sla", "health", reads=("status",)),
    E("gateway", "sla", "promise", ({k: f"{{logistics_case.{k}}}" for k in (
        "id", "item_code", "window", "department", "student_id", "limit", "post", "kind",
        "green_channel", "submitted_at")},), actor=STUDENT, reads=("due_at", "flagged")),
    E("gateway", "logistics", "perform", ("{logistics_case.id}", "approve", {"reason": ""}),
      actor=b("logistics"), reads=("status", "next_actions", "waiting_for")),
    E("gateway", "logistics", "perform", ("{logistics_case.id}", "fly", {}),
      actor=b("logistics"), error="unknown_action"),
    E("benchmarks", "logistics", "ping"),                       # benchmarks/run.py
    # ---- gateway: money ----------------------------------------------------------------------
    E("gateway", "finance", "ledger", ("2026000001", 1, 20), actor=STUDENT,
      reads=("entries", "balance_cents", "arrears_cents", "credit_cents", "total")),
    E("gateway", "finance", "pay", (10000, "contract-pay-1", None), actor=STUDENT,
      reads=("id", "kind", "amount_cents", "description")),
    E("gateway", "campus_it", "card", ("2026000001",), actor=STUDENT,
      reads=("card_no", "status", "status_zh", "balance_cents")),
    E("gateway", "campus_it", "card_ledger", ("2026000001", 1, 20), actor=STUDENT,
      reads=("entries", "total")),
    E("gateway", "campus_it", "top_up", (5000, "contract-top-up-1"), actor=STUDENT,
      reads=("entry_id", "amount_cents", "balance_cents")),
    E("gateway", "campus_it", "transfer", ("2026000002", 1000, "contract-transfer-1"),
      actor=STUDENT, reads=("entry_id", "amount_cents", "balance_cents")),
    # ---- gateway: the hall (desk, hand-overs, satisfaction) ----------------------------------
    E("gateway", "hall", "health", reads=("status",)),
    E("gateway", "hall", "record_question", ("2026000001", "on_site", "宿舍能否养宠物？", None),
      actor=DESK, reads=("id", "status", "status_zh"), save="question"),
    E("gateway", "hall", "list_questions", (None,), {"page": 1, "per_page": 20}, actor=DESK,
      reads=("questions", "total")),
    E("gateway", "hall", "refer", ("{question.id}", "logistics", "宿舍管理规定"), actor=DESK,
      reads=("id", "status", "to_department")),
    E("gateway", "hall", "answer_referral", ("{question.id}", "宿舍内不允许饲养宠物。"),
      actor=b("logistics"), reads=("id", "status")),
    E("gateway", "hall", "follow_up", ("{question.id}", "已电话告知学生"), actor=DESK,
      reads=("id", "status")),
    E("gateway", "hall", "rate_case", ("{aid_case.id}", True, "解答清楚"), actor=STUDENT,
      reads=("case_id", "satisfied")),
    E("gateway", "hall", "satisfaction", ("2026-12",), actor=DIRECTOR,
      reads=("target", "by_window", "by_person")),
    E("gateway", "hall", "sunshine", ("2026-12",), actor=DIRECTOR,
      reads=("sunshine_window", "ranking")),
    E("gateway", "hall", "report", ("2026-12", "json"), actor=DIRECTOR,
      reads=("period", "rows")),
    E("gateway", "hall", "report", ("2026-12", "csv"), actor=DIRECTOR,
      reads=("content_type", "filename", "base64")),
    E("gateway", "hall", "set_post", (11, "logistics_b2", "B", "后勤B岗（接班）"), actor=DIRECTOR,
      reads=("window", "staff_id", "post", "name")),
    E("gateway", "hall", "hand_over", (11, "logistics_b2", ["{logistics_case.id}"], "交班"),
      actor=b("logistics"), reads=("id", "to_b_post", "open_case_ids", "confirmed"),
      save="handover"),
    E("gateway", "hall", "pending_hand_overs", actor=DIRECTOR,
      reads=("id", "window", "from_b_post", "to_b_post", "created_at")),
    E("gateway", "hall", "list_hand_overs", (True,), actor=b("logistics"),
      reads=("id", "to_b_post", "confirmed")),
    E("gateway", "hall", "confirm_hand_over", ("{handover.id}",),
      actor={**b("logistics"), "id": "logistics_b2"}, reads=("id", "confirmed")),
    # ---- gateway: the hall's roster, patrols, assessment and votes ------------------------------
    E("gateway", "hall", "windows", actor=DIRECTOR,
      reads=("window", "name_zh", "name_en", "department", "posts")),
    E("gateway", "hall", "add_shift", ("2026-12-08", "08:30", "12:00", 11, "logistics_b2"),
      actor=DIRECTOR, reads=("id", "date", "start", "end", "window", "staff_id")),
    E("gateway", "hall", "shifts", ("2026-12-08", None), actor=DIRECTOR,
      reads=("id", "date", "start", "end", "window", "staff_id")),
    E("gateway", "hall", "on_duty", (11,), actor=STUDENT,
      reads=("window", "b_posts", "a_posts", "a_post_at_window")),
    E("setup", "hall", "set_post", (13, "sunshine_b9", "B", "临时学生助理"), actor=DIRECTOR,
      setup=True),
    E("gateway", "hall", "remove_post", (13, "sunshine_b9"), actor=DIRECTOR,
      reads=("window", "staff_id", "shifts_removed")),
    E("gateway", "hall", "record_patrol", (
        "2026-12-07", {c: True for c in ("on_duty_discipline", "badge", "manner", "attitude",
                                         "signage_and_guide", "hygiene", "answers")},
        [{"window": 11, "person": "logistics_b", "opinion": "桌面需整理", "result": ""}]),
      actor=DIRECTOR, reads=("patrol", "warnings"), save="patrol"),
    E("gateway", "hall", "open_findings", actor=DIRECTOR,
      reads=("id", "date", "window", "person", "opinion", "patroller_id")),
    E("gateway", "hall", "resolve_finding", ("{patrol.patrol.findings.0.id}", "已当场整改"),
      actor=DIRECTOR, reads=("id", "result", "resolved", "resolved_at")),
    E("gateway", "hall", "patrols", ("2026-12",), actor=DIRECTOR,
      reads=("id", "date", "patroller_id", "checklist", "findings")),
    E("gateway", "hall", "record_demerit", ("logistics_b", "lateness", "contract-demerit-1",
                                            "迟到10分钟"), actor=DIRECTOR,
      reads=("demerit", "month_demerits", "term_demerits", "wage_reduced", "dismissal_flag")),
    E("gateway", "hall", "assessment", ("2026-12", None), actor=DIRECTOR,
      reads=("period", "people")),
    E("gateway", "hall", "assessment", ("2026-12", "logistics_b"), actor=b("logistics"),
      reads=("period", "people")),
    E("gateway", "hall", "my_vote", (None,), actor=STUDENT2,
      reads=("month", "window", "can_vote")),
    E("gateway", "hall", "vote", (11, None), actor=STUDENT2,
      reads=("student_id", "month", "window")),
    # ---- the hall's and sunshine's calls to other services -----------------------------------
    E("hall", "sla", "report", ("2026-12-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00"),
      actor=DIRECTOR, reads=("by_window",)),
    E("hall", "aid", "get_case", ("{aid_case.id}",), actor=STUDENT,
      reads=("id", "status", "history", "window", "department")),
    E("sunshine", "logistics", "get_case", ("{logistics_case.id}",), actor=STUDENT,
      reads=("id", "status", "status_zh", "item_name_zh")),
    E("sunshine", "logistics", "get_case", ("logistics-20261207-ffffffff",), actor=STUDENT,
      error="not_found"),
    # ---- gateway: a case's documents (read by the director too) ------------------------------
    E("setup", "academic", "submit_case", ("academic.enrollment-certificate", [],
                                           {"purpose": "办理签证"}, "contract-certificate", ""),
      actor=STUDENT, save="certificate", setup=True),
    E("setup", "academic", "act", ("{certificate.id}", "accept"), actor=b("academic"),
      setup=True),
    E("setup", "academic", "act", ("{certificate.id}", "approve"), actor=a("academic"),
      setup=True),
    E("setup", "academic", "act", ("{certificate.id}", "complete"), actor=b("academic"),
      save="issued", setup=True),
    E("gateway", "academic", "certificate_pdf", ("{certificate.id}",), actor=STUDENT,
      reads=("filename", "content_type", "pdf_base64")),
    E("gateway", "academic", "certificate_pdf", ("{certificate.id}",), actor=DIRECTOR,
      reads=("filename", "content_type", "pdf_base64")),
    # ---- gateway: the public /verify/<code> page, and the A post revoking ------------------------
    E("gateway", "academic", "verify_certificate", ("{issued.result.certificate_code}",),
      actor=None, reads=VERIFY_READS),
    E("gateway", "academic", "verify_certificate", ("ABCDEFGH2345",), actor=None,
      reads=("valid", "status")),
    E("gateway", "academic", "revoke_certificate", ("{certificate.id}", ""), actor=a("academic"),
      error="validation_failed"),
    E("gateway", "academic", "revoke_certificate", ("{certificate.id}", "信息有误，已重新开具"),
      actor=b("academic"), error="forbidden"),
    E("gateway", "academic", "revoke_certificate", ("{certificate.id}", "信息有误，已重新开具"),
      actor=a("academic"), reads=("case_id", "status", "revoked_at", "revoke_reason")),
    E("gateway", "academic", "revoke_certificate", ("{certificate.id}", "再次撤销"),
      actor=a("academic"), error="certificate_already_revoked"),
    E("gateway", "academic", "verify_certificate", ("{issued.result.certificate_code}",),
      actor=None, reads=VERIFY_READS + ("revoked_at", "revoke_reason")),
    E("setup", "sunshine", "add_investigation_note", ("{sunshine_case.id}", "已转后勤处核实"),
      actor=b("sunshine"), setup=True),
    E("gateway", "sunshine", "investigation_notes", ("{sunshine_case.id}",), actor=DIRECTOR,
      reads=("note", "author_id", "author_role", "at")),
    # ---- student_affairs waits for security's safety approval --------------------------------
    E("setup", "security", "submit_case",
      ("security.activity-safety", ["activity_plan"],
       {"name": "校园歌手大赛", "kind": "performance", "organizer": "校团委",
        "venue": "大学生活动中心", "starts_at": ACTIVITY_START,
        "ends_at": (T0 + timedelta(days=7, hours=3)).isoformat(),
        "participants": 150, "safety_officer": "王老师", "phone": "13700000000"}),
      actor=STUDENT, save="activity",
      setup=True),
    E("student_affairs", "security", "activity_approval_status", ("{activity.id}",),
      actor=a("student_affairs"), reads=("approved", "status", "activity")),
    E("student_affairs", "security", "activity_approval_status", ("{aid_case.id}",),
      actor=a("student_affairs"), error="not_found"),
    # ---- last: 48 hours later the repair is overdue and may be complained about --------------
    E("gateway", "logistics", "complain_overdue", ("{logistics_case.id}", "报修两天无人处理"),
      actor=STUDENT, reads=CASE_READS),
]
# the clock moves before these (the provider test sets it)
CLOCK = {("gateway", "logistics", "complain_overdue"): T0 + timedelta(hours=49)}


# ---- events each consumer is written against ------------------------------------------------
def case_event_data(department, item_code, window, status="submitted", previous=None):
    return {"item_code": item_code, "window": window, "department": department,
            "student_id": STUDENT["id"], "status": status, "previous_status": previous,
            "actor_id": STUDENT["id"], "actor_role": "student", "reason": "",
            "limit": {"value": 48, "unit": "calendar_hours"}, "post": "B",
            "kind": "report", "green_channel": False, "submitted_at": T0.isoformat()}


AWARD_V1 = {"student_id": "2026000088", "programme": "national_grant", "amount_cents": 330000,
            "academic_year": "2026-2027"}
AWARD_V2 = {"student_id": "2026000089", "programme": "national_scholarship",
            "amount_cents": 800000, "academic_year": "2026-2027",
            "programme_name_zh": "国家奖学金", "currency": "CNY"}
EVENT_EXAMPLES = {
    # consumer: [(source, type, version, data, case_id)]
    "sla": [("logistics", "case.submitted", 1,
             case_event_data("logistics", "logistics.dorm-repair", 11), "logistics-contract-1")],
    "finance": [("aid", "aid.awarded", 1, AWARD_V1, "aid-contract-v1"),
                ("aid", "aid.awarded", 2, AWARD_V2, "aid-contract-v2"),
                ("campus_it", "fee.requested", 1,
                 {"student_id": "2026000088", "amount_cents": 2000,
                  "description": "一卡通补办工本费", "reference": "contract-fee-1"}, None)],
    "aid": [("hall", "hall.wage_adjusted", 1,
             {"assistant_id": "aid_b", "month": "2026-12", "demerits": 2,
              "rate_delta_yuan": -1}, None)],
}
