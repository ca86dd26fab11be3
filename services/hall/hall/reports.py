"""Monthly and term reports per window (cases handled, on-time rate, satisfaction, demerits,
patrol findings) and the Sunshine Window rows, as rows; exported as JSON, CSV or XLSX.

On-time rates come from the SLA service (``sla.report``) and are passed in: ``None`` when SLA
could not answer, in which case the report says so and the column is empty.
"""
import base64
import csv
import io
from collections import Counter

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, select

from osac_shared.errors import validation_failed

from .models import CaseSeen, Demerit
from .records import patrols, ratings
from .rules import ranking
from .windows import WINDOWS

FORMATS = ("json", "csv", "xlsx")
COLUMNS = (   # key, 中文, English
    ("window", "窗口", "Window"), ("name_zh", "窗口名称", "Window name"),
    ("department", "部门", "Department"), ("cases_handled", "办结事项数", "Cases handled"),
    ("on_time_rate", "按时办结率", "On-time rate"),
    ("ratings", "评价数", "Ratings"), ("satisfaction_rate", "满意率", "Satisfaction rate"),
    ("below_target", "满意率低于96%", "Below 96%"), ("demerits", "记过次数", "Demerits"),
    ("patrol_findings", "巡查问题数", "Patrol findings"),
    ("open_findings", "未办结巡查问题", "Findings without a result"),
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def on_time_by_window(sla_report):
    if sla_report is None:
        return None
    return {row["window"]: row.get("on_time_rate") for row in sla_report.get("by_window", [])}


def demerits_by_window(session, start, end):
    rows = session.execute(select(Demerit.window, func.count()).where(
        Demerit.at >= start, Demerit.at < end, Demerit.window.is_not(None))
        .group_by(Demerit.window)).all()
    return Counter({w: n for w, n in rows})


def handled_by_window(session, start, end):
    rows = session.execute(select(CaseSeen.window, func.count()).where(
        CaseSeen.finished_at >= start, CaseSeen.finished_at < end)
        .group_by(CaseSeen.window)).all()
    return Counter({w: n for w, n in rows})


def window_rows(session, start, end, on_time):
    """One row per window (1–13) for [start, end); ``on_time`` = {window: rate} or None."""
    handled = handled_by_window(session, start, end)
    marks = demerits_by_window(session, start, end)
    sat = {r["window"]: r for r in ratings.satisfaction(session, start, end)["by_window"]}
    findings, unresolved = Counter(), Counter()
    for patrol in patrols.between(session, start, end):
        for f in patrol.findings:
            findings[f.window] += 1
            unresolved[f.window] += f.resolved_at is None
    rows = []
    for number, w in sorted(WINDOWS.items()):
        s = sat.get(number) or ranking.satisfaction_row(0, 0)
        rows.append({"window": number, "name_zh": w.name_zh, "department": w.department,
                     "cases_handled": handled[number],
                     "on_time_rate": (on_time or {}).get(number),
                     "ratings": s["rated"], "satisfaction_rate": s["rate"],
                     "below_target": s["below_target"], "demerits": marks[number],
                     "patrol_findings": findings[number], "open_findings": unresolved[number]})
    return rows


def sunshine_rows(session, month, start, end, on_time, weights):
    """The month's ranking inputs per window, ranked (see ``rules.ranking``)."""
    votes = ratings.votes(session, month)
    base = window_rows(session, start, end, on_time)
    rows = [{"window": r["window"], "name_zh": r["name_zh"], "department": r["department"],
             "votes": votes[r["window"]], "satisfaction": r["satisfaction_rate"],
             "on_time": r["on_time_rate"], "demerits": r["demerits"]} for r in base]
    return ranking.rank_windows(rows, weights)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def to_csv(rows):
    """UTF-8 with a BOM (so spreadsheet programs read the Chinese headers)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f"{zh} {en}" for _, zh, en in COLUMNS])
    for row in rows:
        writer.writerow([_cell(row[key]) for key, _, _ in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows, title):
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([f"{zh} {en}" for _, zh, en in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(row[key]) for key, _, _ in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(report, fmt):
    """``report`` (with "period" and "rows") as itself (json) or a base64 file."""
    if fmt not in FORMATS:
        raise validation_failed({"format": "只能取 json、csv、xlsx / use json, csv or xlsx"})
    if fmt == "json":
        return report
    name = f"hall-report-{report['period']}.{fmt}"
    data = to_csv(report["rows"]) if fmt == "csv" else to_xlsx(report["rows"], report["period"])
    return {**{k: v for k, v in report.items() if k != "rows"}, "format": fmt,
            "filename": name, "content_type": "text/csv; charset=utf-8" if fmt == "csv"
            else XLSX, "base64": base64.b64encode(data).decode("ascii")}
