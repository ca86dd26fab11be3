"""Demo data: each demo student's account from the ``fees`` profile of ``osac_shared.demo``,
idempotently (an entry already there, by its key, is left alone):

    arrears    this year's tuition and accommodation charged, unpaid
    deferred   the same, on the green channel (缓缴): charged, not yet paid
    paid       charged and paid
    credit     charged and paid, then last year's aid paid in: a credit to refund
"""
from osac_shared import demo as people

from . import domain, ledger


def _once(session, student_id, key, kind, cents, description, now, charge_id=None):
    entry = ledger.find_by_key(session, student_id, key)
    if entry is None:
        entry = ledger.add(session, student_id, kind, cents, description, key, now,
                           charge_id=charge_id, actor_id="demo")
    return entry


def seed(session, now):
    year = domain.academic_year(now)
    start = int(year[:4])
    last_year = f"{start - 1}-{start}"
    for student in people.STUDENTS:
        profile = student.fees
        for code, name_zh, cents in domain.demo_charges(student.college):
            note = "（绿色通道缓缴）" if profile == "deferred" else ""
            charge = _once(session, student.id, f"demo:{year}:{code}", domain.CHARGE, cents,
                           f"{year}学年{name_zh}{note}", now)
            if profile in ("paid", "credit"):
                _once(session, student.id, f"demo:{year}:{code}:paid", domain.PAYMENT, cents,
                      f"缴纳：{charge.description}", now, charge_id=charge.id)
        if profile == "credit":
            name_zh, cents = domain.DEMO_AID
            _once(session, student.id, f"demo:{last_year}:aid", domain.AID, cents,
                  f"{last_year}学年{name_zh}", now)
