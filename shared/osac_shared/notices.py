"""One-time notification (一次性告知) as plain functions.

A "return for supplement" carries one notice that tells the student everything at once: the
materials to add (``missing``), the materials to correct and what is wrong with each
(``correct``: {code: what to fix}), the deadline to do it, and a note. A refusal can say the
matter is out of scope and who handles it instead (``refer_to``).

The rule the engine enforces: a later notice may name only what an earlier notice of the same
case already named (still not fixed), or a material the student has changed since (a changed
material may be wrong in a new way). Anything else is a violation: the return is refused and the
attempt is recorded as a ``case.notice_violation`` event for the hall's assessment.
"""
from datetime import date

from .errors import DomainError, validation_failed


def build_notice(item, notice, reason):
    """Validate and normalise a return notice; raises DomainError naming the field."""
    notice = dict(notice or {})
    codes = {m.code for m in item.materials}
    missing = list(dict.fromkeys(notice.get("missing") or []))
    correct = notice.get("correct") or {}
    if isinstance(correct, list):
        correct = {code: "" for code in correct}
    errors = {}
    for code in missing + list(correct):
        if code not in codes:
            errors[f"notice.{code}"] = (f"本事项没有材料“{code}”，可选：{'、'.join(sorted(codes)) or '无'}"
                                        f" / {code} is not a material of this item")
    if not missing and not correct:
        errors["notice.missing"] = ("请一次性写明需补交或更正的全部材料（至少一项）/ name every "
                                    "material to add or correct (at least one)")
    deadline = notice.get("deadline")
    if deadline:
        try:
            date.fromisoformat(str(deadline)[:10])
        except ValueError:
            errors["notice.deadline"] = "补正期限格式须为 YYYY-MM-DD / deadline must be YYYY-MM-DD"
    if errors:
        raise validation_failed(errors, "退回通知不完整，请修改", "The return notice is incomplete")
    return {"missing": missing, "correct": {k: str(v)[:500] for k, v in correct.items()},
            "deadline": str(deadline)[:10] if deadline else None,
            "note": str(notice.get("note") or "")[:2000]}


def named(notice):
    return set(notice.get("missing") or []) | set(notice.get("correct") or {})


def violations(earlier_notices, changed_since_first_notice, new_notice):
    """Materials the new notice names that no earlier notice named and the student did not
    change since: each one is a breach of one-time notification. Sorted."""
    if not earlier_notices:
        return []
    allowed = set().union(*(named(n) for n in earlier_notices)) | set(changed_since_first_notice)
    return sorted(named(new_notice) - allowed)


def changed_since_first_notice(notices, supplements):
    """Codes the student supplied or replaced in resubmissions after the first notice."""
    if not notices:
        return set()
    first = notices[0]["at"]
    return {code for s in supplements or [] if s["at"] >= first for code in s["materials"]}


class NoticeViolation(DomainError):
    def __init__(self, codes):
        super().__init__(
            "notice_violation",
            "违反一次性告知：以下材料在此前的告知中未提出，且学生未改动过，不能再次退回："
            + "、".join(codes),
            "One-time notification: these materials were not named in an earlier notice and "
            "the student has not changed them, so the case cannot be returned for them: "
            + ", ".join(codes),
            {f"notice.{c}": "此前告知未提出 / not in an earlier notice" for c in codes}, 409)
        self.codes = codes
