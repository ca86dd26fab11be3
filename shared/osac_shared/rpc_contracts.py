"""Versioned RPC contracts: every RPC that another service or the gateway calls, declared once.

A contract is (service, method, version, args schema, result field). ``service`` is a service
name, or ``"*"`` for the ``CaseService`` RPCs every department serves. The args schema lists
the parameters in positional order (a caller may pass them by position or by name); it is
strict, since the provider raises on an argument it does not take. Results are tolerant
readers' promises: the fields listed are there with those types, more may come.

Compatibility (checked against ``contracts.lock.json`` by ``osac_shared.contract_testing``):
adding an optional argument or a result field is fine; removing or retyping one, or making an
optional one required, is not -- that needs version N+1, published as a new method
``<method>_v<N+1>`` next to the old one until every caller has moved (nameko has no versioned
routing). Events are declared in ``contracts.py``.
"""
from dataclasses import dataclass

from marshmallow import INCLUDE, RAISE, Schema, fields, validate

from .catalogue import KINDS, UNITS
from .lifecycle import STATUSES

ANY_DEPARTMENT = "*"
Time = fields.AwareDateTime          # ISO 8601 with its offset (Asia/Shanghai)


class Args(Schema):
    class Meta:
        unknown = RAISE


class Result(Schema):
    class Meta:
        unknown = INCLUDE


def opt(field_cls, default=None, **kw):
    """An optional argument (None allowed)."""
    return field_cls(load_default=default, allow_none=True, **kw)


# ---- results -------------------------------------------------------------------------------
class LimitV1(Result):
    value = fields.Int(required=True)
    unit = fields.Str(required=True, validate=validate.OneOf(UNITS))


class MaterialV1(Result):
    code = fields.Str(required=True)
    name_zh = fields.Str(required=True)
    name_en = fields.Str(required=True)
    mandatory = fields.Bool(required=True)


class ItemV1(Result):
    code = fields.Str(required=True)
    window = fields.Int(required=True)
    department = fields.Str(required=True)
    department_zh = fields.Str(required=True)
    name_zh = fields.Str(required=True)
    name_en = fields.Str(required=True)
    description_zh = fields.Str(required=True)
    limit = fields.Nested(LimitV1, required=True)
    post = fields.Str(required=True, validate=validate.OneOf(("A", "B")))
    kind = fields.Str(required=True, validate=validate.OneOf(KINDS))
    green_channel = fields.Bool(required=True)
    materials = fields.List(fields.Nested(MaterialV1), required=True)
    form_schema = fields.Dict()          # JSON Schema of the item's form, with one example


class HistoryV1(Result):
    action = fields.Str(required=True)
    to = fields.Str(required=True, validate=validate.OneOf(STATUSES))
    actor_id = fields.Str(required=True)
    actor_role = fields.Str(required=True)
    at = Time(required=True)


class NextActionV1(Result):
    action = fields.Str(required=True)
    label_zh = fields.Str(required=True)
    label_en = fields.Str(required=True)
    input_schema = fields.Dict(required=True)


class WaitingForV1(Result):
    role = fields.Str(required=True)
    department = fields.Str(allow_none=True)
    label_zh = fields.Str(required=True)
    label_en = fields.Str(required=True)


class CaseV1(Result):
    id = fields.Str(required=True)
    item_code = fields.Str(required=True)
    student_id = fields.Str(required=True)
    status = fields.Str(required=True, validate=validate.OneOf(STATUSES))
    status_zh = fields.Str(required=True)
    form = fields.Dict(required=True)
    materials = fields.List(fields.Str(), required=True)
    notices = fields.List(fields.Dict(), required=True)
    result = fields.Dict(required=True)
    green_channel = fields.Bool(required=True)
    submitted_at = Time(required=True)
    updated_at = Time(required=True)
    allowed_actions = fields.List(fields.Str(), required=True)
    history = fields.List(fields.Nested(HistoryV1), required=True)
    window = fields.Int()
    department = fields.Str()
    item_name_zh = fields.Str()
    limit = fields.Nested(LimitV1)
    next_actions = fields.List(fields.Nested(NextActionV1))   # get_case, submit, act, perform
    waiting_for = fields.Nested(WaitingForV1, allow_none=True)


