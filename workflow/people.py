"""The people table: reporters found by address, agents and known reporters from config."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

import structlog
from sqlalchemy import Select, bindparam, inspect, select
from sqlalchemy.orm import Session

from models import Person
from workflow.phones import normalise_phone, signature_phone

log = structlog.get_logger(__name__)

AGENT_ROLES = frozenset({"service_desk", "functional_support", "head_of_soltek", "head_of_office", "management"})
REPORTER_ROLES = frozenset({"employee", "head_of_department", "head_of_office"})


@dataclass(frozen=True)
class DirectoryEntry:
    """One person from configuration; `addresses[0]` is where the desk writes to them."""

    name: str
    addresses: tuple[str, ...]
    role: str
    level: int | None = None
    language: str | None = None
    is_agent: bool = False
    phone: str | None = None          # E.164, already normalised (app/config.py)


def normalise_address(address: str) -> str:
    return address.strip().lower()


_BY_ADDRESS = select(Person).where(Person.address == bindparam("address"))   # built once


def find_person(session: Session, address: str) -> Person | None:
    """One query per address per session: a message's unit of work asks for the same people
    several times (the reporter when the ticket opens, then again as a mail's recipient).
    Only rows found or made in this session are remembered, never an absence."""
    address = normalise_address(address)
    known = _known(session).get(address)
    if known is not None and _still_here(session, known):
        return known
    person = session.scalar(_BY_ADDRESS, {"address": address})
    if person is not None:
        _known(session)[address] = person
    return person


def _known(session: Session) -> dict[str, Person]:
    known: dict[str, Person] = session.info.setdefault("people_by_address", {})
    return known


def _remember(session: Session, people: Iterable[Person]) -> list[Person]:
    known = _known(session)
    people = list(people)
    for person in people:
        known[person.address] = person
    return people


def _still_here(session: Session, person: Person) -> bool:
    """False once a rollback expunged it or it was deleted: then the database is asked."""
    state = inspect(person)
    return state.session_id == session.hash_key and not state.deleted and not state.was_deleted


def find_or_create_reporter(session: Session, address: str, name: str, now: datetime,
                            flush: bool = True) -> Person:
    """`flush=False`: a new person is only added, for a caller that flushes it with the row
    that refers to it (one round of the unit of work instead of two)."""
    person = find_person(session, address)
    if person is None:
        person = Person(address=normalise_address(address), name=name or "", role="employee",
                        created_at=now)
        session.add(person)
        if flush:
            session.flush()
        _remember(session, [person])
    elif name and not person.name:
        person.name = name
    return person


def sync_directory(session: Session, entries: Iterable[DirectoryEntry], now: datetime) -> None:
    """Make the people table agree with the configured directory. Every address of an entry
    gets a row, so a reply from an agent's second address is still that agent. Someone no
    longer in the directory loses the agent role at once: their commands stop being accepted
    and they stop receiving escalations."""
    entries = list(entries)
    session.info.pop("agents_by_query", None)   # the answers of _directory_query change here
    configured = {normalise_address(a) for entry in entries for a in entry.addresses}
    for former in session.scalars(select(Person).where(Person.role != "employee")):
        if former.address not in configured:
            former.is_agent, former.role, former.support_level = False, "employee", None
    for entry in entries:
        for position, address in enumerate(entry.addresses):
            person = find_person(session, address) or Person(
                address=normalise_address(address), created_at=now)
            person.name = entry.name
            person.role = entry.role
            person.support_level = entry.level
            person.language = entry.language
            person.is_agent = entry.is_agent
            person.is_primary = position == 0
            if entry.phone or entry.is_agent:   # agents' numbers are the directory's alone;
                person.phone = entry.phone       # a reporter without one keeps what they signed
            session.add(person)
    session.flush()


def learn_phone(person: Person, body: str, region: str) -> bool:
    """Keep the number of a `Telepon:` / `HP:` / `WA:` line in a report's signature, unless
    the person has one already (the directory's, or the one they first signed with): a line
    in some mail never overwrites a number. A number that is not a valid mobile number is
    ignored, with a log line that says so and not what it was. True when one was kept."""
    written = signature_phone(body)
    if written is None or person.phone or person.is_agent:   # an agent's is the directory's
        return False
    phone = normalise_phone(written, region)
    if phone is None:
        log.info("phone.ignored", source="signature", person_id=person.id, reason="not a valid mobile number")
        return False
    person.phone = phone
    return True


def people_with_role(session: Session, role: str) -> list[Person]:
    return _directory_query(session, ("role", role), lambda: select(Person).where(
        Person.role == role, Person.is_agent, Person.is_primary).order_by(Person.id))


def agents_at_level(session: Session, level: int) -> list[Person]:
    return _directory_query(session, ("level", level), lambda: select(Person).where(
        Person.is_agent, Person.is_primary, Person.support_level == level).order_by(Person.id))


def _directory_query(session: Session, key: tuple[str, object],
                     query: Callable[[], Select[Person]]) -> list[Person]:
    """Agents by role or level, asked once per transaction: the mail path's batch asks for
    the service desk for every report, and the directory changes only through
    sync_directory (which forgets these answers) or in another transaction."""
    transaction = session.get_transaction()
    cache: dict[tuple[str, object], tuple[object, list[Person]]] = session.info.setdefault(
        "agents_by_query", {})
    hit = cache.get(key)
    if hit is not None and transaction is not None and hit[0] is transaction and all(
            _still_here(session, person) for person in hit[1]):
        return list(hit[1])
    people = _remember(session, session.scalars(query()))
    if transaction is not None:
        cache[key] = (transaction, people)
    return list(people)
