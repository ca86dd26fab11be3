"""What comes next on a case (plain functions and data, no I/O).

``next_actions`` are the steps the asking actor may take *now* — never one they would be
refused — each with its labels and the JSON Schema of its input; ``waiting_for`` says who the
case waits for (the student, a B post, an A post, a committee, ...). A department's service
starts from ``lifecycle_steps`` / ``waiting_for`` and refines both for its own stages (an aid
committee's decision, an insurer's payout, a refund), so one list drives the API, the UI's
buttons and the journey tests, and ``CaseService.perform`` refuses anything not on it.

Each step's input is a marshmallow ``Form`` (the bodies below, or a department's own); the
JSON Schema published as ``input_schema`` is derived from it (``forms.body_schema``).
"""
from dataclasses import dataclass

from marshmallow import ValidationError, fields, validate

from . import lifecycle
from .auth import A_POST, B_POST, STUDENT, is_staff_of
from .forms import Form, IsoDate, Text, body_schema

# ---- input bodies --------------------------------------------------------------------------
CODE = fields.Str(validate=validate.Regexp(r"^[a-z0-9_]{1,64}$"))


class CodeMap(fields.Field):
    """{material code: what to correct}; a plain list of codes is read as {code: ""}."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, list):
            value = {v: "" for v in value}
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            raise ValidationError("须为 {材料代码: 需更正之处} / must be {material code: what "
                                  "to correct}")
        out = {}
        for code, what in value.items():
            if not isinstance(what, str) or len(what) > 500:
                raise ValidationError(f"{code}：须为500字以内的文字 / {code}: text of at most "
                                      f"500 characters")
            out[code] = what.strip()
        return out


class NoteBody(Form):
    reason = Text(load_default="", max_length=2000,
                  metadata={"label_zh": "备注（学生可见）", "label_en": "Note (the student sees it)"})


class ReasonBody(Form):
    reason = Text(required=True, max_length=2000,
                  metadata={"label_zh": "原因（学生将看到）", "label_en": "Reason (the student sees it)"})


class ReturnBody(Form):
    """The one-time notice (一次性告知): everything to add or correct, at once."""
    reason = Text(required=True, max_length=2000,
                  metadata={"label_zh": "退回原因", "label_en": "Why it is returned"})
    missing = fields.List(CODE, load_default=list, validate=validate.Length(max=50),
                          metadata={"label_zh": "需补交的材料", "label_en": "Materials to add"})
    correct = CodeMap(load_default=dict,
                      metadata={"label_zh": "需更正的材料及问题", "label_en": "Materials to correct"})
    deadline = IsoDate(load_default=None, allow_none=True,
                       metadata={"label_zh": "补正期限", "label_en": "Fix by"})


class ResubmitBody(Form):
    materials = fields.List(CODE, required=True, validate=validate.Length(max=50),
                            metadata={"label_zh": "本次补交或更换的材料",
                                      "label_en": "Materials supplied or replaced now"})
    reason = Text(load_default="", max_length=2000,
                  metadata={"label_zh": "补正说明", "label_en": "Note"})


class AnswerBody(Form):
    """Completing a consultation: the written answer the student gets."""
    answer = Text(required=True, max_length=5000,
                  metadata={"label_zh": "答复内容（学生将看到）", "label_en": "The answer"})
    reason = Text(load_default="", max_length=2000,
                  metadata={"label_zh": "备注", "label_en": "Note"})


# ---- steps ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One action a case may take next: its name, labels, input and how it is performed
    (``run``: the service method called with the case id and the loaded body; "" = the
    lifecycle's ``act``)."""
    action: str
    label_zh: str
    label_en: str
    body: type = NoteBody
    run: str = ""
    tone: str = ""              # how the UI shows it: "primary", "danger" or ""

    def input_schema(self, item=None):
        schema = body_schema(self.body)
        if self.body is ReturnBody and item is not None:
            codes = [m.code for m in item.materials]
            props = dict(schema["properties"])
            props["missing"] = {**props["missing"], "items": {"type": "string", "enum": codes}}
            props["correct"] = {"type": "object", "title": props["correct"].get("title"),
                                "x-title-en": props["correct"].get("x-title-en"),
                                "propertyNames": {"enum": codes},
                                "additionalProperties": {"type": "string", "maxLength": 500}}
            schema = {**schema, "properties": props}
        if self.body is ResubmitBody and item is not None:
            props = dict(schema["properties"])
            props["materials"] = {**props["materials"], "items": {
                "type": "string", "enum": [m.code for m in item.materials]}}
            schema = {**schema, "properties": props}
        return schema

    def to_dict(self, item=None):
        return {"action": self.action, "label_zh": self.label_zh, "label_en": self.label_en,
                "tone": self.tone, "input_schema": self.input_schema(item)}


