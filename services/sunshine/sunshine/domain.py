"""Complaint and suggestion rules (plain functions): the form, routing to the department
concerned, investigation notes, the feedback, and what an anonymous case shows to others."""
from dataclasses import dataclass

from marshmallow import ValidationError, fields, validate, validates_schema

from osac_shared.errors import DomainError, validation_failed
from osac_shared.forms import Form, Text
from osac_shared.registry import DEPARTMENT_EN, DEPARTMENT_ZH, DEPARTMENTS
from osac_shared.steps import Step

CATEGORIES = {"complaint": ("投诉", "Complaint"), "suggestion": ("建议", "Suggestion")}
CATEGORIES_ZH = {k: v[0] for k, v in CATEGORIES.items()}
CATEGORIES_EN = {k: v[1] for k, v in CATEGORIES.items()}
DEPARTMENTS_ZH = {d: DEPARTMENT_ZH[d] for d in DEPARTMENTS}
DEPARTMENTS_EN = {d: DEPARTMENT_EN[d] for d in DEPARTMENTS}
CASE_ID = r"^[a-z_]+-[0-9]{8}-[0-9a-f]{8}$"
ANONYMOUS, ANONYMOUS_ZH = "anonymous", "匿名"
NOTE_STATUSES = ("accepted", "processing")    # routed and not yet answered


class ComplaintForm(Form):
    category = fields.Str(required=True, validate=validate.OneOf(tuple(CATEGORIES)),
                          metadata={"label_zh": "类别（投诉/建议）", "label_en": "Category",
                                    "choices_zh": CATEGORIES_ZH, "choices_en": CATEGORIES_EN})
    department = fields.Str(required=True, validate=validate.OneOf(DEPARTMENTS),
                            metadata={"label_zh": "涉及部门", "label_en": "Department concerned",
                                      "choices_zh": DEPARTMENTS_ZH,
                                      "choices_en": DEPARTMENTS_EN})
    text = Text(required=True, min_length=5, max_length=2000,
                metadata={"label_zh": "内容", "label_en": "What happened / your idea"})
    anonymous = fields.Bool(load_default=False, metadata={
        "label_zh": "匿名（工作人员看不到您的姓名和学号）",
        "label_en": "Anonymous (staff do not see your name or number)"})
    related_case_id = fields.Str(load_default="", validate=validate.Regexp(
        rf"^$|{CASE_ID}", error="事项编号格式如 logistics-20261207-1a2b3c4d / a case id looks "
                                "like logistics-20261207-1a2b3c4d"),
        metadata={"label_zh": "相关事项编号（可不填）", "label_en": "Related case (optional)"})
    contact_phone = fields.Str(load_default="", validate=validate.Regexp(
        r"^$|^1[3-9][0-9]{9}$", error="请填写11位手机号，或留空 / an 11-digit mobile number, "
                                      "or leave it empty"),
        metadata={"label_zh": "联系电话（可不填）", "label_en": "Phone (optional)"})

    @validates_schema
    def case_of_that_department(self, data, **kwargs):
        case_id = data.get("related_case_id")
        if case_id and case_id.split("-", 1)[0] != data.get("department"):
            raise ValidationError("该事项不属于所选部门 / that case is not of the department "
                                  "you chose", "related_case_id")


# ---- the steps' inputs ----------------------------------------------------------------------
class AcceptBody(Form):
    """Accepting a complaint routes it to the department concerned."""
    routed_to = fields.Str(load_default=None, allow_none=False,
                           validate=validate.OneOf(DEPARTMENTS), metadata={
        "label_zh": "转交部门（调查处理）", "label_en": "Route to (the department that "
        "investigates)", "choices_zh": DEPARTMENTS_ZH, "choices_en": DEPARTMENTS_EN,
        "help_zh": "不选则转交学生所选的涉及部门",
        "help_en": "Left out: the department the student chose"})
    reason = Text(load_default="", max_length=2000,
                  metadata={"label_zh": "备注（学生可见）", "label_en": "Note (the student sees it)"})


class InvestigationNoteBody(Form):
    note = Text(required=True, min_length=2, max_length=2000, metadata={
        "label_zh": "调查情况（仅工作人员可见）", "label_en": "What the investigation found "
        "(staff only)"})


class FeedbackBody(Form):
    feedback = Text(required=True, min_length=2, max_length=5000, metadata={
        "label_zh": "给学生的反馈（调查及处理结果）",
        "label_en": "Feedback to the student (findings and what was done)"})


