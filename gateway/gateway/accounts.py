"""The gateway's own database: accounts, server-side login sessions and idempotency keys.

Passwords are argon2 hashes. A session is a random token given to the browser in an HttpOnly
cookie; only its HMAC (keyed with SECRET_KEY) is stored, so a copy of the table logs nobody in.
Logging out deletes the row. Session expiry reads the wall clock on purpose: it is a security
boundary, and a test moving the platform's clock (CLOCK_FILE) must not log everyone out.
"""
import hashlib
import hmac
import json
import random
import secrets
import time
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import DateTime, ForeignKey, String, delete, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from osac_shared import demo
from osac_shared.auth import A_POST, B_POST, COMMITTEE, DESK, DIRECTOR, ROLE_ZH, STUDENT
from osac_shared.registry import DEPARTMENT_EN, DEPARTMENT_ZH, DEPARTMENTS

hasher = PasswordHasher()      # argon2id, RFC 9106 low-memory defaults (~0.4 s on 2 cores)
DEMO_PASSWORD = "demo1234"


@lru_cache(maxsize=1)
def _dummy_hash():
    """Verified against for unknown usernames, so they cost the same time as known ones."""
    return hasher.hash(secrets.token_hex(16))


def utc(dt):
    """Stored times are UTC; SQLite hands them back naive."""
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    department: Mapped[str | None] = mapped_column(String(32), nullable=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginSession(Base):
    __tablename__ = "sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("users.username", ondelete="CASCADE"),
                                          index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class IdempotencyKey(Base):
    """(student, Idempotency-Key) -> the case that key created and a fingerprint of the
    request, so a repeat answers 200 and a different request under the same key 409."""
    __tablename__ = "submission_keys"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# ---- users ---------------------------------------------------------------------------
def actor_of(user):
    """The actor the services read from the RPC context; its id is the username."""
    return {"id": user.username, "role": user.role, "department": user.department,
            "name": user.name}


def user_to_dict(user):
    return {**actor_of(user), "username": user.username,
            "role_zh": ROLE_ZH.get(user.role, user.role),
            "department_zh": DEPARTMENT_ZH.get(user.department) if user.department else None,
            "department_en": DEPARTMENT_EN.get(user.department) if user.department else None}


def demo_accounts():
    """Every demo account (all with password ``demo1234``): the students of
    ``osac_shared.demo``, each department's B and A post, the review committees of the
    departments that have one, the centre's committee, the director and the desk."""
    accounts = [(s.id, STUDENT, None, s.name) for s in demo.STUDENTS]
    for dept in DEPARTMENTS:
        accounts.append((f"{dept}_b", B_POST, dept, f"{DEPARTMENT_ZH[dept]} B岗"))
        accounts.append((f"{dept}_a", A_POST, dept, f"{DEPARTMENT_ZH[dept]} A岗"))
        if dept in demo.COMMITTEES:
            accounts.append((f"{dept}_committee", COMMITTEE, dept, demo.COMMITTEES[dept][0]))
    accounts += [("committee", COMMITTEE, None, "管理委员会"), ("director", DIRECTOR, None, "王主任"),
                 ("desk", DESK, None, "咨询台")]
    return [dict(username=u, role=r, department=d, name=n) for u, r, d, n in accounts]


def add_user(session, username, password, role, department, name, now, password_hash=None):
    user = User(username=username, password_hash=password_hash or hasher.hash(password),
                role=role, department=department, name=name, created_at=utc(now))
    session.add(user)
    return user


def seed_demo(session, now):
    """Add the demo accounts that do not exist yet (idempotent). Their password is public,
    so they share one argon2 hash: hashing costs ~0.4 s here, and every worker seeds."""
    existing = set(session.scalars(select(User.username)))
    missing = [a for a in demo_accounts() if a["username"] not in existing]
    demo_hash = hasher.hash(DEMO_PASSWORD) if missing else None
    for account in missing:
        add_user(session, password=DEMO_PASSWORD, now=now, password_hash=demo_hash, **account)


def authenticate(session, username, password):
    """The user when the password matches, else None (same work either way)."""
    user = session.get(User, username)
    try:
        hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


# ---- sessions ------------------------------------------------------------------------
def token_hash(token, secret):
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def open_session(session, user, now, hours, secret):
    """-> a new random token; the row keeps only its HMAC. Expired rows are purged."""
    now = utc(now)
    session.execute(delete(LoginSession).where(LoginSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token_hash=token_hash(token, secret), username=user.username,
                             created_at=now, expires_at=now + timedelta(hours=hours)))
    return token


def user_for_token(session, token, now, secret):
    if not token or len(token) > 128:
        return None
    row = session.get(LoginSession, token_hash(token, secret))
    if row is None or utc(row.expires_at) <= utc(now):
        return None
    return session.get(User, row.username)


def close_session(session, token, secret):
    if token:
        session.execute(delete(LoginSession).where(
            LoginSession.token_hash == token_hash(token, secret)))


# ---- idempotency keys ----------------------------------------------------------------
def fingerprint(request_body):
    """A stable digest of a submission (item, materials, form, green reason)."""
    text = json.dumps(request_body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def case_for_key(session, username, key):
    """-> (case id, request fingerprint) a key created, or None."""
    row = session.get(IdempotencyKey, (username, key))
    return (row.case_id, row.fingerprint) if row else None


def remember_key(session, username, key, case_id, digest, now):
    """Record which case a key created; False when a concurrent request recorded it first."""
    session.add(IdempotencyKey(username=username, key=key, case_id=case_id,
                               fingerprint=digest, created_at=utc(now)))
    try:
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
        return False


# ---- start-up ------------------------------------------------------------------------
def init_db(engine, seed, now):
    """Create the tables and (optionally) the demo accounts. Every gunicorn worker runs this
    at start; on PostgreSQL an advisory lock makes them take turns, on SQLite a worker that
    lost the race (another worker created a table or an account first) tries again shortly,
    and then finds the other's work done."""
    for attempt in range(1, 6):
        if attempt > 1:
            time.sleep(random.uniform(0.1, 0.5) * attempt)
        try:
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
                Base.metadata.create_all(conn)
                if seed:
                    with Session(bind=conn) as session:
                        seed_demo(session, now)
                        session.flush()
            return
        except (OperationalError, IntegrityError):
            if attempt == 5:
                raise
