"""Who may rate a case, who may vote, and who answers for a case (its last staff actor)."""
from osac_shared.auth import STAFF, STUDENT
from osac_shared.errors import DomainError, forbidden, validation_failed

from .periods import MONTH


def last_staff_actor(history):
    """The last history entry made by a B or A post: (actor id, role), or (None, None)."""
    for entry in reversed(history or []):
        if entry.get("actor_role") in STAFF:
            return entry.get("actor_id"), entry.get("actor_role")
    return None, None


def check_rating(actor, case, satisfied, comment, already_rated):
    if actor.get("role") != STUDENT or actor.get("id") != case.get("student_id"):
        raise forbidden("只有办理该事项的学生本人可以评价", "Only the student whose case it is "
                        "can rate it")
    if case.get("status") != "completed":
        raise DomainError("case_not_completed", "事项办结后才能评价",
                          "A case can be rated once it is completed",
                          {"case_id": f"当前状态：{case.get('status_zh') or case.get('status')} / "
                                      f"status: {case.get('status')}"}, 409)
    if already_rated:
        raise DomainError("already_rated", "该事项已评价过，每个事项只能评价一次",
                          "This case has already been rated (once per case)",
                          {"case_id": "已评价 / already rated"}, 409)
    errors = {}
    if not isinstance(satisfied, bool):
        errors["satisfied"] = "请选择满意或不满意（true/false）/ true or false"
    if len(str(comment or "")) > 1000:
        errors["comment"] = "评价最多1000字 / at most 1000 characters"
    if errors:
        raise validation_failed(errors)
    return str(comment or "").strip()


def check_vote(actor, month, current_month, already_voted):
    if actor.get("role") != STUDENT:
        raise forbidden("只有学生可以投票", "Only students can vote")
    if not MONTH.match(str(month or "")) or month != current_month:
        raise validation_failed({"month": f"只能为本月（{current_month}）投票 / you can vote for "
                                          f"the current month ({current_month}) only"})
    if already_voted:
        raise DomainError("already_voted", "本月已投过票，每月只能投一票",
                          "You have already voted this month (one vote a month)",
                          {"month": month}, 409)


def check_vote_month(actor, month, current_month):
    """The month whose vote a student asks about (their own): this month unless named."""
    if actor.get("role") != STUDENT:
        raise forbidden("只有学生可以投票", "Only students can vote")
    month = current_month if month is None else month
    if not MONTH.match(str(month)):
        raise validation_failed({"month": f"月份须写作 YYYY-MM，如 {current_month} / a month "
                                          f"like {current_month}"})
    return month