class CasePageV1(Result):
    cases = fields.List(fields.Nested(CaseV1), required=True)
    total = fields.Int(required=True)
    page = fields.Int(required=True)
    per_page = fields.Int(required=True)


class DelegationV1(Result):
    item_code = fields.Str(required=True)
    b_post_id = fields.Str(required=True)
    granted_by = fields.Str(required=True)
    granted_at = Time(required=True)


class FormFieldV1(Result):
    name = fields.Str(required=True)
    type = fields.Str(required=True)
    required = fields.Bool(required=True)
    label_zh = fields.Str(required=True)
    label_en = fields.Str(required=True)


class HealthV1(Result):
    status = fields.Str(required=True, validate=validate.Equal("ok"))
    service = fields.Str(required=True)
    outbox_backlog = fields.Int(required=True)


class DeadlineV1(Result):
    case_id = fields.Str(required=True)
    department = fields.Str(required=True)
    item_code = fields.Str(required=True)
    due_at = Time(required=True)
    flagged = fields.Bool(required=True)
    status = fields.Str(required=True)
    on_time = fields.Bool(required=True, allow_none=True)
    submitted_at = Time(required=True)


class DueV1(Result):
    due_at = Time(required=True)
    flagged = fields.Bool(required=True)


class PromiseV1(Result):
    due_at = Time(required=True)
    flagged = fields.Bool(required=True)
    basis = fields.Str(required=True)


class AtRiskPageV1(Result):
    items = fields.List(fields.Nested(DeadlineV1), required=True)
    total = fields.Int(required=True)
    page = fields.Int(required=True)
    per_page = fields.Int(required=True)


class RateRowV1(Result):
    total = fields.Int(required=True)
    on_time_rate = fields.Float(required=True, allow_none=True)


class WindowRateV1(RateRowV1):
    window = fields.Int(required=True)


class SlaReportV1(Result):
    total = fields.Int(required=True)
    on_time_rate = fields.Float(required=True, allow_none=True)
    by_window = fields.List(fields.Nested(WindowRateV1), required=True)
    by_department = fields.List(fields.Dict(), required=True)
    breaches = fields.List(fields.Dict(), required=True)


class ActivityApprovalV1(Result):
    case_id = fields.Str(required=True)
    approved = fields.Bool(required=True)
    status = fields.Str(required=True, validate=validate.OneOf(STATUSES))
    status_zh = fields.Str(required=True)
    activity = fields.Dict()             # name, venue, starts_at, ends_at (ISO) when known


class CertificatePdfV1(Result):
    case_id = fields.Str(required=True)
    code = fields.Str(required=True)
    filename = fields.Str(required=True)
    content_type = fields.Str(required=True)
    sha256 = fields.Str(required=True)
    pdf_base64 = fields.Str(required=True)


class VerificationV1(Result):
    """A certificate as the public may see it (masked); only valid and status for a code that
    was never issued (status "unknown")."""
    valid = fields.Bool(required=True)
    status = fields.Str(required=True, validate=validate.OneOf(("valid", "revoked", "unknown")))
    code = fields.Str()
    kind = fields.Str()
    kind_zh = fields.Str()
    kind_en = fields.Str()
    student_name = fields.Str()              # masked: 张*
    student_id = fields.Str()                # masked: 2026****01
    issued_at = Time()
    sha256 = fields.Str()
    revoked_at = Time(allow_none=True)
    revoke_reason = fields.Str(allow_none=True)


class RevocationV1(VerificationV1):
    case_id = fields.Str(required=True)
    revoked_by = fields.Str(required=True)
    code = fields.Str(required=True)
    revoked_at = Time(required=True)
    revoke_reason = fields.Str(required=True)


class InvestigationNoteV1(Result):
    note = fields.Str(required=True)
    author_id = fields.Str(required=True)
    author_role = fields.Str(required=True)
    at = Time(required=True)


class LedgerEntryV1(Result):
    id = fields.Int(required=True)
    student_id = fields.Str(required=True)
    kind = fields.Str(required=True)
    kind_zh = fields.Str(required=True)
    amount_cents = fields.Int(required=True)
    description = fields.Str(required=True)
    created_at = Time(required=True)


class StatementV1(Result):
    student_id = fields.Str(required=True)
    balance_cents = fields.Int(required=True)
    arrears_cents = fields.Int(required=True)
    credit_cents = fields.Int(required=True)
    entries = fields.List(fields.Nested(LedgerEntryV1), required=True)
    total = fields.Int(required=True)
    page = fields.Int(required=True)
    per_page = fields.Int(required=True)


