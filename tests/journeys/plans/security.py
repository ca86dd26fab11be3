"""Window 7 (security).

- household registration question: answered in writing;
- activity safety approval: approved with the A post's safety guidance, then filed (completed);
- vehicle pass: issued for the example's plate and period; the plate then holds it (a second
  application for an overlapping period is refused, 409 pass_exists);
- hazard report: closed with its outcome and the feedback the reporter reads; an urgent one
  goes by the green channel."""
import uuid

from ..walk import Plan, mandatory

ANSWER = ("毕业生凭就业报到证（派遣证）到保卫处户籍室办理户口迁出，带身份证和集体户口页复印件，"
          "一个工作日内取《户口迁移证》。")
GUIDANCE = "包车须有营运资质；活动现场设安全员，配备急救包；禁止下水。"
FEEDBACK = "已更换三教一楼东侧楼梯间的过期灭火器，并对全楼灭火器逐一检查。"


def answered(ctx, case):
    assert case["result"]["answer"] == ANSWER


def approved_with_guidance(ctx, case):
    assert case["result"]["guidance"] == GUIDANCE, case["result"]
    assert [h["action"] for h in case["history"]] == ["submit", "accept", "approve", "complete"]


def pass_issued(ctx, case):
    form = case["form"]
    assert case["result"]["pass"] == {"plate": form["plate"], "valid_from": form["valid_from"],
                                      "valid_to": form["valid_to"]}, case["result"]
    r = ctx.as_user(case["student_id"]).post(
        ctx.url + "/api/cases", json={"item_code": case["item_code"], "form": form,
                                      "materials": mandatory(ctx.item)},
        headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=30)
    assert r.status_code == 409 and r.json()["error"] == "pass_exists", r.text


def fed_back(ctx, case):
    assert case["result"]["feedback"] == FEEDBACK
    assert case["result"]["outcome"] == "fixed"
    urgent = ctx.apply(case["student_id"], case["item_code"],
                       dict(case["form"], description="楼道堆放大量纸箱，紧邻配电箱"),
                       green_reason="紧邻配电箱，随时可能起火")
    assert urgent["green_channel"] is True, urgent
    ctx.post(case["student_id"], f"/api/cases/{urgent['id']}/actions/withdraw", {})


PLANS = {
    "security.household-consultation": Plan(inputs={"complete": {"answer": ANSWER}},
                                            check=answered),
    "security.activity-safety": Plan(inputs={"approve": {"guidance": GUIDANCE}},
                                     check=approved_with_guidance),
    "security.vehicle-pass": Plan(student="2026000006", check=pass_issued,
                                  path=("submit", "accept", "approve", "complete")),
    "security.hazard-report": Plan(inputs={"complete": {"outcome": "fixed",
                                                        "feedback": FEEDBACK}},
                                   check=fed_back),
}
