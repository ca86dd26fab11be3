"""Roster, shifts, on-duty and the hand-over register, over a session."""
from sqlalchemy import select

from osac_shared.calendar import in_a_post_slot
from osac_shared.errors import DomainError, forbidden, not_found

from ..models import HandOver, Post, Shift
from ..rules import roster as rules
from ..rules.periods import local
from ..windows import A_POST, B_POST, WINDOWS, window_to_dict


def iso(dt):
    return local(dt).isoformat() if dt else None


def post_to_dict(p):
    return {"window": p.window, "staff_id": p.staff_id, "post": p.post,
            "department": p.department, "name": p.name}


def set_post(session, data):
    row = session.get(Post, (data["window"], data["staff_id"]))
    if row is None:
        row = Post(window=data["window"], staff_id=data["staff_id"])
        session.add(row)
    row.post, row.department, row.name = data["post"], data["department"], data["name"]
    return row


def remove_post(session, window, staff_id, today):
    """Take ``staff_id`` off ``window``'s roster; their shifts there from ``today`` on go too
    (earlier ones stay: they are what happened). -> (post row as a dict, shifts removed)."""
    row = session.get(Post, (window, staff_id), with_for_update=True)
    if row is None:
        raise not_found("花名册人员", "Staff member on the roster", staff_id)
    gone = post_to_dict(row)
    later = session.scalars(select(Shift).where(Shift.window == window,
                                                Shift.staff_id == staff_id,
                                                Shift.day >= today)).all()
    for shift in later:
        session.delete(shift)
    session.delete(row)
    return gone, len(later)


def posts(session, window=None, post=None):
    query = select(Post).order_by(Post.window, Post.post, Post.staff_id)
    if window is not None:
        query = query.where(Post.window == window)
    if post is not None:
        query = query.where(Post.post == post)
    return session.scalars(query).all()


def b_posts_of(session, window):
    return {p.staff_id for p in posts(session, window, B_POST)}


def a_post_of(session, window):
    rows = posts(session, window, A_POST)
    return rows[0].staff_id if rows else None


def post_of(session, staff_id):
    """(post "A"|"B", first window) of a staff id on the roster, or (None, None)."""
    row = session.scalars(select(Post).where(Post.staff_id == staff_id)
                          .order_by(Post.window)).first()
    return (row.post, row.window) if row else (None, None)


def shift_to_dict(s):
    return {"id": s.id, "date": s.day.isoformat(), "start": s.start.strftime("%H:%M"),
            "end": s.end.strftime("%H:%M"), "window": s.window, "staff_id": s.staff_id}


def add_shift(session, data):
    for other in session.scalars(select(Shift).where(Shift.staff_id == data["staff_id"],
                                                     Shift.day == data["day"])):
        if rules.overlaps(other.start, other.end, data["start"], data["end"]):
            raise DomainError("shift_overlap", "该人员当天已有重叠的班次",
                              "This person already has an overlapping shift that day",
                              {"start": f"与班次 {other.start:%H:%M}–{other.end:%H:%M}"
                                        f"（{other.window}号窗口）重叠 / overlaps that shift"},
                              409)
    shift = Shift(**data)
    session.add(shift)
    session.flush()
    return shift


def shifts(session, day, window=None):
    query = select(Shift).where(Shift.day == day).order_by(Shift.window, Shift.start)
    if window is not None:
        query = query.where(Shift.window == window)
    return session.scalars(query).all()


def on_duty(session, window, now, calendar):
    now = local(now)
    today = [{"day": s.day, "start": s.start, "end": s.end, "staff_id": s.staff_id}
             for s in shifts(session, now.date(), window)]
    names = {p.staff_id: p.name for p in posts(session, window)}
    b_ids = rules.on_shift(today, now)
    a_ids = [p.staff_id for p in posts(session, window, A_POST)]
    return {**window_to_dict(WINDOWS[window]), "at": now.isoformat(),
            "b_posts": [{"staff_id": s, "name": names.get(s, "")} for s in b_ids],
            "a_posts": [{"staff_id": s, "name": names.get(s, "")} for s in a_ids],
            "a_post_at_window": in_a_post_slot(now, calendar),
            "a_post_hours": "15:30–17:30（工作日 / working days）"}


# ---- hand-overs --------------------------------------------------------------------------
def hand_over_to_dict(h, now=None):
    d = {"id": h.id, "window": h.window, "from_b_post": h.from_staff, "to_b_post": h.to_staff,
         "open_case_ids": h.open_case_ids or [], "note": h.note,
         "created_at": iso(h.created_at), "confirmed_at": iso(h.confirmed_at),
         "confirmed": h.confirmed_at is not None}
    if now is not None and h.confirmed_at is None:
        d["age_minutes"] = rules.age_minutes(local(h.created_at), local(now))
    return d


def hand_over(session, actor, window, to_b_post, open_case_ids, note, now):
    ids, note = rules.clean_hand_over(actor, window, to_b_post, b_posts_of(session, window),
                                      open_case_ids, note)
    row = HandOver(window=window, from_staff=actor["id"], to_staff=to_b_post,
                   open_case_ids=ids, note=note, created_at=now)
    session.add(row)
    session.flush()
    return row


def confirm(session, actor, handover_id, now):
    row = session.get(HandOver, handover_id, with_for_update=True)
    if row is None:
        raise not_found("交接登记", "Hand-over", handover_id)
    rules.check_confirm(actor, row.to_staff, row.confirmed_at is not None)
    row.confirmed_at = now
    return row


def list_hand_overs(session, actor, pending_only):
    query = select(HandOver).order_by(HandOver.created_at)
    if pending_only:
        query = query.where(HandOver.confirmed_at.is_(None))
    if actor.get("role") != "director":
        if actor.get("role") not in ("b_post", "a_post"):
            raise forbidden("只有大厅主任和窗口工作人员可以查看交接登记",
                            "Only the director and window staff see hand-overs")
        mine = [n for n, w in WINDOWS.items() if w.department == actor.get("department")]
        query = query.where(HandOver.window.in_(mine))
    return session.scalars(query.limit(500)).all()