@dataclass(frozen=True)
class RouteStep(Step):
    """The accept step, its ``routed_to`` defaulting to the department the student chose."""
    default_to: str = ""

    def input_schema(self, item=None):
        schema = super().input_schema(item)
        props = dict(schema["properties"])
        props["routed_to"] = {**props["routed_to"], "default": self.default_to}
        return {**schema, "properties": props}


def accept_step(form):
    return RouteStep("accept", "受理并转交相关部门", "Accept and route to the department "
                     "concerned", AcceptBody, tone="primary",
                     default_to=(form or {}).get("department", ""))


def note_step(first):
    return Step("add_investigation_note", "记录调查情况", "Record what the investigation found",
                InvestigationNoteBody, run="note_step", tone="primary" if first else "")


COMPLETE = Step("complete", "向学生反馈并办结", "Give the feedback and complete", FeedbackBody,
                run="complete_with_feedback", tone="primary")


def route_target(form, extra):
    """The department a complaint goes to: the B post's choice, else the student's."""
    target = (extra or {}).get("routed_to") or form["department"]
    if target not in DEPARTMENTS:
        raise validation_failed({"extra.routed_to": "请选择部门：" + "、".join(DEPARTMENTS)
                                                    + " / choose one of the departments"})
    return target


def routing_result(target, actor_id, now):
    return {"routed_to": target, "routed_to_zh": DEPARTMENT_ZH[target],
            "routed_to_en": DEPARTMENT_EN[target], "routed_by": actor_id,
            "routed_at": now.isoformat()}


def feedback_text(reason, extra=None):
    """Completing a complaint needs the feedback to the student: ``extra.feedback`` (the
    complete step's input) or the reason."""
    text = str((extra or {}).get("feedback") or reason or "").strip()
    if not text:
        fix = ("请填写给学生的反馈（调查及处理结果）/ write the feedback to the student "
               "(findings and outcome)")
        raise validation_failed({"feedback": fix, "reason": fix})
    return text[:5000]


def investigation_missing():
    return DomainError("investigation_not_recorded", "请先记录调查情况，再审核通过",
                       "Record what the investigation found before approving it",
                       {"action": "先执行“记录调查情况” / take add_investigation_note first"},
                       409)


def check_note(status, note):
    if not isinstance(note, str) or not 2 <= len(note.strip()) <= 2000:
        raise validation_failed({"note": "调查记录须为2–2000字 / a note is 2–2000 characters"})
    if status not in NOTE_STATUSES:
        raise DomainError("not_under_investigation", "只有已受理、未办结的投诉可以记录调查情况",
                          "Notes are taken only while a complaint is accepted and not closed",
                          {"case_id": f"当前状态 / status: {status}"}, 409)


def related_case_problem():
    """The field error for a related case the student may not cite (missing or not theirs)."""
    return validation_failed({"form.related_case_id": "找不到该事项，或不是您本人的事项 / no such "
                                                      "case of yours"})


def related_summary(remote):
    """What the complaint keeps of the case it is about (read from its department)."""
    return {"id": remote["id"], "item_name_zh": remote.get("item_name_zh", ""),
            "status": remote["status"], "status_zh": remote.get("status_zh", "")}


def department_unavailable(department):
    return DomainError(
        "department_unavailable",
        f"{DEPARTMENT_ZH.get(department, department)}暂时无法连接，无法核对相关事项；请稍后再试，"
        "或不填事项编号直接提交",
        f"{DEPARTMENT_EN.get(department, department)} cannot be reached to check the related "
        "case; try again later, or submit without the case number",
        {"form.related_case_id": f"{department} 暂不可用 / {department} is unavailable"}, 503)


def anonymise(case, viewer):
    """The case as ``viewer`` may see it: an anonymous case hides who filed it from everyone
    but the student who filed it."""
    if not case["form"].get("anonymous") or (
            viewer.get("role") == "student" and viewer.get("id") == case["student_id"]):
        return case
    student = case["student_id"]
    return {**case, "student_id": ANONYMOUS, "student_name": ANONYMOUS_ZH,
            "form": {k: v for k, v in case["form"].items() if k != "contact_phone"},
            "history": [dict(h, actor_id=ANONYMOUS) if h["actor_id"] == student else h
                        for h in case["history"]]}
