"""Assessment (考核, plan attachment 3): demerits and what they cost a student assistant.

* lateness (无故迟到、早退), a verified error (明显差错) and a verified complaint (举报投诉经核实)
  are recorded by the director; an SLA breach and a one-time-notification violation arrive as
  events;
* 2 or more demerits in a month: the B post's (学生助理) hourly rate drops 1 yuan that month;
* 5 or more in a term: the B post is flagged for dismissal (建议劝退).
A posts (teachers) collect demerits too (they count for their window), but the wage and
dismissal rules are for student assistants only.
"""
from osac_shared.auth import COMMITTEE, DIRECTOR
from osac_shared.errors import validation_failed

from ..windows import B_POST

KINDS = ("lateness", "verified_error", "verified_complaint", "sla_breach", "notice_violation")
KIND_ZH = {"lateness": "迟到早退", "verified_error": "明显差错（经核实）",
           "verified_complaint": "受到投诉（经核实）", "sla_breach": "超时未办结",
           "notice_violation": "违反一次性告知"}
DIRECTOR_KINDS = ("lateness", "verified_error", "verified_complaint")
WAGE_THRESHOLD = 2           # demerits in a month
DISMISSAL_THRESHOLD = 5      # demerits in a term
WAGE_DELTA_YUAN = -1


def is_manager(actor):
    """Reads the hall's assessment, patrols, rankings and reports: the director and the
    centre's management committee (role committee without a department; a department's own
    review committee, e.g. aid's, has one and is not the hall's)."""
    role = actor.get("role")
    return role == DIRECTOR or (role == COMMITTEE and not actor.get("department"))


def check_director_kind(kind):
    if kind not in DIRECTOR_KINDS:
        raise validation_failed({"kind": "只能取 lateness（迟到早退）、verified_error（差错）、"
                                         "verified_complaint（投诉）；超时和一次性告知违规由系统"
                                         "自动记录 / use lateness, verified_error or "
                                         "verified_complaint; SLA breaches and notice violations "
                                         "are recorded automatically"})
    return kind


def wage_reduced(post, month_count):
    return post == B_POST and month_count >= WAGE_THRESHOLD


def rate_delta_yuan(post, month_count):
    return WAGE_DELTA_YUAN if wage_reduced(post, month_count) else 0


def dismissal_flag(post, term_count):
    return post == B_POST and term_count >= DISMISSAL_THRESHOLD


def wage_event_due(post, month_count, already_adjusted):
    """Publish ``hall.wage_adjusted`` now? Once per assistant-month, when it reaches 2."""
    return wage_reduced(post, month_count) and not already_adjusted


def verdict(post, month_count, term_count):
    """What the counts mean for one person in one month and its term."""
    flagged = dismissal_flag(post, term_count)
    return {"month_demerits": month_count, "term_demerits": term_count,
            "wage_reduced": wage_reduced(post, month_count),
            "rate_delta_yuan": rate_delta_yuan(post, month_count),
            "dismissal_flag": flagged,
            "dismissal_zh": "本学期累计记过5次以上，建议予以劝退" if flagged else ""}
