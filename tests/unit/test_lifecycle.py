"""The case state machine: every (status, action) pair, allowed or refused as designed."""
import pytest

from osac_shared import lifecycle as lc
from osac_shared.errors import DomainError

ALLOWED = {
    (lc.SUBMITTED, "accept"): lc.ACCEPTED,
    (lc.RESUBMITTED, "accept"): lc.ACCEPTED,
    (lc.SUBMITTED, "return"): lc.RETURNED,
    (lc.RESUBMITTED, "return"): lc.RETURNED,
    (lc.ACCEPTED, "return"): lc.RETURNED,
    (lc.RETURNED, "resubmit"): lc.RESUBMITTED,
    (lc.ACCEPTED, "approve"): lc.PROCESSING,
    (lc.PROCESSING, "complete"): lc.COMPLETED,
    (lc.SUBMITTED, "reject"): lc.REJECTED,
    (lc.RESUBMITTED, "reject"): lc.REJECTED,
    (lc.ACCEPTED, "reject"): lc.REJECTED,
    (lc.PROCESSING, "reject"): lc.REJECTED,
    (lc.SUBMITTED, "withdraw"): lc.WITHDRAWN,
    (lc.ACCEPTED, "withdraw"): lc.WITHDRAWN,
    (lc.RETURNED, "withdraw"): lc.WITHDRAWN,
    (lc.RESUBMITTED, "withdraw"): lc.WITHDRAWN,
    (lc.PROCESSING, "withdraw"): lc.WITHDRAWN,
}
PAIRS = [(s, a) for s in lc.STATUSES for a in lc.TRANSITIONS]


@pytest.mark.parametrize("status, action", PAIRS)
def test_every_status_action_pair(status, action):
    if (status, action) in ALLOWED:
        assert lc.next_status(status, action) == ALLOWED[(status, action)]
    else:
        with pytest.raises(DomainError) as err:
            lc.next_status(status, action)
        assert err.value.code == "illegal_transition"
        assert err.value.status == 409
        assert lc.STATUS_ZH[status] in err.value.message      # says where the case stands
        assert status in err.value.message_en


@pytest.mark.parametrize("status", sorted(lc.FINAL))
def test_final_states_allow_nothing(status):
    assert lc.allowed_actions(status) == []


def test_unknown_action_names_the_allowed_ones():
    with pytest.raises(DomainError) as err:
        lc.next_status(lc.SUBMITTED, "teleport")
    assert err.value.code == "unknown_action"
    assert "accept" in err.value.fields["action"]


@pytest.mark.parametrize("reason, extra, answer", [
    ("可以保留学籍", None, "可以保留学籍"),
    ("  ", {"answer": "见征兵网"}, "见征兵网"),
    ("原因", {"answer": "答复优先"}, "答复优先"),
    ("", None, None), ("   ", {}, None), ("", {"answer": "  "}, None),
])
def test_a_consultation_is_completed_with_its_written_answer(reason, extra, answer):
    from osac_shared.cases import consultation_answer
    if answer is None:
        with pytest.raises(DomainError) as err:
            consultation_answer(reason, extra)
        assert "extra.answer" in err.value.fields
    else:
        assert consultation_answer(reason, extra) == answer
