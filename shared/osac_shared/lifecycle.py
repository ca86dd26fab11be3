"""The case lifecycle as a state machine (pure functions, no I/O).

    submitted -> accepted -> processing -> completed | rejected
        \\            \\-> returned (for supplement) <-> resubmitted -> accepted ...
         \\-> withdrawn (by the student, while the case is still open)

``next_status(status, action)`` answers the new status or raises ``DomainError`` naming the
state and the actions that are allowed from it.
"""
from .errors import DomainError

SUBMITTED = "submitted"
ACCEPTED = "accepted"
RETURNED = "returned"
RESUBMITTED = "resubmitted"
PROCESSING = "processing"
COMPLETED = "completed"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"

STATUSES = (SUBMITTED, ACCEPTED, RETURNED, RESUBMITTED, PROCESSING, COMPLETED, REJECTED,
            WITHDRAWN)
FINAL = frozenset({COMPLETED, REJECTED, WITHDRAWN})

STATUS_ZH = {
    SUBMITTED: "已提交", ACCEPTED: "已受理", RETURNED: "退回补正", RESUBMITTED: "已补正重交",
    PROCESSING: "办理中", COMPLETED: "已办结", REJECTED: "不予办理", WITHDRAWN: "已撤回",
}

# action -> (statuses it may start from, status it leads to)
TRANSITIONS = {
    "accept": ({SUBMITTED, RESUBMITTED}, ACCEPTED),
    "return": ({SUBMITTED, RESUBMITTED, ACCEPTED}, RETURNED),
    "resubmit": ({RETURNED}, RESUBMITTED),
    "approve": ({ACCEPTED}, PROCESSING),
    "complete": ({PROCESSING}, COMPLETED),
    "reject": ({SUBMITTED, RESUBMITTED, ACCEPTED, PROCESSING}, REJECTED),
    "withdraw": ({SUBMITTED, ACCEPTED, RETURNED, RESUBMITTED, PROCESSING}, WITHDRAWN),
}

ACTION_ZH = {"accept": "受理", "return": "退回补正", "resubmit": "补正重交", "approve": "审批通过",
             "complete": "办结", "reject": "不予办理", "withdraw": "撤回"}

ACTION_EN_PAST = {"accept": "accepted", "return": "returned", "resubmit": "resubmitted",
                  "approve": "approved", "complete": "completed", "reject": "rejected",
                  "withdraw": "withdrawn"}

# actions whose reason is mandatory (the student must be told why)
REASON_REQUIRED = frozenset({"reject", "return"})


def allowed_actions(status):
    return sorted(a for a, (sources, _) in TRANSITIONS.items() if status in sources)


def next_status(status, action):
    if action not in TRANSITIONS:
        raise DomainError(
            "unknown_action", f"未知的操作：{action}", f"Unknown action: {action}",
            {"action": f"use one of {', '.join(sorted(TRANSITIONS))}"}, 400)
    sources, target = TRANSITIONS[action]
    if status not in sources:
        allowed = allowed_actions(status)
        raise DomainError(
            "illegal_transition",
            f"当前状态为“{STATUS_ZH.get(status, status)}”，不能{ACTION_ZH[action]}"
            f"（可执行：{'、'.join(ACTION_ZH[a] for a in allowed) or '无'}）",
            f"A case that is {status} cannot be {ACTION_EN_PAST[action]} "
            f"(allowed: {', '.join(allowed) or 'none'})",
            {"status": status, "action": action}, 409)
    return target
