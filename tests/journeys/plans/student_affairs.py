"""Window 1 (student affairs).

- group activity: the student first applies for Security's activity safety approval and walks
  it to completed through the public API (``Journey.walk_to_end``), then puts its case id in
  the form; this office's approve is offered only after that (the case asks Security);
- student ID card reissue: the 15-yuan fee reaches the student's finance ledger;
- bed adjustment: 2026000004 (B1 201 bed 1 in the demo) moves into the free bed 3 of B1 203;
- train discount card: a freshman buys the card; a second purchase is then refused;
- conscription consultation: answered in writing."""
import uuid

from osac_shared.testing import eventually

from ..walk import Plan, mandatory

GUIDANCE = "包车须有营运资质，出发前清点人数，全程禁止下水游泳"


def catalogue_item(ctx, code):
    items = ctx.get(ctx.plan.student, "/api/catalogue")["items"]
    return next(i for i in items if i["code"] == code)


def security_approval_first(ctx):
    """Apply for Security's safety approval as the student and walk it to its end."""
    item = catalogue_item(ctx, "security.activity-safety")
    form = dict(item["form_schema"]["examples"][0])
    case = ctx.apply(ctx.plan.student, item["code"], form, mandatory(item))
    done = ctx.walk_to_end(case, ctx.plan.student,
                           Plan(student=ctx.plan.student, inputs={
                               "approve": {"guidance": GUIDANCE}}))
    assert done["status"] == "completed", done
    ctx.security_case = done
    return {"security_case_id": done["id"], "start_date": form["starts_at"][:10],
            "end_date": form["ends_at"][:10]}


def approved_after_security(ctx, case):
    security = ctx.security_case
    assert case["result"]["security"]["case_id"] == security["id"], case["result"]
    assert case["result"]["security"]["status"] == "completed"
    seen = ctx.get(case["student_id"], f"/api/cases/{security['id']}")
    assert seen["status"] == "completed" and seen["result"]["guidance"] == GUIDANCE
    approve = next(h for h in case["history"] if h["action"] == "approve")
    done = next(h for h in seen["history"] if h["action"] == "complete")
    assert done["at"] <= approve["at"], (done, approve)


def fee_on_the_ledger(ctx, case):
    assert case["result"]["fee_cents"] == 1500

    def entry():
        statement = ctx.get(case["student_id"], "/api/finance/ledger?per_page=100")
        return next((e for e in statement["entries"] if e["ref"] == case["id"]), None)
    found = eventually(entry, timeout=30)
    assert found and found["amount_cents"] == 1500 and found["kind"] == "charge", found


def moved(ctx, case):
    assert case["result"]["bed"] == {"building": "B1", "room": "203", "bed": 3}, case["result"]
    assert case["result"]["previous_bed"] == {"building": "B1", "room": "201", "bed": 1}
    again = refused(ctx, case, case["form"])             # she lives there now
    assert "已住在" in again["fields"]["form.room"], again


def refused(ctx, case, form):
    item = ctx.item
    r = ctx.as_user(case["student_id"]).post(
        ctx.url + "/api/cases", json={"item_code": item["code"], "form": form,
                                      "materials": mandatory(item)},
        headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=30)
    assert r.status_code == 422, (r.status_code, r.text)
    return r.json()


def bought_once(ctx, case):
    again = refused(ctx, case, case["form"])
    assert "充磁" in again["fields"]["form.request"], again


ANSWER = ("在校生入伍保留学籍至退役后2年，可申请国家学费补偿；请于每年征兵报名期在全国征兵网报名，"
          "并到学生工作处登记。")


def answered(ctx, case):
    assert case["result"]["answer"] == ANSWER


PLANS = {
    "student_affairs.group-activity": Plan(
        prepare=security_approval_first, check=approved_after_security,
        path=("submit", "accept", "approve", "complete")),
    "student_affairs.student-id-card": Plan(student="2026000003", check=fee_on_the_ledger),
    "student_affairs.bed-adjustment": Plan(student="2026000004", check=moved,
                                           path=("submit", "accept", "approve", "complete")),
    "student_affairs.train-discount-card": Plan(student="2026000005", check=bought_once),
    "student_affairs.conscription-consultation": Plan(
        inputs={"complete": {"answer": ANSWER}}, check=answered),
}
