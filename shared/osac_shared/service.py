"""``CaseService``: the case entrypoints every department serves, and the hooks it may fill.

A department's service class subclasses it, sets ``name``, ``ITEMS`` (its catalogue), ``FORMS``
(one ``osac_shared.forms.Form`` per item) and ``EXAMPLES`` (one complete, valid example form
per item: a dict, or a function of ``now`` for forms with dates), and adds its own entrypoints
and rules. The inherited RPC boundary is:

    catalogue()                                   -> [item + form_schema]  (public)
    submit_case(item_code, materials, form, idempotency_key=None, green_reason="") -> case
    get_case(case_id)                             -> case + next_actions + waiting_for
    list_cases(student_id=None, statuses=None, page=1, per_page=50) -> {cases, total, ...}
    perform(case_id, action, data=None)           -> case   (one of the case's next_actions,
                                                              its input loaded by its schema)
    act(case_id, action, reason="", materials=None, notice=None, extra=None) -> case
        (the lifecycle step itself; return: notice={"missing", "correct", "deadline", "note"};
         resubmit: materials = the codes supplied or replaced now; complete a consultation:
         its answer in extra["answer"] or the reason -> result.answer)
    expedite(case_id, reason)                     -> case             (green channel, staff)
    delegate(item_code, enabled=True, b_post_id="*") / delegations()  (A post -> B posts)
    form_fields()                                 -> {item code: [field]} (older UIs; public)
    health()                                      -> {status, service, outbox_backlog}
    ping()                                        -> "pong"           (no I/O; benchmarks)

Every call except ``catalogue`` and ``health`` needs the actor in the RPC context.
Hooks (all optional, all run inside the same transaction as the change):
    clean_form(item, form) -> form       load the item's form and apply its rules; raise
                                         ``validation_failed`` with every problem it finds
    conditional_materials(item, form) -> {code: why}   optional materials this form needs
    refine_steps(case, item, steps) -> steps           the department's own stages
    refine_waiting(case, item, waiting) -> waiting
    before_action(session, case, item, action, extra, now)
    after_submit(session, case, item, now)
    after_action(session, case, item, action, extra, now)
A submission is refused with ONE notice (422) naming every form error, every rule the form
breaks, every missing material and a bad green-channel reason, all at once (一次性告知).
"""
from marshmallow import fields, validate
from nameko.contextdata import ContextDataProvider
from nameko.rpc import rpc

from . import cases as engine, forms, lifecycle, steps as next_steps
from .auth import CurrentActor, require_actor
from .clock import Clock
from .db import Database
from .errors import DomainError, forbidden, validation_failed, not_found
from .masking import LogMasking, mask_case
from .notices import NoticeViolation
from .observability import Metrics
from .outbox import OutboxRelay

_FIELD_TYPES = ((fields.Boolean, "boolean"), (fields.Integer, "integer"),
                (fields.Float, "number"), (fields.DateTime, "datetime"), (fields.Date, "date"),
                (fields.List, "list"), (fields.String, "text"))


class CorrelationId(ContextDataProvider):
    context_key = "correlation_id"


def _first(label):
    return str(label[0] if isinstance(label, (tuple, list)) else label)


def describe_form(schema):
    """A form schema as the flat field list older UIs read (``form_fields``); the catalogue's
    ``form_schema`` supersedes it."""
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
                labels = meta.get("choices_zh") or {}
                d["choices"] = [[c, _first(labels.get(c, c))] for c in v.choices]
            elif isinstance(v, validate.Range):
                d.update(min=v.min, max=v.max)
            elif isinstance(v, validate.Length):
                d.update(min_length=v.min, max_length=v.max)
        out.append(d)
    return out


def one_notice(fields_):
    """The single 422 of a refused submission, naming everything wrong at once."""
    materials = [k for k in fields_ if k.startswith("materials.")]
    if materials and len(materials) == len(fields_):
        return DomainError(
            "materials_missing", f"材料不齐，请一次性补齐以下{len(materials)}项材料后再提交",
            f"Materials are incomplete: add all {len(materials)} listed, then submit again",
            fields_, 422)
    return DomainError(
        "materials_missing" if materials else "validation_failed",
        f"申请有误，请按提示一次性补齐材料并修改表单（共{len(fields_)}项）",
        f"The application is incomplete: add the missing materials and correct the form as "
        f"listed ({len(fields_)} in all)", fields_, 422)


