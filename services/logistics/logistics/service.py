"""Logistics (后勤处), window 11: dorm repairs and logistics complaints."""
from nameko.rpc import rpc

from osac_shared import cases as engine
from osac_shared.errors import DomainError
from osac_shared.service import CaseService

from .catalogue import ITEMS
from .domain import RepairForm, repair_due, repair_overdue


class LogisticsService(CaseService):
    """Boundary: the CaseService entrypoints (catalogue, submit_case, get_case, list_cases, act,
    health) plus ``complain_overdue``."""
    name = "logistics"
    ITEMS = ITEMS
    FORMS = {"logistics.dorm-repair": RepairForm}
    EXAMPLES = {"logistics.dorm-repair": {"building": "A3", "room": "301", "facility": "water",
                                          "description": "卫生间水龙头漏水"}}

    def after_submit(self, session, case, item, now):
        if item.code == "logistics.dorm-repair":
            case.result = {"repair_due_at": repair_due(case.submitted_at).isoformat()}

    @rpc
    def complain_overdue(self, repair_case_id, text, idempotency_key=None):
        """A student complains about a repair not done within 48 hours: opens a complaint case
        that names the repair ticket."""
        now = self.clock()
        repair = engine.read_case(self.db, repair_case_id, self.actor)
        if repair.item_code != "logistics.dorm-repair":
            raise DomainError("not_a_repair", "该事项不是报修单", "That case is not a repair",
                              {"repair_case_id": "请填写报修单号 / give a repair ticket id"}, 422)
        if not repair_overdue(repair.submitted_at, repair.status, now):
            raise DomainError(
                "repair_not_overdue", "报修未超过48小时或已修复，暂不能投诉；如有意见请走意见建议",
                "The repair is not 48 hours overdue (or is done); use a suggestion instead",
                {"repair_case_id": "报修48小时后仍未修复才可投诉 / only after 48 hours"}, 409)
        item = self.ITEMS["logistics.complaint"]
        case = engine.submit(self.db, item, self.actor, [], {
            "repair_case_id": repair_case_id, "text": str(text)[:2000]}, now, idempotency_key,
            correlation_id=self.correlation_id)
        self.db.commit()
        return self.to_dict(case)