class CardV1(Result):
    card_no = fields.Str(required=True)
    student_id = fields.Str(required=True)
    status = fields.Str(required=True)
    status_zh = fields.Str(required=True)
    balance_cents = fields.Int(required=True)


class CardEntryV1(Result):
    entry_id = fields.Int(required=True)
    kind = fields.Str(required=True)
    amount_cents = fields.Int(required=True)
    balance_cents = fields.Int(required=True)
    at = Time(required=True)


class CardLedgerV1(Result):
    entries = fields.List(fields.Nested(CardEntryV1), required=True)
    total = fields.Int(required=True)
    page = fields.Int(required=True)
    per_page = fields.Int(required=True)


class QuestionV1(Result):
    id = fields.Int(required=True)
    student_id = fields.Str(required=True)
    channel = fields.Str(required=True)
    question = fields.Str(required=True)
    status = fields.Str(required=True)
    status_zh = fields.Str(required=True)
    to_department = fields.Str(required=True, allow_none=True)
    created_at = Time(required=True)


class QuestionPageV1(Result):
    questions = fields.List(fields.Nested(QuestionV1), required=True)
    total = fields.Int(required=True)
    page = fields.Int(required=True)
    per_page = fields.Int(required=True)


class HandOverV1(Result):
    id = fields.Int(required=True)
    window = fields.Int(required=True)
    from_b_post = fields.Str(required=True)
    to_b_post = fields.Str(required=True)
    open_case_ids = fields.List(fields.Str(), required=True)
    confirmed = fields.Bool(required=True)
    created_at = Time(required=True)


class RatingV1(Result):
    case_id = fields.Str(required=True)
    satisfied = fields.Bool(required=True)
    window = fields.Int(required=True)
    department = fields.Str(required=True)


class SatisfactionV1(Result):
    period = fields.Str(required=True)
    target = fields.Float(required=True)
    by_window = fields.List(fields.Dict(), required=True)
    by_person = fields.List(fields.Dict(), required=True)


class HallReportV1(Result):
    """json: the rows; csv/xlsx: the file (content_type, filename, base64)."""
    period = fields.Str()
    rows = fields.List(fields.Dict())
    content_type = fields.Str()
    filename = fields.Str()
    base64 = fields.Str()


class SunshineV1(Result):
    month = fields.Str(required=True)
    sunshine_window = fields.Dict(required=True, allow_none=True)
    ranking = fields.List(fields.Dict(), required=True)


class PostV1(Result):
    window = fields.Int(required=True)
    staff_id = fields.Str(required=True)
    post = fields.Str(required=True, validate=validate.OneOf(("A", "B")))
    department = fields.Str(required=True)
    name = fields.Str(required=True)


class RemovedPostV1(PostV1):
    shifts_removed = fields.Int(required=True)


class WindowV1(Result):
    window = fields.Int(required=True)
    name_zh = fields.Str(required=True)
    name_en = fields.Str(required=True)
    department = fields.Str(required=True)
    posts = fields.List(fields.Nested(PostV1), required=True)


class ShiftV1(Result):
    id = fields.Int(required=True)
    date = fields.Date(required=True)
    start = fields.Str(required=True)
    end = fields.Str(required=True)
    window = fields.Int(required=True)
    staff_id = fields.Str(required=True)


class OnDutyStaffV1(Result):
    staff_id = fields.Str(required=True)
    name = fields.Str(required=True)


class OnDutyV1(Result):
    window = fields.Int(required=True)
    name_zh = fields.Str(required=True)
    at = Time(required=True)
    b_posts = fields.List(fields.Nested(OnDutyStaffV1), required=True)
    a_posts = fields.List(fields.Nested(OnDutyStaffV1), required=True)
    a_post_at_window = fields.Bool(required=True)


class FindingV1(Result):
    id = fields.Int(required=True)
    patrol_id = fields.Int(required=True)
    window = fields.Int(required=True)
    person = fields.Str(required=True)
    opinion = fields.Str(required=True)
    result = fields.Str(required=True)
    resolved = fields.Bool(required=True)
    resolved_at = Time(required=True, allow_none=True)


class OpenFindingV1(FindingV1):
    date = fields.Date(required=True)
    patroller_id = fields.Str(required=True)