LIFECYCLE = {
    "accept": Step("accept", "受理", "Accept", NoteBody, tone="primary"),
    "return": Step("return", "退回补正（一次性告知）", "Return for supplement (one notice)",
                   ReturnBody),
    "approve": Step("approve", "审批通过", "Approve", NoteBody, tone="primary"),
    "complete": Step("complete", "办结", "Complete", NoteBody, tone="primary"),
    "reject": Step("reject", "不予办理", "Reject", ReasonBody, tone="danger"),
    "resubmit": Step("resubmit", "补正后重新提交", "Resubmit with the corrections",
                     ResubmitBody, tone="primary"),
    "withdraw": Step("withdraw", "撤回申请", "Withdraw the application", NoteBody,
                     tone="danger"),
}
LIFECYCLE_NAMES = frozenset(LIFECYCLE) | {"expedite"}
LIFECYCLE_BODIES = {**{name: step.body for name, step in LIFECYCLE.items()},
                    "expedite": ReasonBody}
ANSWER = Step("complete", "答复并办结", "Answer and complete", AnswerBody, tone="primary")
EXPEDITE = Step("expedite", "开启绿色通道（加急）", "Green channel (urgent)", ReasonBody,
                run="expedite")


def lifecycle_steps(case, item, actor, delegated=(), authorize=None):
    """The lifecycle's steps ``actor`` may take on ``case`` now: the transitions its status
    allows that ``authorize(actor, case, item, action, delegated)`` (raising when refused)
    lets through, then the green channel for staff of an eligible open case."""
    if authorize is None:
        from .cases import authorize_action as authorize
    from .errors import DomainError
    out = []
    for action in lifecycle.allowed_actions(case.status):
        try:
            authorize(actor, case, item, action, delegated)
        except DomainError:
            continue
        if action == "return" and not item.materials:
            continue                 # nothing a resubmission could add or correct
        step = LIFECYCLE[action]
        if action == "complete" and item.kind == "consultation":
            step = ANSWER
        out.append(step)
    if item.green_channel and not case.green_channel and case.status not in lifecycle.FINAL \
            and is_staff_of(actor, item.department):
        out.append(EXPEDITE)
    return out


# ---- who the case waits for ----------------------------------------------------------------
WAITING = {
    STUDENT: ("等待学生补正材料", "Waiting for the student to add or correct materials"),
    B_POST: ("等待B岗受理办理", "Waiting for the window's B post"),
    A_POST: ("等待A岗教师审批办理", "Waiting for the department's A post"),
}


def waiting(role, department=None, label_zh=None, label_en=None, **more):
    zh, en = WAITING.get(role, ("", ""))
    return {"role": role, "department": department, "label_zh": label_zh or zh,
            "label_en": label_en or en, **more}


def waiting_for(case, item):
    """Who must act next on ``case`` (None once it is finished)."""
    status = case.status
    if status in lifecycle.FINAL:
        return None
    if status == lifecycle.RETURNED:
        return waiting(STUDENT)
    if status in (lifecycle.SUBMITTED, lifecycle.RESUBMITTED):
        return waiting(B_POST, item.department,
                       "等待B岗受理（核对材料）", "Waiting for the B post to accept it")
    post = A_POST if item.post == "A" else B_POST
    if status == lifecycle.ACCEPTED:
        return waiting(post, item.department)
    return waiting(post, item.department, "办理中，等待办结", "Being handled; waiting to be "
                   "completed")
