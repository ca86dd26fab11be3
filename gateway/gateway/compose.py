"""Composing answers from several departments (pure functions, no I/O)."""
from marshmallow import ValidationError

# The most a merged list ("my affairs" of a student, the director's view) fetches from each
# department per request: page * per_page must fit, deeper pages need the read model that
# DESIGN.md plans for cross-department lists.
MERGE_LIMIT = 200

WINDOW_ZH = {1: "学生日常事务", 2: "学生资助", 3: "学生保险", 4: "招生就业", 5: "教学服务",
             6: "学籍事务", 7: "户籍与安保", 8: "党团事务", 9: "网络服务", 10: "校园一卡通",
             11: "维修服务", 12: "财务服务", 13: "投诉与建议"}


def merge_size(page, per_page):
    """How many newest cases to ask each department for, to build page ``page``."""
    size = page * per_page
    if size > MERGE_LIMIT:
        raise ValidationError({"page": [
            f"跨部门列表最多翻到第 {MERGE_LIMIT} 条，请用状态筛选缩小范围 / a merged list "
            f"reaches only its first {MERGE_LIMIT} cases; filter by status to narrow it"]})
    return size


def newest_first(case):
    return case.get("updated_at") or "", case.get("id") or ""


def merge_pages(lists, page, per_page):
    """Merge each department's newest-first list (as the services order them: updated_at
    descending) and cut page ``page``."""
    merged = sorted((c for cases in lists for c in cases), key=newest_first, reverse=True)
    start = (page - 1) * per_page
    return merged[start:start + per_page]


def attach_deadline(case, deadline):
    """Add the SLA view of a case: due_at (ISO 8601 with offset), flagged, sla_status and
    on_time (None until the case is finished)."""
    deadline = deadline or {}
    return {**case, "due_at": deadline.get("due_at"), "flagged": bool(deadline.get("flagged")),
            "sla_status": deadline.get("status"), "on_time": deadline.get("on_time")}


def group_by_window(items):
    """[(window, window name, [items sorted by code])] in window order."""
    windows = {}
    for item in items:
        windows.setdefault(item["window"], []).append(item)
    return [(w, WINDOW_ZH.get(w, f"窗口{w}"), sorted(windows[w], key=lambda i: i["code"]))
            for w in sorted(windows)]


def with_hrefs(case):
    """A department's case with each of its next_actions' address: POST
    /api/cases/<id>/actions/<action> with a body that fits the action's ``input_schema``."""
    actions = case.get("next_actions")
    if not actions:
        return case
    return {**case, "next_actions": [
        {**a, "href": f"/api/cases/{case['id']}/actions/{a['action']}", "method": "POST"}
        for a in actions]}
