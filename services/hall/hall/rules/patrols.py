"""Patrols (巡查制度, plan attachment 2 §6): 1–2 full patrols a day against a fixed checklist;
every finding has a window, a person, an opinion and, later, a result
(事事有登记，有意见，有结果)."""
from datetime import date

from osac_shared.errors import DomainError, validation_failed

from ..windows import WINDOWS

CHECKLIST = (
    ("on_duty_discipline", "在岗纪律", "On-duty discipline"),
    ("badge", "亮证上岗", "Badge worn"),
    ("manner", "仪态言行", "Manner and language"),
    ("attitude", "服务态度", "Service attitude"),
    ("signage_and_guide", "窗口指示牌与《办事指南》", "Window sign and service guide"),
    ("hygiene", "窗口卫生", "Window hygiene"),
    ("answers", "解答咨询与事项办理", "Answering questions and handling matters"),
)
CHECK_CODES = tuple(code for code, _, _ in CHECKLIST)
MAX_PER_DAY = 2
MAX_FINDINGS = 50
MAX_TEXT = 2000
MAX_OPEN_LISTED = 500        # findings still without a result, listed oldest first


def clean_day(value, today):
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise validation_failed({"date": "日期须写作 YYYY-MM-DD / a date like 2026-12-07"})
    if day > today:
        raise validation_failed({"date": "不能登记未来日期的巡查 / a patrol cannot be in the "
                                         "future"})
    return day


def clean_checklist(checklist):
    """{code: true|false|{"ok": bool, "note": str}} with every item -> {code: {ok, note}}."""
    if not isinstance(checklist, dict):
        raise validation_failed({"checklist": "须为检查项对象 / must be an object of checks"})
    errors, out = {}, {}
    for code in checklist:
        if code not in CHECK_CODES:
            errors[f"checklist.{code}"] = (f"没有这个检查项，可用：{', '.join(CHECK_CODES)} / "
                                           f"no such check; use {', '.join(CHECK_CODES)}")
    for code, zh, en in CHECKLIST:
        value = checklist.get(code)
        if isinstance(value, bool):
            value = {"ok": value, "note": ""}
        if not isinstance(value, dict) or not isinstance(value.get("ok"), bool):
            errors[f"checklist.{code}"] = (f"请填写“{zh}”的检查结果（是/否）/ give the result "
                                           f"of “{en}” (true/false)")
            continue
        out[code] = {"ok": value["ok"], "note": str(value.get("note") or "")[:MAX_TEXT]}
    if errors:
        raise validation_failed(errors)
    return out


def clean_findings(findings):
    """A finding without an opinion is refused: 事事有登记，有意见，有结果."""
    if findings is None:
        return []
    if not isinstance(findings, list) or len(findings) > MAX_FINDINGS:
        raise validation_failed({"findings": f"须为列表（最多{MAX_FINDINGS}条）/ a list of at "
                                             f"most {MAX_FINDINGS} findings"})
    errors, out = {}, []
    for i, f in enumerate(findings):
        f = f if isinstance(f, dict) else {}
        window = f.get("window")
        if not isinstance(window, int) or isinstance(window, bool) or window not in WINDOWS:
            errors[f"findings.{i}.window"] = "请填写窗口号（1–13）/ give the window (1–13)"
        opinion = str(f.get("opinion") or "").strip()
        if not opinion:
            errors[f"findings.{i}.opinion"] = ("每条问题须写明处理意见（事事有登记，有意见，有结果）"
                                               " / every finding needs an opinion")
        out.append({"window": window, "person": str(f.get("person") or "").strip()[:64],
                    "opinion": opinion[:MAX_TEXT],
                    "result": str(f.get("result") or "").strip()[:MAX_TEXT]})
    if errors:
        raise validation_failed(errors)
    return out


def day_warnings(patrols_before):
    """Warn (not refuse) when this patrol is the 3rd or later of its day."""
    if patrols_before < MAX_PER_DAY:
        return []
    n = patrols_before + 1
    return [{"code": "too_many_patrols",
             "message": f"这是当天第{n}次巡查；制度要求全面巡查每日1–2次，请确认是否为个别抽查",
             "message_en": f"This is patrol number {n} of the day; the rules ask for 1–2 full "
                           f"patrols a day (spot checks aside)"}]


def check_resolve(result, already_resolved):
    if already_resolved:
        raise DomainError("finding_resolved", "该问题已有处理结果", "This finding already has "
                          "its result", {"finding_id": "已办结 / already resolved"}, 409)
    text = str(result or "").strip()
    if not text:
        raise validation_failed({"result": "请填写处理结果 / give the result"})
    return text[:MAX_TEXT]
