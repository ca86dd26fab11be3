"""Academic rules (plain functions): certificate codes and who may see what, and the major
transfer window and quotas."""
import re
import secrets

from marshmallow import Schema, fields, validate  # noqa: F401  (the forms are in forms.py)

from osac_shared.auth import DIRECTOR, STUDENT, is_staff_of
from osac_shared.errors import conflict, validation_failed

from .majors import MAJORS

# ---- forms: every item's form is in forms.py (with its example and its rules) -----------------
from .forms import CertificateForm, CorrectionForm, TransferForm  # noqa: E402,F401


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
