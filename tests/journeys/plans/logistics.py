"""Window 11 维修服务: a dorm repair (48 calendar hours) completed with what was repaired; a
complaint about the student's own repair still unfinished 48 hours after it was reported (the
journey reports a repair, moves the platform's clock past 48 hours, then complains) answered
with the findings."""
from datetime import datetime, timedelta

from ..walk import Plan

STUDENT = "2026000001"
REPAIRED = "已更换卫生间水龙头阀芯，试水正常。"
FINDINGS = "经核实，维修班组漏派工单，已于今日上门修复，并对延误致歉。"


def repaired(ctx, case):
    mine = ctx.get(STUDENT, f"/api/cases/{case['id']}")
    assert mine["result"]["feedback"] == REPAIRED, mine["result"]
    due = datetime.fromisoformat(mine["result"]["repair_due_at"])
    assert due == datetime.fromisoformat(mine["submitted_at"]) + timedelta(hours=48)


def overdue_repair(ctx):
    """Report a repair as the same student, then let 48 hours (and one more) pass."""
    items = ctx.get(STUDENT, "/api/catalogue")["items"]
    form = next(i for i in items if i["code"] == "logistics.dorm-repair")["form_schema"][
        "examples"][0]
    ctx.repair = ctx.apply(STUDENT, "logistics.dorm-repair", form)
    ctx.set_time(datetime.fromisoformat(ctx.repair["submitted_at"]) + timedelta(hours=49))
    return {"topic": "overdue_repair", "repair_case_id": ctx.repair["id"],
            "text": "报修两天多了还没有人来修，卫生间一直漏水。"}


def answered(ctx, case):
    mine = ctx.get(STUDENT, f"/api/cases/{case['id']}")
    assert mine["result"]["feedback"] == FINDINGS, mine["result"]
    assert mine["form"]["repair_case_id"] == ctx.repair["id"]
    ticket = ctx.get(STUDENT, f"/api/cases/{ctx.repair['id']}")
    assert ticket["result"]["complaints"] == [case["id"]], ticket["result"]
    assert ticket["status"] == "submitted"                     # still waiting for its repair


PLANS = {
    "logistics.dorm-repair": Plan(student=STUDENT, inputs={"complete": {"feedback": REPAIRED}},
                                  path=("submit", "accept", "approve", "complete"),
                                  check=repaired),
    "logistics.complaint": Plan(student=STUDENT, prepare=overdue_repair,
                                inputs={"complete": {"feedback": FINDINGS}},
                                path=("submit", "accept", "approve", "complete"),
                                check=answered),
}
