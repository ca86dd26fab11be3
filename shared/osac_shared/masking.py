"""Masking of personal data: 18-character ID numbers (居民身份证号), bank card numbers and
mobile phone numbers, in API answers and in logs.

Pure functions (table-tested in tests/security/test_masking.py):

    mask_id_number("11010519491231002X")  -> "110***********002X"
    mask_bank_card("6222 0212 3456 7890 123") -> "6222 **** **** ***0 123" (digits masked)
    mask_phone("13812345678")             -> "138****5678"
    mask_text(text)      every such number found inside free text, masked
    mask_value(value)    the same through dicts and lists (only strings change); a key that
                         names a personal field (``PERSONAL_KEYS``) is masked whatever its format
    sees_personal_data(actor, student_id, department)
                         the student owner and the department's A post see them, nobody else
    mask_case(case_dict, actor, department)   the case's ``form`` masked unless allowed

``MaskingFilter`` is a ``logging.Filter`` that masks every record's message;
``install_log_masking()`` puts it on the root logger's handlers (and gunicorn's).
"""
import logging
import re

from nameko.extensions import DependencyProvider

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5})((?:18|19|20)\d{2}(?:0[1-9]|1[0-2])"
                       r"(?:0[1-9]|[12]\d|3[01]))(\d{3})([0-9Xx])(?![0-9A-Za-z])")
# 15-19 digits, optionally in groups separated by one space or hyphen
BANK_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){14,18}(?![\d])")
PHONE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")

PERSONAL_KEYS = {"id_number", "id_no", "id_card_no", "identity_number", "idcard",
                 "bank_card", "bank_card_no", "bank_account", "card_number", "account_no",
                 "phone", "mobile", "contact_phone", "telephone", "tel"}
KEEP_LAST = 4


def mask_id_number(value):
    """First 3 and last 4 characters kept (region and birth date hidden)."""
    s = str(value)
    if len(s) <= 7:
        return "*" * len(s)
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


def mask_bank_card(value):
    """First 4 and last 4 digits kept; separators kept where they were."""
    s = str(value)
    digits = [i for i, c in enumerate(s) if c.isdigit()]
    if len(digits) <= 8:
        keep = set(digits[-min(KEEP_LAST, len(digits) // 2):]) if digits else set()
    else:
        keep = set(digits[:4] + digits[-4:])
    return "".join(c if (not c.isdigit() or i in keep) else "*" for i, c in enumerate(s))


def mask_phone(value):
    """First 3 and last 4 digits of the 11 kept: 138****5678."""
    s = str(value)
    digits = "".join(c for c in s if c.isdigit())
    if len(digits) >= 11:
        local = digits[-11:]
        return local[:3] + "****" + local[-4:]
    return mask_other(s)


def mask_other(value):
    """Anything in a personal field of an unknown format: only the last 4 characters."""
    s = str(value)
    if len(s) <= KEEP_LAST:
        return "*" * len(s)
    return "*" * (len(s) - KEEP_LAST) + s[-KEEP_LAST:]


def mask_text(text):
    """Every ID number, bank card and mobile number inside ``text``, masked."""
    if not isinstance(text, str) or not any(c.isdigit() for c in text):
        return text
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    text = PHONE.sub(lambda m: mask_phone(m.group(0)), text)
    return BANK_CARD.sub(lambda m: mask_bank_card(m.group(0)), text)


def _mask_key(key, value):
    if not isinstance(value, (str, int)) or isinstance(value, bool) or value == "":
        return mask_value(value)
    s = str(value)
    key = str(key).lower()
    if "phone" in key or key in ("mobile", "tel", "telephone"):
        return mask_phone(s)
    if ID_NUMBER.fullmatch(s):
        return mask_id_number(s)
    if "bank" in key or "card_n" in key or "account" in key:
        return mask_bank_card(s) if sum(c.isdigit() for c in s) > 8 else mask_other(s)
    return mask_other(s)


def mask_value(value):
    """Strings masked with ``mask_text``; dicts and lists walked; other values unchanged."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: (_mask_key(k, v) if str(k).lower() in PERSONAL_KEYS else mask_value(v))
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_value(v) for v in value]
    return value


def sees_personal_data(actor, student_id, department):
    actor = actor or {}
    role = actor.get("role")
    if role == "student":
        return actor.get("id") == student_id
    return role == "a_post" and actor.get("department") == department


def mask_case(case, actor, department):
    """``case`` (a case dict) with its form masked, unless ``actor`` may see it all."""
    if sees_personal_data(actor, case.get("student_id"), department):
        return case
    return {**case, "form": mask_value(case.get("form") or {})}


class MaskingFilter(logging.Filter):
    """Masks personal numbers in every record's final message (never drops a record)."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:       # a broken format string is logging's problem, not ours
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def install_log_masking(logger_names=("", "gunicorn.error", "gunicorn.access", "nameko")):
    """Add one ``MaskingFilter`` to every handler of the named loggers (idempotent)."""
    for name in logger_names:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, MaskingFilter) for f in handler.filters):
                handler.addFilter(MaskingFilter())


class LogMasking(DependencyProvider):
    """``log_masking = LogMasking()`` in a service class: installs ``MaskingFilter`` when the
    container starts (after ``nameko run`` configured logging). Gives the worker nothing."""

    def setup(self):
        install_log_masking()

    def get_dependency(self, worker_ctx):
        return None