class PatrolV1(Result):
    id = fields.Int(required=True)
    date = fields.Date(required=True)
    patroller_id = fields.Str(required=True)
    checklist = fields.Dict(required=True)
    recorded_at = Time(required=True)
    findings = fields.List(fields.Nested(FindingV1), required=True)


class PatrolRecordedV1(Result):
    patrol = fields.Nested(PatrolV1, required=True)
    warnings = fields.List(fields.Dict(), required=True)


class DemeritV1(Result):
    id = fields.Int(required=True)
    person_id = fields.Str(required=True)
    post = fields.Str(required=True)
    window = fields.Int(required=True, allow_none=True)
    kind = fields.Str(required=True)
    kind_zh = fields.Str(required=True)
    source_ref = fields.Str(required=True)
    note = fields.Str(required=True)
    at = Time(required=True)


class DemeritRecordedV1(Result):
    demerit = fields.Nested(DemeritV1, required=True)
    month_demerits = fields.Int(required=True)
    term_demerits = fields.Int(required=True)
    wage_reduced = fields.Bool(required=True)
    rate_delta_yuan = fields.Int(required=True)
    dismissal_flag = fields.Bool(required=True)


class PersonAssessmentV1(Result):
    person_id = fields.Str(required=True)
    post = fields.Str(required=True)
    total = fields.Int(required=True)
    by_kind = fields.Dict(keys=fields.Str(), values=fields.Int(), required=True)
    month_demerits = fields.Int(required=True)
    term_demerits = fields.Int(required=True)
    wage_reduced = fields.Bool(required=True)
    dismissal_flag = fields.Bool(required=True)
    demerits = fields.List(fields.Nested(DemeritV1), required=True)


class AssessmentV1(Result):
    period = fields.Str(required=True)
    people = fields.List(fields.Nested(PersonAssessmentV1), required=True)


class VoteV1(Result):
    student_id = fields.Str(required=True)
    month = fields.Str(required=True)
    window = fields.Int(required=True)


class MyVoteV1(Result):
    month = fields.Str(required=True)
    window = fields.Int(required=True, allow_none=True)
    can_vote = fields.Bool(required=True)


# ---- arguments -----------------------------------------------------------------------------
class NoArgs(Args):
    pass


class SubmitArgs(Args):
    item_code = fields.Str(required=True)
    materials = opt(fields.List, cls_or_instance=fields.Str())
    form = opt(fields.Dict)
    idempotency_key = opt(fields.Str)
    green_reason = opt(fields.Str, "")


class CaseIdArgs(Args):
    case_id = fields.Str(required=True)


class ListCasesArgs(Args):
    student_id = opt(fields.Str)
    statuses = opt(fields.List, cls_or_instance=fields.Str(validate=validate.OneOf(STATUSES)))
    page = fields.Int(load_default=1)
    per_page = fields.Int(load_default=50)


class ActArgs(Args):
    case_id = fields.Str(required=True)
    action = fields.Str(required=True)
    reason = opt(fields.Str, "")
    materials = opt(fields.List, cls_or_instance=fields.Str())
    notice = opt(fields.Dict)
    extra = opt(fields.Dict)


class CodeArgs(Args):
    code = fields.Str(required=True)


class RevokeArgs(Args):
    case_id = fields.Str(required=True)
    reason = fields.Str(required=True)


class ExpediteArgs(Args):
    case_id = fields.Str(required=True)
    reason = fields.Str(required=True)


class DelegateArgs(Args):
    item_code = fields.Str(required=True)
    enabled = fields.Bool(load_default=True)
    b_post_id = fields.Str(load_default="*")


class GetDeadlineArgs(Args):
    case_id = fields.Str(required=True)
    timer = fields.Str(load_default="completion")


class CaseIdsArgs(Args):
    case_ids = fields.List(fields.Str(), required=True)


class PerformArgs(Args):
    case_id = fields.Str(required=True)
    action = fields.Str(required=True)
    data = opt(fields.Dict)


class PromiseArgs(Args):
    case = fields.Dict(required=True)


class ComputeDeadlineArgs(Args):
    start_iso = fields.Str(required=True)
    value = fields.Int(required=True)
    unit = fields.Str(required=True, validate=validate.OneOf(UNITS))


