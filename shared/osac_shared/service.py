"""``CaseService``: the case entrypoints every department serves, and the hooks it may fill.

A department's service class subclasses it, sets ``name`` and ``ITEMS`` (its catalogue), and
adds its own entrypoints and rules. The inherited RPC boundary is:

    catalogue()                                   -> [item]           (public)
    submit_case(item_code, materials, form, idempotency_key=None, green_reason="") -> case
    get_case(case_id)                             -> case
    list_cases(student_id=None, statuses=None, page=1, per_page=50) -> {cases, total, ...}
    act(case_id, action, reason="", materials=None, notice=None, extra=None) -> case
        (return: notice={"missing": [codes], "correct": {code: what}, "deadline", "note"};
         resubmit: materials = the codes supplied or replaced now;
         complete a consultation: its answer in extra["answer"] or the reason -> result.answer)
    expedite(case_id, reason)                     -> case             (green channel, staff)
    delegate(item_code, enabled=True, b_post_id="*") / delegations()  (A post -> B posts)
    form_fields()                                 -> {item code: [field]} (public; the UI's forms)
    health()                                      -> {status, service, outbox_backlog}
    ping()                                        -> "pong"           (no I/O; benchmarks)

Every call except ``catalogue`` and ``health`` needs the actor in the RPC context.
Hooks (all optional, all run inside the same transaction as the change):
    clean_form(item, form) -> form                 validate the item's form, raise DomainError
    before_action(session, case, item, action, extra, now)
    after_submit(session, case, item, now)
    after_action(session, case, item, action, extra, now)
"""
from marshmallow import ValidationError, fields, validate
from nameko.contextdata import ContextDataProvider
from nameko.rpc import rpc

from . import cases as engine
from .auth import CurrentActor, require_actor
from .clock import Clock
from .db import Database
from .errors import DomainError, forbidden, validation_failed, marshmallow_fields, not_found
from .masking import LogMasking, mask_case
from .notices import NoticeViolation
from .observability import Metrics
from .outbox import OutboxRelay

MAX_FORM_FIELDS = 50
MAX_FIELD_CHARS = 2000


class CorrelationId(ContextDataProvider):
    context_key = "correlation_id"


def clean_generic_form(form):
    if form is None:
        return {}
    if not isinstance(form, dict):
        raise validation_failed({"form": "表单须为键值对象 / form must be an object"})
    if len(form) > MAX_FORM_FIELDS:
        raise validation_failed({"form": f"字段过多（最多{MAX_FORM_FIELDS}个）/ at most "
                                         f"{MAX_FORM_FIELDS} fields"})
    for key, value in form.items():
        if len(str(key)) > 64 or len(str(value)) > MAX_FIELD_CHARS:
            raise validation_failed({f"form.{key}": f"内容过长（最多{MAX_FIELD_CHARS}字）/ at "
                                                    f"most {MAX_FIELD_CHARS} characters"})
    return form


_FIELD_TYPES = ((fields.Boolean, "boolean"), (fields.Integer, "integer"),
                (fields.Float, "number"), (fields.DateTime, "datetime"), (fields.Date, "date"),
                (fields.List, "list"), (fields.String, "text"))


def _first(label):
    return str(label[0] if isinstance(label, (tuple, list)) else label)


def describe_form(schema):
    """A form schema as plain data for a UI: [{name, type, required, label_zh, label_en,
    choices: [[value, label_zh]], min, max, min_length, max_length}] (declaration order)."""
    out = []
    for name, field in schema().fields.items():
        kind = next((k for cls, k in _FIELD_TYPES if isinstance(field, cls)), "text")
        if kind == "list" and not isinstance(field.inner, fields.String):
            kind = "structured"
        meta = field.metadata or {}
        d = {"name": name, "type": kind, "required": bool(field.required),
             "label_zh": meta.get("label_zh", name), "label_en": meta.get("label_en", name)}
        for v in field.validators:
            if isinstance(v, validate.OneOf):
                labels = meta.get("choices_zh") or {}      # {value: 中文} or {value: (中文, ...)}
                d["choices"] = [[c, _first(labels.get(c, c))] for c in v.choices]
            elif isinstance(v, validate.Range):
                d.update(min=v.min, max=v.max)
            elif isinstance(v, validate.Length):
                d.update(min_length=v.min, max_length=v.max)
        out.append(d)
    return out