class CaseService:
    name = None
    ITEMS = {}       # {code: Item}
    FORMS = {}       # {item code: forms.Form subclass}: every item has one
    EXAMPLES = {}    # {item code: example form dict, or a function of now -> dict}
    CUSTOM_ACTIONS = ()   # names of the department's own steps (see refine_steps)

    db = Database()
    outbox = OutboxRelay()
    clock = Clock()
    actor = CurrentActor()
    correlation_id = CorrelationId()
    log_masking = LogMasking()      # personal numbers masked in this process's logs
    metrics = Metrics()             # Prometheus metrics, JSON logs (osac_shared.observability)

    # ---- hooks -------------------------------------------------------------------------
    def clean_form(self, item, form):
        """The item's form loaded by its schema (every field error at once)."""
        schema = self.FORMS.get(item.code)
        if schema is None:
            raise DomainError("no_form", f"事项{item.code}没有表单定义",
                              f"Item {item.code} has no form", {"item_code": item.code}, 500)
        data, problems = forms.load(schema, form)
        if problems:
            raise validation_failed(problems)
        return data

    def conditional_materials(self, item, form):
        """{material code: why "中文 / English"}: optional materials this form makes
        mandatory. ``form`` is the loaded form, or the raw one when it did not load."""
        return {}

    def refine_steps(self, case, item, steps):
        return steps

    def refine_waiting(self, case, item, waiting):
        return waiting

    def before_action(self, session, case, item, action, extra, now):
        pass

    def after_submit(self, session, case, item, now):
        pass

    def after_action(self, session, case, item, action, extra, now):
        pass

    # ---- helpers -----------------------------------------------------------------------
    def delegated_items(self):
        if not hasattr(self, "_delegated"):
            self._delegated = engine.delegated_codes(self.db, self.actor)
        return self._delegated

    def item(self, code):
        item = self.ITEMS.get(code)
        if item is None:
            raise validation_failed({"item_code": f"没有这个事项：{code} / no such item: {code}"})
        return item

    def example(self, code, now=None):
        """The item's example form (dates computed from ``now``)."""
        example = self.EXAMPLES.get(code)
        return example(now or self.clock()) if callable(example) else example

    def item_to_dict(self, item, now):
        d = item.to_dict()
        schema = self.FORMS.get(item.code)
        if schema is not None:
            d["form_schema"] = forms.form_schema(schema, self.example(item.code, now))
        return d

    def check_submission(self, item, form, materials, green_reason):
        """-> (the loaded form, green reason); raises ONE 422 naming every problem."""
        problems = {}
        try:
            clean = self.clean_form(item, form)
        except DomainError as err:
            if err.status != 422:
                raise
            clean = None
            problems.update(err.fields or {"form": f"{err.message} / {err.message_en}"})
        needed = self.conditional_materials(item, clean if clean is not None else
                                            (form if isinstance(form, dict) else {}))
        problems.update(engine.materials_notice(item, materials, needed))
        reason = green_reason if isinstance(green_reason, str) else ""
        if reason and not reason.strip():
            problems["green_reason"] = ("请写明加急原因（不能只有空格），或留空 / write why it is "
                                        "urgent (not only spaces), or leave it empty")
        elif reason.strip() and not item.green_channel:
            problems["green_reason"] = ("该事项不适用绿色通道，请留空 / this item has no green "
                                        "channel; leave it empty")
        if problems:
            raise one_notice(problems)
        return clean, reason.strip()

    def steps(self, case, item):
        """The Steps this call's actor may take on ``case`` now."""
        found = next_steps.lifecycle_steps(case, item, self.actor, self.delegated_items())
        return self.refine_steps(case, item, found)

    def to_dict(self, case, steps=True):
        """The case as the caller may see it: personal numbers in the form are masked unless
        the caller is the student owner or this department's A post (osac_shared.masking);
        with what the caller may do next (``next_actions``) and who the case waits for."""
        item = self.ITEMS.get(case.item_code)
        d = engine.case_to_dict(case, item)
        if item is not None and self.actor:
            found = self.steps(case, item)
            d["allowed_actions"] = [s.action for s in found]
            if steps:
                d["next_actions"] = [s.to_dict(item) for s in found]
            d["waiting_for"] = self.refine_waiting(case, item,
                                                   next_steps.waiting_for(case, item))
        return mask_case(d, self.actor, self.name)

    def refusal(self, case, item, action):
        """Why ``action`` is not one of the case's next steps for this actor (an error)."""
        known = set(lifecycle.TRANSITIONS) | {"expedite"}
        if action in lifecycle.TRANSITIONS:
            engine.authorize_action(self.actor, case, item, action, self.delegated_items())
            lifecycle.next_status(case.status, action)
        elif action not in known | set(self.CUSTOM_ACTIONS):
            raise DomainError("unknown_action", f"未知的操作：{action}", f"Unknown action: {action}",
                              {"action": "请从事项的 next_actions 中选择 / pick one of the case's "
                                         "next_actions"}, 400)
        allowed = [s.action for s in self.steps(case, item)]
        return DomainError(
            "action_not_available", "该操作当前不能执行（可执行：{}）".format(
                "、".join(allowed) or "无"),
            f"This action is not available now (available: {', '.join(allowed) or 'none'})",
            {"action": f"当前可执行 / available now: {', '.join(allowed) or '-'}"}, 409)

    # ---- entrypoints -------------------------------------------------------------------
    @rpc
    def catalogue(self):
        now = self.clock()
        return [self.item_to_dict(item, now) for item in self.ITEMS.values()]

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
        materials = list(materials or [])
        form, green_reason = self.check_submission(item, form, materials, green_reason)
        case = engine.submit(self.db, item, self.actor, materials, form, now,
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
        return {"cases": [self.to_dict(c, steps=False) for c in rows], "total": total,
                "page": page, "per_page": per_page}

    @rpc
    def perform(self, case_id, action, data=None):
        """Take one of the case's ``next_actions`` for this actor, its input (``data``) loaded
        with the step's own schema; anything not on the list is refused, saying why."""
        case = engine.read_case(self.db, case_id, self.actor)
        item = self.ITEMS.get(case.item_code)
        if item is None:
            raise not_found("事项类型", "Item", case.item_code)
        step = next((s for s in self.steps(case, item) if s.action == action), None)
        if step is None:
            raise self.refusal(case, item, action)
        body, problems = forms.load(step.body, data, prefix="")
        if problems:
            raise validation_failed(problems)
        if step.run:
            return getattr(self, step.run)(case_id, **body)
        notice = None
        if action == "return":
            notice = {"missing": body["missing"], "correct": body["correct"],
                      "deadline": body.get("deadline")}
        return self.act(case_id, action, reason=body.get("reason", ""),
                        materials=body.get("materials"), notice=notice, extra=body)

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
        """{item code: describe_form(schema)} (older UIs; the catalogue's form_schema is the
        one definition now)."""
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