class PeriodArgs(Args):
    start_iso = fields.Str(required=True)
    end_iso = fields.Str(required=True)


class PageArgs(Args):
    page = fields.Int(load_default=1)
    per_page = fields.Int(load_default=50)


class StatementArgs(Args):
    student_id = fields.Str(required=True)
    page = fields.Int(load_default=1)
    per_page = fields.Int(load_default=50)


class PayArgs(Args):
    amount_cents = fields.Int(required=True)
    idempotency_key = fields.Str(required=True)
    charge_id = opt(fields.Int)


class CardArgs(Args):
    student_id = opt(fields.Str)


class CardLedgerArgs(Args):
    student_id = opt(fields.Str)
    page = fields.Int(load_default=1)
    per_page = fields.Int(load_default=20)


class TopUpArgs(Args):
    amount_cents = fields.Int(required=True)
    idempotency_key = fields.Str(required=True)


class TransferArgs(Args):
    to_student_id = fields.Str(required=True)
    amount_cents = fields.Int(required=True)
    idempotency_key = fields.Str(required=True)


class ComplainOverdueArgs(Args):
    repair_case_id = fields.Str(required=True)
    text = fields.Str(required=True)
    idempotency_key = opt(fields.Str)


class ListQuestionsArgs(Args):
    status = opt(fields.Str)
    page = fields.Int(load_default=1)
    per_page = fields.Int(load_default=50)


class RecordQuestionArgs(Args):
    student_id = fields.Str(required=True)
    channel = fields.Str(required=True)
    question = fields.Str(required=True)
    department = opt(fields.Str)


class ReferArgs(Args):
    question_id = fields.Int(required=True)
    to_department = fields.Str(required=True)
    note = fields.Str(load_default="")


class AnswerArgs(Args):
    question_id = fields.Int(required=True)
    answer = fields.Str(required=True)


class HallReportArgs(Args):
    period = fields.Str(required=True)
    format = fields.Str(load_default="json")


class ListHandOversArgs(Args):
    pending_only = fields.Bool(load_default=True)


class FollowUpArgs(Args):
    question_id = fields.Int(required=True)
    feedback = fields.Str(required=True)


class PeriodNameArgs(Args):
    period = fields.Str(required=True)


class MonthArgs(Args):
    month = fields.Str(required=True)


class RateCaseArgs(Args):
    case_id = fields.Str(required=True)
    satisfied = fields.Bool(required=True)
    comment = fields.Str(load_default="")


class HandOverArgs(Args):
    window = fields.Int(required=True)
    to_b_post = fields.Str(required=True)
    open_case_ids = fields.List(fields.Str(), required=True)
    note = fields.Str(load_default="")


class HandOverIdArgs(Args):
    handover_id = fields.Int(required=True)


class SetPostArgs(Args):
    window = fields.Int(required=True)
    staff_id = fields.Str(required=True)
    post = fields.Str(required=True)
    name = fields.Str(load_default="")


class RemovePostArgs(Args):
    window = fields.Int(required=True)
    staff_id = fields.Str(required=True)


class AddShiftArgs(Args):
    date = fields.Str(required=True)
    start = fields.Str(required=True)
    end = fields.Str(required=True)
    window = fields.Int(required=True)
    staff_id = fields.Str(required=True)


class ShiftsArgs(Args):
    date = fields.Str(required=True)
    window = opt(fields.Int)


class WindowArgs(Args):
    window = fields.Int(required=True)


class RecordPatrolArgs(Args):
    date = fields.Str(required=True)
    checklist = fields.Dict(required=True)
    findings = opt(fields.List, cls_or_instance=fields.Dict())


class ResolveFindingArgs(Args):
    finding_id = fields.Int(required=True)
    result = fields.Str(required=True)


class RecordDemeritArgs(Args):
    person_id = fields.Str(required=True)
    kind = fields.Str(required=True)
    source_ref = fields.Str(required=True, allow_none=True)
    note = fields.Str(load_default="")


class AssessmentArgs(Args):
    period = fields.Str(required=True)
    person_id = opt(fields.Str)


class VoteArgs(Args):
    window = fields.Int(required=True)
    month = opt(fields.Str)


class MyVoteArgs(Args):
    month = opt(fields.Str)


