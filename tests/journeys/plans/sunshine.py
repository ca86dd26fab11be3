"""Window 13 投诉与建议: a complaint accepted and routed to the department concerned (the
department the student chose), investigated (a note), approved by the A post and completed
with the feedback to the student; an anonymous complaint hides the student from staff."""
from ..walk import Plan

STUDENT = "2026000001"
ITEM = "sunshine.complaint-suggestion"
NOTE = "已转后勤处核实：热水供应时间由宿管中心规定为22点，学生反映属实。"
FEEDBACK = "经后勤处核实，自下周一起宿舍热水供应延长至23点。感谢您的反馈。"


def investigated(ctx, case):
    mine = ctx.get(STUDENT, f"/api/cases/{case['id']}")
    assert mine["result"]["feedback"] == FEEDBACK, mine["result"]
    assert mine["result"]["routed_to"] == mine["form"]["department"] == "logistics"
    notes = ctx.get("director", f"/api/cases/{case['id']}/investigation-notes")["notes"]
    assert [n["note"] for n in notes] == [NOTE] and notes[0]["author_id"] == "sunshine_b"
    refused = ctx.as_user(STUDENT).get(f"{ctx.url}/api/cases/{case['id']}/investigation-notes",
                                       timeout=30)
    assert refused.status_code == 403                   # notes are never the student's
    form = {**ctx.item["form_schema"]["examples"][0], "anonymous": True}
    hidden = ctx.apply(STUDENT, ITEM, form)
    seen = ctx.get("sunshine_b", f"/api/cases/{hidden['id']}")
    assert (seen["student_id"], seen["student_name"]) == ("anonymous", "匿名")
    assert STUDENT not in str(seen)
    assert ctx.get(STUDENT, f"/api/cases/{hidden['id']}")["student_id"] == STUDENT


PLANS = {
    ITEM: Plan(student=STUDENT, inputs={"add_investigation_note": {"note": NOTE},
                                        "complete": {"feedback": FEEDBACK}},
               path=("submit", "accept", "approve", "complete"), check=investigated),
}
