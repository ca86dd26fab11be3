"""Academic rules (plain functions): certificate codes, who may see what, what the public
verification shows and who may revoke a certificate, and the major transfer window and
quotas."""
import re
import secrets

from osac_shared.auth import A_POST, DIRECTOR, STUDENT, is_staff_of
from osac_shared.clock import TZ
from osac_shared.errors import conflict, forbidden, validation_failed
from osac_shared.forms import Form, Text
from osac_shared.masking import mask_text
from osac_shared.steps import Step

from .majors import MAJORS

# (every item's form is in forms.py, with its example and its rules)


# ---- certificates ------------------------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"    # RFC 4648 base32
CODE_LENGTH = 12                                       # 60 random bits
_CODE_RE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")

KIND_ZH = {"enrollment": "在读证明", "status": "学籍证明", "transcript": "成绩单"}
KIND_EN = {"enrollment": "Enrollment certificate", "status": "Student status certificate",
           "transcript": "Transcript"}


def new_verification_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text):
    """What a person types ('abcd-efgh ijkl') -> the stored form, or None if it cannot be one."""
    code = re.sub(r"[\s-]", "", str(text or "")).upper()
    return code if _CODE_RE.match(code) else None


def verify_path(code):
    return f"/verify/{code}"


def mask_name(name):
    """张三 -> 张*, 欧阳娜娜 -> 欧***: enough for a receiver to match, not to learn the name."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    return name[0] + "*" * (len(name) - 1)


def may_download(actor, student_id):
    """The student the certificate is for, Academic Affairs staff, or the hall director (who
    reads everything; downloading changes nothing)."""
    if actor.get("role") == STUDENT:
        return actor.get("id") == student_id
    return actor.get("role") == DIRECTOR or is_staff_of(actor, "academic")


def verify_url(base, code):
    """What the QR code holds: ``base`` + /verify/<code> (the path alone without a base)."""
    return (base or "").strip().rstrip("/") + verify_path(code)


# ---- certificates: the public verification, and revocation ---------------------------------

VALID, REVOKED, UNKNOWN = "valid", "revoked", "unknown"
STATUS_ZH = {VALID: "有效", REVOKED: "已撤销", UNKNOWN: "未找到"}
ISSUER_ZH, ISSUER_EN = "教务处", "Academic Affairs Office"
REVOKE_REASON_MAX = 200


def iso(dt):
    """ISO 8601 in Asia/Shanghai (SQLite hands back the naive local time it was given)."""
    if dt is None:
        return None
    return (dt.replace(tzinfo=TZ) if dt.tzinfo is None else dt.astimezone(TZ)).isoformat()


def mask_student_id(student_id):
    """2026000001 -> 2026****01: the year and the last two digits, enough to match the paper."""
    s = (student_id or "").strip()
    if len(s) <= 6:
        return "*" * len(s)
    return s[:4] + "*" * (len(s) - 6) + s[-2:]


def public_reason(reason, student_name, student_id):
    """A revocation reason as the public page shows it: the holder's name and student id, and
    any ID, bank card or phone number in it, masked (staff may have typed them)."""
    text = str(reason or "")
    name = (student_name or "").strip()
    if len(name) > 1:
        text = text.replace(name, mask_name(name))
    sid = (student_id or "").strip()
    if sid:
        text = text.replace(sid, mask_student_id(sid))
    return mask_text(text)


def certificate_status(revoked_at):
    return REVOKED if revoked_at is not None else VALID


def public_view(code, kind, student_name, student_id, issued_at, sha256, revoked_at=None,
                revoke_reason=""):
    """What anyone holding the code may learn, without logging in: whether the certificate is
    valid or revoked (when and why), what it is, when it was issued, and the holder's name
    and student id masked -- never more."""
    status = certificate_status(revoked_at)
    return {"valid": status == VALID, "status": status, "status_zh": STATUS_ZH[status],
            "code": code, "kind": kind, "kind_zh": KIND_ZH[kind], "kind_en": KIND_EN[kind],
            "issuer_zh": ISSUER_ZH, "issuer_en": ISSUER_EN,
            "student_name": mask_name(student_name), "student_id": mask_student_id(student_id),
            "issued_at": iso(issued_at), "sha256": sha256, "revoked_at": iso(revoked_at),
            "revoke_reason": (public_reason(revoke_reason, student_name, student_id)
                              if revoked_at is not None else None)}


def unknown_view():
    return {"valid": False, "status": UNKNOWN, "status_zh": STATUS_ZH[UNKNOWN]}


class RevokeBody(Form):
    """Revoking a certificate: why (the public verification page shows it, masked)."""
    reason = Text(required=True, max_length=REVOKE_REASON_MAX, metadata={
        "label_zh": "撤销原因（将显示在公开核验页上）",
        "label_en": "Why (shown on the public verification page)"})


# the department's own step on a completed certificate case (next_actions, CaseService.perform)
REVOKE = Step("revoke_certificate", "撤销证明", "Revoke the certificate", RevokeBody,
              run="revoke_certificate_step", tone="danger")


def revocable(status, result, actor):
    """Is revoking among ``actor``'s next steps on a case in ``status`` with ``result``: a
    completed case whose certificate is still valid, for the academic A post."""
    result = result or {}
    return status == "completed" and bool(result.get("certificate_code")) and \
        result.get("certificate_status") != REVOKED and may_revoke(actor or {})


def may_revoke(actor):
    """Revoking voids an official document: the decision of the department's A post (the
    teacher who owns the window's decisions), never a B post (a student assistant), the
    director (who reads, never acts) or anyone else."""
    return actor.get("role") == A_POST and actor.get("department") == "academic"


def check_revoke(actor, revoked_at, reason):
    """-> the reason, trimmed; refuses who may not (403), a certificate already revoked (409)
    and a blank or overlong reason (422, naming ``reason``)."""
    if not may_revoke(actor):
        raise forbidden("只有教务处A岗教师可以撤销证明",
                        "Only an Academic Affairs A post (teacher) may revoke a certificate")
    if revoked_at is not None:
        day = iso(revoked_at)[:10]
        raise conflict("certificate_already_revoked", f"该证明已于 {day} 撤销，无需再次撤销",
                       f"This certificate was already revoked on {day}",
                       {"case_id": f"已于 {day} 撤销 / revoked on {day}"})
    reason = str(reason or "").strip()
    if not reason:
        raise validation_failed({"reason": "请填写撤销原因，它将显示在公开核验页上 / give the "
                                           "reason; it is shown on the public verification page"})
    if len(reason) > REVOKE_REASON_MAX:
        raise validation_failed({"reason": f"撤销原因最多 {REVOKE_REASON_MAX} 字 / at most "
                                           f"{REVOKE_REASON_MAX} characters"})
    return reason


def check_download(actor, revoked_at):
    """The student may no longer download a revoked certificate (staff and the director still
    may: the record stays). ``may_download`` is checked first."""
    if revoked_at is not None and actor.get("role") == STUDENT:
        day = iso(revoked_at)[:10]
        raise conflict("certificate_revoked",
                       f"该证明已于 {day} 被教务处撤销，不能再下载；如有需要请重新申请",
                       f"This certificate was revoked on {day} and can no longer be downloaded; "
                       f"apply again if you need one",
                       {"case_id": f"已于 {day} 撤销 / revoked on {day}"})


# ---- major transfer ----------------------------------------------------------------------

RELEASED = ("rejected", "withdrawn")    # an application in these no longer holds a place


def current_round(rounds, now):
    return next((r for r in rounds if r.opens <= now <= r.closes), None)


def next_round(rounds, now):
    return min((r for r in rounds if r.opens > now), key=lambda r: r.opens, default=None)


def _fmt(dt):
    return f"{dt:%Y-%m-%d %H:%M}"


def open_round(rounds, now):
    """The round taking applications at ``now``; refuses (naming the next round) if none."""
    round_ = current_round(rounds, now)
    if round_ is not None:
        return round_
    upcoming = next_round(rounds, now)
    when_zh = (f"下一轮申请时间为 {_fmt(upcoming.opens)} 至 {_fmt(upcoming.closes)}"
               if upcoming else "下一轮申请时间尚未公布")
    when_en = (f"the next round runs {_fmt(upcoming.opens)} to {_fmt(upcoming.closes)}"
               if upcoming else "the next round is not announced yet")
    raise conflict("transfer_window_closed", f"当前不在转专业申请时间内，{when_zh}",
                   f"Major transfer applications are closed now; {when_en}",
                   {"item_code": f"{when_zh} / {when_en}"})


def check_transfer(round_, current_major, target_major, used, already_applied):
    """Refuse an application the round cannot take. ``used``: live applications (not rejected
    or withdrawn) to the target major in this round; ``already_applied``: whether this student
    has a live one in the round."""
    if target_major == current_major:
        raise validation_failed({"form.target_major": "拟转入专业不能与现专业相同 / the target "
                                                      "major must differ from your current one"})
    quota = round_.quotas.get(target_major, 0)
    name_zh, name_en = MAJORS[target_major]
    if quota <= 0:
        raise conflict("transfer_major_closed", f"{name_zh}专业本轮不接收转入",
                       f"{name_en} takes no transfers in this round",
                       {"form.target_major": "请选择本轮接收转入的专业 / choose a major that "
                                             "takes transfers this round"})
    if already_applied:
        raise conflict("transfer_already_applied", "本轮您已提交过转专业申请，如需更改请先撤回原申请",
                       "You already applied in this round; withdraw that application first",
                       {"item_code": "每轮只能申请一次 / one application per round"})
    if used >= quota:
        raise conflict("transfer_quota_full", f"{name_zh}专业本轮转入名额（{quota}人）已满",
                       f"{name_en} is full for this round ({quota} places)",
                       {"form.target_major": "名额已满，请选择其他专业 / full; choose another "
                                             "major"})
