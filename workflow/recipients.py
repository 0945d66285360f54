"""Who is told, and which agent a command names: lookups in the people table that the
agent rules share (the table mirrors the configured directory, see workflow/people.py)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Person, Ticket
from workflow.people import agents_at_level, find_person, normalise_address, people_with_role

SELF_WORDS = frozenset({"me", "myself", "saya", "aku"})


def agent_by_address(session: Session, address: str) -> Person | None:
    """The directory entry (its primary row) of the agent who owns `address`, or None."""
    person = find_person(session, address)
    if person is None or not person.is_agent:
        return None
    return person if person.is_primary else _primary_of(session, person)


def _primary_of(session: Session, person: Person) -> Person:
    """An agent's rows share name and role (sync_directory); names are unique per agent."""
    primary = session.scalar(select(Person).where(
        Person.is_agent, Person.is_primary, Person.name == person.name, Person.role == person.role))
    return primary or person


def agent_addresses(session: Session, agent: Person) -> tuple[str, ...]:
    """Every configured address of the agent, primary first."""
    rows = session.scalars(select(Person).where(
        Person.is_agent, Person.name == agent.name, Person.role == agent.role)
        .order_by(Person.is_primary.desc(), Person.id))
    addresses = [row.address for row in rows]
    return tuple(addresses) if agent.address in addresses else (agent.address, *addresses)


def agent_names(session: Session) -> list[str]:
    """The directory's names: a reporter's "terima kasih Pak Agus" thanks, it asks nothing."""
    return list(session.scalars(select(Person.name).where(Person.is_agent, Person.is_primary)))


def service_desk(session: Session) -> list[Person]:
    """The level-1 service desk: agents with that role, else whoever is at level 1."""
    return people_with_role(session, "service_desk") or agents_at_level(session, 1)


def handlers(session: Session, ticket: Ticket) -> list[Person]:
    """Who works on the ticket now: its assignee, else the service desk."""
    if ticket.assignee is not None and ticket.assignee.is_agent:
        return [ticket.assignee]
    return service_desk(session)


@dataclass(frozen=True)
class AgentMatch:
    agent: Person | None
    candidates: tuple[str, ...] = ()   # names when the text fits several agents


def find_agent(session: Session, text: str, sender: Person) -> AgentMatch:
    """The agent a command names: "me"/"saya", an address, the full name, or words of the
    name that fit exactly one agent ("Agus" for "Agus Level Dua")."""
    wanted = " ".join(text.casefold().split())
    if wanted in SELF_WORDS:
        return AgentMatch(sender)
    if "@" in wanted:
        return AgentMatch(agent_by_address(session, normalise_address(wanted)))
    agents = list(session.scalars(select(Person).where(Person.is_agent, Person.is_primary)
                                  .order_by(Person.id)))
    exact = [a for a in agents if " ".join(a.name.casefold().split()) == wanted]
    if exact:
        return AgentMatch(exact[0])
    words = set(wanted.split())
    fitting = [a for a in agents if words and words <= set(a.name.casefold().split())]
    if len(fitting) == 1:
        return AgentMatch(fitting[0])
    return AgentMatch(None, tuple(a.name for a in fitting))
