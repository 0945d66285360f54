"""Who is at the keyboard: agents' passwords (argon2), one-time login links, sessions and the
wait after repeated failed logins. Pure database work on the console's own tables; the
request handling is web/app.py.

- A password is checked against the agent of the address (any of their configured
  addresses). An unknown address costs the same argon2 work, so timing tells nothing.
- After FAILURES_ALLOWED refused logins for an address within FAILURE_WINDOW, further tries
  wait until the oldest of them leaves the window: refused before the password is looked at,
  and logged (`web.login_throttled`).
- A login link is 32 random bytes; the database keeps only its SHA-256. It works once, for
  LINK_LIFETIME.
- A session id is 32 random bytes in the cookie, its SHA-256 in the row; it ends at logout or
  after the idle timeout, and a new one is made at every login (no session fixation)."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models import AgentPassword, LoginFailure, LoginToken, Person, WebSession
from workflow.people import normalise_address
from workflow.recipients import agent_by_address

log = structlog.get_logger(__name__)

FAILURES_ALLOWED = 5
FAILURE_WINDOW = timedelta(minutes=15)
LINK_LIFETIME = timedelta(minutes=15)
LINKS_PER_WINDOW = 3                # login links mailed per agent per LINK_LIFETIME
SEEN_EVERY = timedelta(minutes=1)   # last_seen_at is written at most this often

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def set_password(session: Session, address: str, password: str, now: datetime) -> Person:
    """The agent of `address` gets this password; LookupError when it is not an agent's."""
    agent = agent_by_address(session, normalise_address(address))
    if agent is None:
        raise LookupError(f"{address} is not an agent's address in the directory ([[agents]])")
    row = session.get(AgentPassword, agent.id) or AgentPassword(person_id=agent.id)
    row.password_hash, row.set_at = hash_password(password), now
    session.add(row)
    session.execute(delete(WebSession).where(WebSession.person_id == agent.id))  # old sessions end
    return agent


@dataclass(frozen=True)
class LoginResult:
    agent: Person | None = None
    wait: timedelta | None = None       # set when throttled: how long until the next try counts


def wait_before_next_try(session: Session, address: str, now: datetime) -> timedelta | None:
    """None when a try may be made now, else how long until it may."""
    since = now - FAILURE_WINDOW
    times = list(session.scalars(select(LoginFailure.at).where(
        LoginFailure.address == address, LoginFailure.at > since).order_by(LoginFailure.at.desc())
        .limit(FAILURES_ALLOWED)))
    if len(times) < FAILURES_ALLOWED:
        return None
    return max(times[-1] + FAILURE_WINDOW - now, timedelta(seconds=1))


def check_password(session: Session, address: str, password: str, now: datetime,
                   remote: str = "") -> LoginResult:
    """The agent when the password is theirs; else a failure is counted. Throttled tries
    are not counted, so the wait ends 15 minutes after the failures, whatever is tried."""
    address = normalise_address(address)[:320]
    wait = wait_before_next_try(session, address, now)
    if wait is not None:
        log.warning("web.login_throttled", address=address, remote=remote,
                    wait_seconds=int(wait.total_seconds()))
        return LoginResult(wait=wait)
    agent = agent_by_address(session, address) if address else None
    stored = session.get(AgentPassword, agent.id) if agent is not None else None
    if _verifies(stored.password_hash if stored else _DUMMY_HASH, password) and stored is not None:
        session.execute(delete(LoginFailure).where(LoginFailure.address == address))
        if _hasher.check_needs_rehash(stored.password_hash):
            stored.password_hash = hash_password(password)
        log.info("web.login", agent=agent.address if agent else address, method="password", remote=remote)
        return LoginResult(agent=agent)
    session.add(LoginFailure(address=address, at=now, remote=remote[:64]))
    log.info("web.login_failed", address=address, remote=remote)
    return LoginResult()


def _verifies(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_login_link(session: Session, address: str, now: datetime) -> tuple[Person, str] | None:
    """A fresh one-time token for the agent of `address`, or None (not an agent, or too many
    links asked for lately). The caller mails it; nobody else ever sees it."""
    agent = agent_by_address(session, normalise_address(address))
    if agent is None:
        log.info("web.login_link_unknown", address=normalise_address(address)[:320])
        return None
    recent = session.scalar(select(func.count()).select_from(LoginToken).where(
        LoginToken.person_id == agent.id, LoginToken.created_at > now - LINK_LIFETIME))
    if (recent or 0) >= LINKS_PER_WINDOW:
        log.warning("web.login_link_throttled", agent=agent.address)
        return None
    token = secrets.token_urlsafe(32)
    session.add(LoginToken(token_hash=digest(token), person_id=agent.id, created_at=now,
                           expires_at=now + LINK_LIFETIME))
    log.info("web.login_link_sent", agent=agent.address)
    return agent, token


def use_login_link(session: Session, token: str, now: datetime) -> Person | None:
    """The agent of a valid, unused, unexpired link, which is used up now; else None."""
    row = session.scalar(select(LoginToken).where(LoginToken.token_hash == digest(token))
                         .with_for_update())
    if row is None or row.used_at is not None or row.expires_at <= now:
        log.info("web.login_link_refused", known=row is not None)
        return None
    row.used_at = now
    agent = session.get(Person, row.person_id)
    log.info("web.login", agent=agent.address if agent else None, method="link")
    return agent


def start_session(session: Session, agent: Person, now: datetime) -> str:
    """A new session for the agent; the id goes in the cookie, only its digest is stored."""
    sid = secrets.token_urlsafe(32)
    session.add(WebSession(id_hash=digest(sid), person_id=agent.id, created_at=now, last_seen_at=now))
    return sid


def session_agent(session: Session, sid: str, now: datetime, idle: timedelta) -> Person | None:
    """The agent of a live session (and it is kept alive); an idle one is ended."""
    row = session.get(WebSession, digest(sid))
    if row is None:
        return None
    if row.last_seen_at + idle <= now:
        session.delete(row)
        log.info("web.session_expired")
        return None
    if now - row.last_seen_at >= SEEN_EVERY:
        row.last_seen_at = now
    agent = session.get(Person, row.person_id)
    return agent if agent is not None and agent.is_agent else None


def end_session(session: Session, sid: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id_hash == digest(sid)))