# ---- the contracts -------------------------------------------------------------------------
@dataclass(frozen=True)
class RpcContract:
    service: str
    method: str
    version: int
    args: type
    result: fields.Field
    doc: str = ""

    @property
    def key(self):
        return f"{self.service}.{self.method}@{self.version}"

    def bind(self, args=(), kwargs=None):
        """{parameter: value} for a call made as ``method(*args, **kwargs)``; raises
        TypeError as Python would for too many or repeated arguments."""
        names = list(self.args().fields)
        if len(args) > len(names):
            raise TypeError(f"{self.key} takes {len(names)} arguments, {len(args)} given")
        bound = dict(zip(names, args))
        for name, value in (kwargs or {}).items():
            if name in bound:
                raise TypeError(f"{self.key} got {name!r} twice")
            bound[name] = value
        return bound

    def args_errors(self, args=(), kwargs=None):
        try:
            return self.args().validate(self.bind(args, kwargs))
        except TypeError as exc:
            return {"_call": [str(exc)]}

    def result_errors(self, value):
        return Schema.from_dict({"result": self.result})().validate({"result": value})


def _n(schema, **kw):
    return fields.Nested(schema, required=True, **kw)


C = RpcContract
D = ANY_DEPARTMENT
RPC_CONTRACTS = (
    # CaseService: every department (osac_shared.service)
    C(D, "catalogue", 1, NoArgs, fields.List(_n(ItemV1)), "the department's items (public)"),
    C(D, "submit_case", 1, SubmitArgs, _n(CaseV1), "a student applies"),
    C(D, "get_case", 1, CaseIdArgs, _n(CaseV1)),
    C(D, "list_cases", 1, ListCasesArgs, _n(CasePageV1), "newest first, paginated"),
    C(D, "act", 1, ActArgs, _n(CaseV1), "a lifecycle action (accept, return, approve, ...)"),
    C(D, "perform", 1, PerformArgs, _n(CaseV1), "one of the case's next_actions, with its input"),
    C(D, "expedite", 1, ExpediteArgs, _n(CaseV1), "green channel"),
    C(D, "delegate", 1, DelegateArgs, fields.List(_n(DelegationV1))),
    C(D, "delegations", 1, NoArgs, fields.List(_n(DelegationV1))),
    C(D, "form_fields", 1, NoArgs,
      fields.Dict(keys=fields.Str(), values=fields.List(_n(FormFieldV1)))),
    C(D, "health", 1, NoArgs, _n(HealthV1), "health checks, the harness"),
    C(D, "ping", 1, NoArgs, fields.Str(validate=validate.Equal("pong")), "benchmarks"),
    # sla
    C("sla", "health", 1, NoArgs, _n(HealthV1)),
    C("sla", "get_deadline", 1, GetDeadlineArgs, _n(DeadlineV1, allow_none=True),
      "the case's completion deadline (None: not known yet)"),
    C("sla", "deadlines", 1, CaseIdsArgs,
      fields.Dict(keys=fields.Str(), values=_n(DeadlineV1))),
    C("sla", "compute_deadline", 1, ComputeDeadlineArgs, _n(DueV1)),
    C("sla", "promise", 1, PromiseArgs, _n(PromiseV1),
      "the deadline a just-submitted case will be held to (the 201's due_at)"),
    C("sla", "report", 1, PeriodArgs, _n(SlaReportV1),
      "on-time rates (director, committee, system; B/A posts: their department)"),
    C("sla", "at_risk", 1, PageArgs, _n(AtRiskPageV1),
      "warned, unfinished (director, committee, system; B/A posts: their department)"),
    # academic
    C("academic", "certificate_pdf", 1, CaseIdArgs, _n(CertificatePdfV1),
      "a completed certificate case's PDF (its student, academic staff, the director)"),
    C("academic", "verify_certificate", 1, CodeArgs, _n(VerificationV1),
      "public (no actor): /verify/<code> -- valid or revoked, masked holder"),
    C("academic", "revoke_certificate", 1, RevokeArgs, _n(RevocationV1),
      "the academic A post voids an issued certificate, with the reason the public sees"),
    # sunshine
    C("sunshine", "investigation_notes", 1, CaseIdArgs, fields.List(_n(InvestigationNoteV1)),
      "a complaint's investigation notes (sunshine staff, the director)"),
    # security
    C("security", "activity_approval_status", 1, CaseIdArgs, _n(ActivityApprovalV1),
      "student_affairs waits for security's safety approval"),
    # finance
    C("finance", "ledger", 1, StatementArgs, _n(StatementV1)),
    C("finance", "pay", 1, PayArgs, _n(LedgerEntryV1), "idempotent by key"),
    # campus_it
    C("campus_it", "card", 1, CardArgs, _n(CardV1)),
    C("campus_it", "card_ledger", 1, CardLedgerArgs, _n(CardLedgerV1)),
    C("campus_it", "top_up", 1, TopUpArgs, _n(CardEntryV1), "idempotent by key"),
    C("campus_it", "transfer", 1, TransferArgs, _n(CardEntryV1), "idempotent by key"),
    # logistics
    C("logistics", "complain_overdue", 1, ComplainOverdueArgs, _n(CaseV1)),
    # hall
    C("hall", "health", 1, NoArgs, _n(HealthV1)),
    C("hall", "list_questions", 1, ListQuestionsArgs, _n(QuestionPageV1)),
    C("hall", "record_question", 1, RecordQuestionArgs, _n(QuestionV1)),
    C("hall", "refer", 1, ReferArgs, _n(QuestionV1)),
    C("hall", "answer_referral", 1, AnswerArgs, _n(QuestionV1), "the department answers"),
    C("hall", "follow_up", 1, FollowUpArgs, _n(QuestionV1)),
    C("hall", "satisfaction", 1, PeriodNameArgs, _n(SatisfactionV1)),
    C("hall", "sunshine", 1, MonthArgs, _n(SunshineV1)),
    C("hall", "rate_case", 1, RateCaseArgs, _n(RatingV1)),
    C("hall", "hand_over", 1, HandOverArgs, _n(HandOverV1)),
    C("hall", "confirm_hand_over", 1, HandOverIdArgs, _n(HandOverV1)),
    C("hall", "pending_hand_overs", 1, NoArgs, fields.List(_n(HandOverV1))),
    C("hall", "list_hand_overs", 1, ListHandOversArgs, fields.List(_n(HandOverV1))),
    C("hall", "report", 1, HallReportArgs, _n(HallReportV1), "json, csv or xlsx"),
    # hall: roster, patrols, assessment, votes (the director's and committee's pages)
    C("hall", "windows", 1, NoArgs, fields.List(_n(WindowV1)), "the 13 windows, their posts"),
    C("hall", "set_post", 1, SetPostArgs, _n(PostV1), "the director"),
    C("hall", "remove_post", 1, RemovePostArgs, _n(RemovedPostV1), "the director"),
    C("hall", "add_shift", 1, AddShiftArgs, _n(ShiftV1), "the director"),
    C("hall", "shifts", 1, ShiftsArgs, fields.List(_n(ShiftV1))),
    C("hall", "on_duty", 1, WindowArgs, _n(OnDutyV1)),
    C("hall", "record_patrol", 1, RecordPatrolArgs, _n(PatrolRecordedV1), "the director"),
    C("hall", "resolve_finding", 1, ResolveFindingArgs, _n(FindingV1), "the director"),
    C("hall", "patrols", 1, PeriodNameArgs, fields.List(_n(PatrolV1)), "director, committee"),
    C("hall", "open_findings", 1, NoArgs, fields.List(_n(OpenFindingV1)),
      "director, committee"),
    C("hall", "record_demerit", 1, RecordDemeritArgs, _n(DemeritRecordedV1), "the director"),
    C("hall", "assessment", 1, AssessmentArgs, _n(AssessmentV1),
      "director, committee; staff: their own"),
    C("hall", "vote", 1, VoteArgs, _n(VoteV1), "students, once a month"),
    C("hall", "my_vote", 1, MyVoteArgs, _n(MyVoteV1), "a student's own vote"),
)
del C, D
BY_KEY = {c.key: c for c in RPC_CONTRACTS}


def contract_for(service, method, version=None):
    """The contract a call to ``service.method`` is held to (the highest version unless one is
    named): the service's own, else the CaseService one for a department. None: undeclared."""
    from .registry import DEPARTMENTS
    candidates = [c for c in RPC_CONTRACTS if c.method == method and (
        c.service == service or (c.service == ANY_DEPARTMENT and service in DEPARTMENTS))]
    own = [c for c in candidates if c.service == service] or candidates
    own = [c for c in own if version is None or c.version == version]
    return max(own, key=lambda c: c.version) if own else None
