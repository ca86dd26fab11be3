"""The shared case engine as every department serves it, on real RabbitMQ and PostgreSQL:
A-post delegation, one notice for form and materials together, the green channel."""
import pytest

from osac_shared.clock import system_now
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

STUDENT = ACTORS["student"]
_YEAR = system_now().year + 1                 # an academic year not yet begun
EXCHANGE = ("academic.exchange", ["application_form", "transcript"], {
    "programme": "domestic_exchange", "partner_university": "厦门大学",
    "academic_year": f"{_YEAR}-{_YEAR + 1}", "term": "autumn", "gpa": 3.2,
    "language_test": "none", "study_plan": "到厦门大学访学一学期，修读海洋经济方向课程。"})
HAZARD = {"category": "fire", "location": "三教一楼", "description": "灭火器过期"}


@pytest.fixture(scope="module")
def plat(platform_factory):
    return platform_factory(["academic", "security"])


def submit(plat, item_code, materials, form):
    with plat.rpc(STUDENT) as rpc:
        return getattr(rpc, item_code.split(".")[0]).submit_case(item_code, materials, form)


def test_a_post_delegates_approval_to_b_posts_and_takes_it_back(plat):
    case = submit(plat, *EXCHANGE)
    with plat.rpc(staff("academic", "b_post")) as rpc:
        rpc.academic.act(case["id"], "accept")
        with pytest.raises(DomainError) as err:
            rpc.academic.act(case["id"], "approve")
        assert err.value.status == 403
        with pytest.raises(DomainError) as err:          # a B post cannot delegate to itself
            rpc.academic.delegate("academic.exchange", True)
        assert err.value.status == 403
    with plat.rpc(staff("academic", "a_post")) as rpc:
        rows = rpc.academic.delegate("academic.exchange", True)
        assert [(r["item_code"], r["b_post_id"]) for r in rows] == [("academic.exchange", "*")]
        with pytest.raises(DomainError) as err:          # B items need no delegation
            rpc.academic.delegate("academic.transcript", True)
        assert err.value.code == "not_delegable"
    with plat.rpc(staff("academic", "b_post")) as rpc:
        assert rpc.academic.act(case["id"], "approve")["status"] == "processing"
    with plat.rpc(staff("academic", "a_post")) as rpc:
        assert rpc.academic.delegate("academic.exchange", False) == []
    second = submit(plat, *EXCHANGE)
    with plat.rpc(staff("academic", "b_post")) as rpc:
        rpc.academic.act(second["id"], "accept")
        with pytest.raises(DomainError):
            rpc.academic.act(second["id"], "approve")
    with plat.rpc(staff("security", "a_post")) as rpc:   # another department's A post
        with pytest.raises(DomainError) as err:
            rpc.academic.delegate("academic.exchange", True)
        assert err.value.status == 403


def test_form_errors_and_missing_materials_come_in_one_notice(plat):
    with pytest.raises(DomainError) as err:
        submit(plat, "academic.record-correction", [], {"category": "grade"})
    fields = err.value.fields
    assert err.value.status == 422
    assert {"materials.evidence", "form.wrong_value", "form.correct_value"} <= set(fields)


def test_green_channel_marks_the_case_and_puts_it_first_in_the_queue(plat):
    first = submit(plat, "security.hazard-report", [], HAZARD)
    urgent = submit(plat, "security.hazard-report", [], dict(HAZARD, category="public_order"))
    with plat.rpc(staff("security", "b_post")) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.security.expedite(urgent["id"], "")
        assert "reason" in err.value.fields
        done = rpc.security.expedite(urgent["id"], "消防通道被堵，需立即处理")
        assert done["green_channel"] is True
        assert done["history"][-1]["action"] == "expedite"
        queue = rpc.security.list_cases(statuses=["submitted"])["cases"]
    ids = [c["id"] for c in queue]
    assert ids.index(urgent["id"]) < ids.index(first["id"])
    with plat.rpc(STUDENT) as rpc:                       # students cannot jump the queue
        with pytest.raises(DomainError) as err:
            rpc.security.expedite(first["id"], "我很急")
        assert err.value.status == 403
    with plat.rpc(staff("academic", "b_post")) as rpc:   # nor other departments
        with pytest.raises(DomainError):
            rpc.security.expedite(first["id"], "urgent")
