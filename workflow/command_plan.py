"""Agent commands checked against the ticket before anything changes: the result is a plan to
apply, or every reason the mail is refused. Checking first is what makes a mail all or
nothing: the ticket is touched only when the whole plan holds.

Order the plan is applied in (command_apply.py), whatever the order of the lines:
urgency/impact/service/category (so a first response is judged on the new deadline), a status
move to In Progress (or a reopen), assign, resolution, escalation, and last the move to
Closed. So "Status: closed" with "Kategori: ..." and "Solusi: ..." corrects the category and
records the resolution before closing. Closing a New ticket passes through In Progress first
(workflow/status.py THROUGH). Who may close is `policy.close_roles`: agent roles, and
"assignee" for the ticket's assignee (the assignee before this mail: naming yourself in the
same mail does not give you the right to close)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from models import Person, Ticket
from workflow.command_grammar import HIERARCHICAL as HIERARCHICAL_COMMAND, Command, CommandError
from workflow.escalation import FUNCTIONAL, HIERARCHICAL, check_functional, hierarchical_roles
from workflow.people import agents_at_level, people_with_role
from workflow.policy import ASSIGNEE, Policy
from workflow.priority import derive_priority
from workflow.recipients import find_agent
from workflow.status import Refused, Status, check_transition, within_reopen_window

TRIAGE_FIELDS = ("urgency", "impact", "service", "category")


@dataclass(frozen=True)
class EscalationPlan:
    kind: str                        # functional | hierarchical
    level: int
    recipients: tuple[Person, ...]
    handler: Person | None           # the named target, who becomes the assignee
    line: str


@dataclass
class Plan:
    status: Status | None = None
    fields: dict[str, str] = field(default_factory=dict)    # TRIAGE_FIELDS -> new value
    assignee: Person | None = None
    resolution: str | None = None
    escalation: EscalationPlan | None = None

    @property
    def closes(self) -> bool:
        return self.status == Status.CLOSED


@dataclass
class _Check:
    """The state the commands are checked against, and what they planned so far."""

    session: Session
    policy: Policy
    ticket: Ticket
    agent: Person
    now: datetime
    plan: Plan = field(default_factory=Plan)
    errors: list[CommandError] = field(default_factory=list)

    def refuse(self, command: Command, reason: Refused) -> None:
        self.errors.append(CommandError(command.line, reason.reason_en, reason.reason_id))


def plan_commands(session: Session, policy: Policy, ticket: Ticket, agent: Person,
                  commands: tuple[Command, ...], now: datetime) -> tuple[Plan, list[CommandError]]:
    """The plan, and the reasons it may not be applied (empty when it may)."""
    check = _Check(session, policy, ticket, agent, now)
    by_name = {c.name: c for c in commands}
    if "status" in by_name:
        _plan_status(check, by_name["status"], by_name)
    others = [c for c in commands if c.name != "status"]
    if ticket.status == Status.CLOSED and check.plan.status != Status.IN_PROGRESS:
        for command in others:   # a closed ticket takes no change until it is reopened
            check.refuse(command, Refused(
                "the ticket is Closed: reopen it first with 'Status: in progress'",
                "tiket sudah Ditutup: buka kembali dulu dengan 'Status: proses'"))
        return check.plan, check.errors
    # escalation last: hierarchical escalation depends on the priority after urgency/impact
    for command in sorted(others, key=lambda c: c.name == "escalate"):
        _PLANNERS[command.name](check, command)
    return check.plan, check.errors


def _plan_status(check: _Check, command: Command, by_name: dict[str, Command]) -> None:
    current, target = Status(check.ticket.status), Status(command.value)
    refused = check_transition(current, target, closed_at=check.ticket.closed_at, now=check.now,
                               reopen_window=check.policy.reopen_window)
    if refused is not None and current == Status.CLOSED and target == Status.IN_PROGRESS \
            and not within_reopen_window(check.ticket.closed_at, check.now, check.policy.reopen_window):
        refused = _too_old_to_reopen(check.policy.reopen_window.days)
    if refused is None and target == Status.CLOSED:
        refused = _close_refusal(check, "resolution" in by_name)
    if refused is not None:
        check.refuse(command, refused)
    else:
        check.plan.status = target


# how the roles of workflow.close_roles are named in the refusal, per language
_CLOSERS = {
    "service_desk": ("the service desk", "service desk"),
    "functional_support": ("functional support", "dukungan fungsional"),
    "head_of_soltek": ("the head of SOLTEK", "kepala SOLTEK"),
    "head_of_office": ("the head of office", "kepala kantor"),
    "management": ("management", "manajemen"),
    ASSIGNEE: ("the ticket's assignee", "petugas yang ditugaskan pada tiket"),
}


def may_close(policy: Policy, agent: Person, ticket: Ticket) -> bool:
    """The paper's closure form is the service desk's; by default the assignee may close
    what they fixed too (policy.close_roles)."""
    if agent.role in policy.close_roles:
        return True
    return ASSIGNEE in policy.close_roles and ticket.assignee_id is not None \
        and ticket.assignee_id == agent.id


def _close_refusal(check: _Check, resolution_in_mail: bool) -> Refused | None:
    """Why this agent may not close now: not one who closes, or no resolution yet. Worded as
    a request, never as if the ticket had been closed."""
    if not may_close(check.policy, check.agent, check.ticket):
        roles = sorted(check.policy.close_roles, key=lambda r: (r == ASSIGNEE, r))
        who_en = " or ".join(_CLOSERS.get(r, (r, r))[0] for r in roles) or "nobody"
        who_id = " atau ".join(_CLOSERS.get(r, (r, r))[1] for r in roles) or "tidak ada"
        assignee = check.ticket.assignee
        named_en = f" (assigned to {assignee.name or assignee.address})" if assignee else ""
        named_id = f" (ditugaskan ke {assignee.name or assignee.address})" if assignee else ""
        return Refused(f"the ticket was not closed: only {who_en} may close it{named_en}",
                       f"tiket tidak ditutup: yang boleh menutup hanya {who_id}{named_id}")
    if not resolution_in_mail and not (check.ticket.resolution or "").strip():
        return Refused("Please add a line 'Resolution: what was done' to close the ticket; "
                       "the ticket is still open",
                       "Mohon tambahkan baris 'Solusi: apa yang dikerjakan' untuk menutup tiket; "
                       "tiket masih terbuka")
    return None


def _too_old_to_reopen(days: int) -> Refused:
    return Refused(f"the ticket was closed more than {days} days ago and cannot be reopened; "
                   "the reporter's next mail opens a new ticket",
                   f"tiket ditutup lebih dari {days} hari yang lalu dan tidak dapat dibuka lagi; "
                   "e-mail pelapor berikutnya membuka tiket baru")


def _plan_level(check: _Check, command: Command) -> None:
    if command.value not in check.policy.levels:
        levels = ", ".join(check.policy.levels)
        check.refuse(command, Refused(f"{command.value!r} is not a configured level ({levels})",
                                      f"{command.value!r} bukan tingkat yang dikonfigurasi ({levels})"))
        return
    check.plan.fields[command.name] = command.value


def _plan_catalogue(check: _Check, command: Command) -> None:
    check.plan.fields[command.name] = command.value   # the parser checked the configured list


def _plan_assign(check: _Check, command: Command) -> None:
    person = _named_agent(check, command, command.value)
    if person is not None:
        check.plan.assignee = person


def _plan_resolution(check: _Check, command: Command) -> None:
    check.plan.resolution = command.value


def _named_agent(check: _Check, command: Command, text: str) -> Person | None:
    match = find_agent(check.session, text, check.agent)
    if match.agent is None:
        if match.candidates:
            names = ", ".join(match.candidates)
            check.refuse(command, Refused(f"'{text}' fits several agents: {names}; write the full "
                                          "name or the address",
                                          f"'{text}' cocok dengan beberapa agen: {names}; tulis "
                                          "nama lengkap atau alamatnya"))
        else:
            check.refuse(command, Refused(f"no agent '{text}' in the directory",
                                          f"agen '{text}' tidak ada di direktori"))
    return match.agent


def _plan_escalate(check: _Check, command: Command) -> None:
    if check.plan.closes:
        check.refuse(command, Refused("escalate and close in separate mails",
                                      "eskalasi dan penutupan tiket dikirim di e-mail terpisah"))
        return
    if command.value == HIERARCHICAL_COMMAND:
        _plan_hierarchical(check, command)
    else:
        _plan_functional(check, command, int(command.value))


def _plan_functional(check: _Check, command: Command, level: int) -> None:
    refused = check_functional(check.policy, check.ticket.escalation_level, level)
    if refused is not None:
        check.refuse(command, refused)
        return
    handler = _named_agent(check, command, command.target) if command.target else None
    if command.target and handler is None:
        return
    if handler is not None and handler.support_level != level:
        check.refuse(command, Refused(
            f"{handler.name} is not at level {level} (level {handler.support_level or '-'})",
            f"{handler.name} tidak di tingkat {level} (tingkat {handler.support_level or '-'})"))
        return
    recipients = (handler,) if handler else tuple(agents_at_level(check.session, level))
    if not recipients:
        check.refuse(command, Refused(f"nobody is configured at level {level}",
                                      f"belum ada petugas di tingkat {level}"))
        return
    check.plan.escalation = EscalationPlan(FUNCTIONAL, level, recipients, handler, command.line)


def _plan_hierarchical(check: _Check, command: Command) -> None:
    handler = _named_agent(check, command, command.target) if command.target else None
    if command.target and handler is None:
        return
    recipients = (handler,) if handler else tuple(
        person for role in hierarchical_roles(check.policy, planned_priority(check.policy, check.ticket, check.plan))
        for person in people_with_role(check.session, role))
    if not recipients:
        check.refuse(command, Refused("no head of SOLTEK is configured for hierarchical escalation",
                                      "kepala SOLTEK belum dikonfigurasi untuk eskalasi hierarkis"))
        return
    check.plan.escalation = EscalationPlan(HIERARCHICAL, check.ticket.escalation_level,
                                           recipients, handler, command.line)


def planned_priority(policy: Policy, ticket: Ticket, plan: Plan) -> str:
    """The priority after the plan's urgency/impact, from the matrix."""
    urgency = plan.fields.get("urgency", ticket.urgency)
    impact = plan.fields.get("impact", ticket.impact)
    return derive_priority(policy, urgency, impact)


_PLANNERS = {
    "urgency": _plan_level, "impact": _plan_level, "service": _plan_catalogue,
    "category": _plan_catalogue, "assign": _plan_assign, "resolution": _plan_resolution,
    "escalate": _plan_escalate,
}