class CaseService:
    name = None
    ITEMS = {}       # {code: Item}
    FORMS = {}       # {item code: marshmallow Schema class} for items with a structured form

    db = Database()
    outbox = OutboxRelay()
    clock = Clock()
    actor = CurrentActor()
    correlation_id = CorrelationId()
    log_masking = LogMasking()      # personal numbers masked in this process's logs
    metrics = Metrics()             # Prometheus metrics, JSON logs (osac_shared.observability)

    # ---- hooks -------------------------------------------------------------------------
    def clean_form(self, item, form):
        form = clean_generic_form(form)
        schema = self.FORMS.get(item.code)
        if schema is None:
            return form
        try:
            return schema().load(form)
        except ValidationError as err:
            raise validation_failed({f"form.{k}": v
                                     for k, v in marshmallow_fields(err).items()})

    def before_action(self, session, case, item, action, extra, now):
        pass

    def after_submit(self, session, case, item, now):
        pass

    def after_action(self, session, case, item, action, extra, now):
        pass

    def delegated_items(self):
        return engine.delegated_codes(self.db, self.actor)

    def clean_form_with_materials(self, item, form, materials):
        """One notice for everything (一次性告知): form errors and missing materials together."""
        try:
            return self.clean_form(item, form)
        except DomainError as err:
            notice = engine.materials_notice(item, materials)
            if err.status != 422 or not notice:
                raise
            raise DomainError(
                "materials_missing",
                "申请有误，请按提示一次性补齐材料并修改表单：" + "；".join(
                    [err.message] + [v.split(" / ")[0] for v in notice.values()]),
                "The application is incomplete: add the missing materials and correct the "
                "form as listed", {**err.fields, **notice}, 422)

    # ---- helpers -----------------------------------------------------------------------
    def item(self, code):
        item = self.ITEMS.get(code)
        if item is None:
            raise validation_failed({"item_code": f"没有这个事项：{code} / no such item: {code}"})
        return item

    def to_dict(self, case):
        """The case as the caller may see it: personal numbers in the form are masked unless
        the caller is the student owner or this department's A post (osac_shared.masking)."""
        return mask_case(engine.case_to_dict(case, self.ITEMS.get(case.item_code)),
                         self.actor, self.name)

    # ---- entrypoints -------------------------------------------------------------------
    @rpc
    def catalogue(self):
        return [item.to_dict() for item in self.ITEMS.values()]

    @rpc
    def ping(self):
        """An echo with no database work: the baseline for RPC cost in benchmarks."""
        return "pong"

    @rpc
    def health(self):
        return {"status": "ok", "service": self.name, "outbox_backlog": self.outbox.backlog()}

    @rpc
    def submit_case(self, item_code, materials=None, form=None, idempotency_key=None,
                    green_reason=""):
        require_actor(self.actor)               # 401 before anything else runs
        item = self.item(item_code)
        now = self.clock()
        existing = engine.find_by_idempotency_key(self.db, (self.actor or {}).get("id"),
                                                  idempotency_key)
        if existing is not None:
            return self.to_dict(existing)
        form = self.clean_form_with_materials(item, form, materials or [])
        case = engine.submit(self.db, item, self.actor, materials or [], form, now,
                             idempotency_key, green_reason, self.correlation_id)
        self.after_submit(self.db, case, item, now)
        self.db.commit()
        return self.to_dict(case)

    @rpc
    def get_case(self, case_id):
        return self.to_dict(engine.read_case(self.db, case_id, self.actor))

    @rpc
    def list_cases(self, student_id=None, statuses=None, page=1, per_page=50):
        rows, total = engine.list_cases(self.db, self.actor, self.name, student_id, statuses,
                                        page, per_page)
        return {"cases": [self.to_dict(c) for c in rows], "total": total, "page": page,
                "per_page": per_page}

    @rpc
    def act(self, case_id, action, reason="", materials=None, notice=None, extra=None):
        now = self.clock()
        case = engine.read_case(self.db, case_id, self.actor)
        item = self.ITEMS.get(case.item_code)
        if item is None:
            raise not_found("事项类型", "Item", case.item_code)
        extra = extra or {}
        answer = (engine.consultation_answer(reason, extra)
                  if item.kind == "consultation" and action == "complete" else None)
        self.before_action(self.db, case, item, action, extra, now)
        try:
            engine.act(self.db, case, item, action, self.actor, now, reason, materials, notice,
                       self.delegated_items(), self.correlation_id)
        except NoticeViolation as violation:
            # the return is refused (nothing of it is kept) but the attempt is recorded
            self.db.rollback()
            case = engine.get_case(self.db, case_id)
            engine.record_violation(self.db, case, item, self.actor, violation.codes, now,
                                    self.correlation_id)
            self.db.commit()
            raise DomainError(*violation.args)
        if answer is not None:
            case.result = {**(case.result or {}), "answer": answer}
        self.after_action(self.db, case, item, action, extra, now)
        self.db.commit()
        return self.to_dict(case)

    @rpc
    def delegate(self, item_code, enabled=True, b_post_id="*"):
        """The A post delegates approval of an A-post item to B posts (or takes it back)."""
        engine.set_delegation(self.db, self.item(item_code), self.actor, bool(enabled),
                              b_post_id, self.clock())
        self.db.commit()
        return self.delegations()

    @rpc
    def delegations(self):
        require_actor(self.actor)
        if self.actor.get("department") != self.name and \
                self.actor.get("role") not in ("director", "committee"):
            raise forbidden()
        return engine.list_delegations(self.db)

    @rpc
    def form_fields(self):
        """{item code: describe_form(schema)} for every item with a structured form."""
        return {code: describe_form(schema) for code, schema in self.FORMS.items()}

    @rpc
    def expedite(self, case_id, reason):
        """Green channel: staff mark an eligible case urgent (reason recorded)."""
        now = self.clock()
        case = engine.read_case(self.db, case_id, self.actor)
        engine.expedite(self.db, case, self.item(case.item_code), self.actor, reason, now,
                        self.correlation_id)
        self.db.commit()
        return self.to_dict(case)
