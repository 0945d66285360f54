"""Apply a checked plan (command_plan.py): every change an event in the history, and the mails
it causes. Called only when the whole plan holds, so nothing is ever half applied.

Events written (kind: data): status {from, to, reopen?, response?, resolution_sla?},
urgency/impact/service/category {from, to}, priority {from, to, response_due,
resolution_due}, triage_confirmed {service, category, urgency, impact}, assigned {from, to},
resolution (note), escalated (workflow/escalation.py), reply (note: the message to the reporter,
data {by}). Each carries the agent as actor, the time and the inbound message. Status moves,
the resolution and the reply are `public` (the reporter's status reply shows them, with the
agent's name from data.by); everything else stays with the desk.

Mails: the reporter's message (`Balas:`) rides in the closure or status_changed mail when the
same mail closes or moves the ticket, else it is an `agent_reply` of its own. A new assignee
other than the writer gets `assigned` (unless an escalation mail already tells them)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models import Person, Ticket, TicketEvent
from workflow.command_plan import TRIAGE_FIELDS, EscalationPlan, Plan
from workflow.escalation import escalate
from workflow.escalation import HIERARCHICAL
from workflow.history import record
from workflow.notifications import Notification
from workflow.policy import Policy
from workflow.priority import derive_priority
from workflow.sla_clocks import deadlines
from workflow.reopen import reopen
from workflow.status import LABELS, Status
from workflow.command_grammar import level_word


@dataclass
class Applied:
    """What one command mail did: lines for the confirmation mail, mails to send."""

    changes: list[str] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)


@dataclass(frozen=True)
class _Context:
    session: Session
    policy: Policy
    ticket: Ticket
    agent: Person
    at: datetime
    inbound_id: int | None
    comment: str
    lang: str
    note: str = ""

    @property
    def by(self) -> str:
        """The agent as the reporter and colleagues see them: a name, not an address."""
        return self.agent.name or self.agent.address

    def event(self, kind: str, note: str = "", *, public: bool = False, **data: Any) -> None:
        self.event_data(kind, data, note=note, public=public)

    def event_data(self, kind: str, data: dict[str, Any], *, note: str = "", public: bool = False) -> None:
        """`event` for data whose keys are not Python names ("from")."""
        record(self.session, self.ticket, kind, actor=self.agent.address, at=self.at,
               inbound_id=self.inbound_id, note=note, data=data, public=public)

    def say(self, en: str, id_: str) -> str:
        return id_ if self.lang == "id" else en


def apply_plan(session: Session, policy: Policy, ticket: Ticket, agent: Person, plan: Plan, *,
               at: datetime, inbound_id: int | None, comment: str, note: str = "",
               reply: str | None = None) -> Applied:
    """`comment`: all the text under the commands (the escalation form's description);
    `note`: its internal part (told to a new assignee); `reply`: the message to the reporter."""
    lang = agent.language or policy.language
    ctx = _Context(session, policy, ticket, agent, at, inbound_id, comment, lang, note)
    applied = Applied()
    old_status = ticket.status
    _apply_fields(ctx, plan, applied)   # first: the response is judged on the new deadline
    if plan.status == Status.IN_PROGRESS or (plan.closes and ticket.status == Status.NEW):
        _move_to_progress(ctx, applied)   # closing a New ticket passes through In Progress
    _apply_assign(ctx, plan.assignee, applied)
    if plan.resolution is not None:
        ticket.resolution = plan.resolution
        ctx.event("resolution", note=plan.resolution, public=True, by=ctx.by)
        applied.changes.append(ctx.say("Resolution recorded", "Solusi dicatat"))
    if plan.escalation is not None:
        _escalate(ctx, plan.escalation, applied)
    message = reply.strip() if reply else ""
    if message:
        ctx.event("reply", note=message, public=True, by=ctx.by)
        applied.changes.append(ctx.say("Message sent to the reporter", "Pesan dikirim ke pelapor"))
    if plan.closes:
        _close(ctx, applied, message)
    elif ticket.status != old_status:
        applied.notifications.append(_status_changed(ctx, old_status, message))
    elif message:
        applied.notifications.append(Notification(
            "agent_reply", ticket.reporter.address, ticket.id, {"by": ctx.by, "message": message}))
    _drop_assigned_told_by_escalation(applied)
    ticket.sla_next_check_at = None if plan.closes else at   # the SLA sweep looks again
    return applied


def _drop_assigned_told_by_escalation(applied: Applied) -> None:
    """One mail per person per change: an escalation mail already tells its recipient."""
    escalated = {n.recipient for n in applied.notifications if n.kind == "escalation"}
    applied.notifications = [n for n in applied.notifications
                             if not (n.kind == "assigned" and n.recipient in escalated)]


def _label(ctx: _Context, status: str) -> str:
    return LABELS.get(ctx.lang, LABELS["en"])[Status(status)]


def _move_to_progress(ctx: _Context, applied: Applied) -> None:
    ticket, old = ctx.ticket, ctx.ticket.status
    data: dict[str, Any] = {"from": old, "to": Status.IN_PROGRESS.value}
    change = f"Status: {_label(ctx, old)} -> {_label(ctx, Status.IN_PROGRESS)}"
    if old == Status.CLOSED:
        data = reopen(ticket, ctx.at)
    if ticket.responded_at is None:   # the first move out of New stops the response clock
        ticket.responded_at = ctx.at
        data["response"] = "met" if ctx.at <= ticket.response_due else "missed"
        change += ctx.say(f" (response target {data['response']})",
                          " (target respons " + ("terpenuhi" if data["response"] == "met" else "terlewati") + ")")
    ticket.status = Status.IN_PROGRESS
    ctx.event("status", public=True, by=ctx.by, **data)
    applied.changes.append(change)


def _apply_fields(ctx: _Context, plan: Plan, applied: Applied) -> None:
    ticket = ctx.ticket
    names = {"en": {"urgency": "Urgency", "impact": "Impact", "service": "Service", "category": "Category"},
             "id": {"urgency": "Urgensi", "impact": "Dampak", "service": "Layanan", "category": "Kategori"}}
    for name in TRIAGE_FIELDS:
        if name not in plan.fields:
            continue
        old, new = getattr(ticket, name), plan.fields[name]
        if old != new:
            setattr(ticket, name, new)
            ctx.event_data(name, {"from": old, "to": new})
            shown = [level_word(v, ctx.lang) if name in ("urgency", "impact") else v for v in (old, new)]
            applied.changes.append(f"{names.get(ctx.lang, names['en'])[name]}: {shown[0] or '-'} -> {shown[1]}")
    _recompute_priority(ctx, plan, applied)
    if plan.fields:
        _confirm_triage(ctx, applied)


def _recompute_priority(ctx: _Context, plan: Plan, applied: Applied) -> None:
    """Priority from the matrix; deadlines = logging time + the new priority's targets."""
    ticket = ctx.ticket
    priority = derive_priority(ctx.policy, ticket.urgency, ticket.impact)
    if priority == ticket.priority:
        return
    old, due = ticket.priority, deadlines(ctx.policy, priority, ticket.created_at)
    ticket.priority, ticket.response_due, ticket.resolution_due = priority, due.response_due, due.resolution_due
    ctx.event_data("priority", {"from": old, "to": priority, "response_due": due.response_due.isoformat(),
                                "resolution_due": due.resolution_due.isoformat()})
    applied.changes.append(ctx.say(f"Priority: {old} -> {priority} (targets count from the logging time)",
                                   f"Prioritas: {old} -> {priority} (target dihitung dari waktu pencatatan)"))


def _confirm_triage(ctx: _Context, applied: Applied) -> None:
    """The paper's logging form: an agent who sets any of service, category, urgency or
    impact has looked at the suggested triage, so the whole triage counts as confirmed."""
    ticket = ctx.ticket
    if ticket.triage_confirmed:
        return
    ticket.triage_confirmed = True
    ctx.event("triage_confirmed", service=ticket.service, category=ticket.category,
              urgency=ticket.urgency, impact=ticket.impact)
    applied.changes.append(ctx.say("Triage confirmed", "Triase dikonfirmasi"))


def _apply_assign(ctx: _Context, assignee: Person | None, applied: Applied, *, tell: bool = True) -> None:
    """Set the assignee; they hear it (`assigned`, a desk mail whose Message-ID carries their
    reply token, so their first reply's commands count) unless they assigned themselves."""
    ticket = ctx.ticket
    if assignee is None or ticket.assignee_id == assignee.id:
        return
    old = ticket.assignee.address if ticket.assignee else None
    ticket.assignee = assignee
    ticket.assignee_id = assignee.id
    ctx.event_data("assigned", {"from": old, "to": assignee.address, "name": assignee.name})
    applied.changes.append(ctx.say(f"Assigned to {assignee.name}", f"Ditugaskan ke {assignee.name}"))
    if tell and assignee.id != ctx.agent.id:
        applied.notifications.append(Notification(
            "assigned", assignee.address, ticket.id, {"by": ctx.by, "note": ctx.note},
            language=assignee.language))


def _escalate(ctx: _Context, plan: EscalationPlan, applied: Applied) -> None:
    """The one escalation path (workflow/escalation.py: the form's row, the event, the mails);
    a named handler also becomes the assignee."""
    ticket = ctx.ticket
    applied.notifications += escalate(
        ctx.session, ctx.policy, ticket, plan.kind, plan.level, ctx.agent.address, ctx.comment,
        ctx.at, handler=plan.handler)
    _tag_with_inbound(ctx)
    if plan.handler is not None:   # the escalation mail tells them
        _apply_assign(ctx, plan.handler, applied, tell=False)
    names = ", ".join(p.name or p.address for p in plan.recipients)
    if plan.kind == HIERARCHICAL:
        applied.changes.append(ctx.say(f"Escalated (hierarchical) to {names}",
                                       f"Dieskalasi (hierarkis) ke {names}"))
    else:
        applied.changes.append(ctx.say(f"Escalated to level {plan.level} ({names})",
                                       f"Dieskalasi ke tingkat {plan.level} ({names})"))


def _tag_with_inbound(ctx: _Context) -> None:
    """escalate() is shared with the SLA sweep, which has no inbound message: the event it
    just added gets this mail's id, so the history says which message caused it."""
    for obj in ctx.session.new:
        if isinstance(obj, TicketEvent) and obj.ticket_id == ctx.ticket.id and obj.inbound_id is None:
            obj.inbound_id = ctx.inbound_id


def _close(ctx: _Context, applied: Applied, message: str) -> None:
    ticket = ctx.ticket
    old = ticket.status
    ticket.status, ticket.closed_at = Status.CLOSED, ctx.at
    met = "met" if ctx.at <= ticket.resolution_due else "missed"
    ctx.event("status", note=ticket.resolution or "", public=True, by=ctx.by, resolution_sla=met,
              **{"from": old, "to": Status.CLOSED.value})
    applied.changes.append(
        f"Status: {_label(ctx, old)} -> {_label(ctx, Status.CLOSED)}"
        + ctx.say(f" (resolution target {met}); the reporter was sent the closure mail and a feedback request",
                  " (target penyelesaian " + ("terpenuhi" if met == "met" else "terlewati")
                  + "); pelapor dikirimi e-mail penutupan dan permintaan umpan balik"))
    applied.notifications.append(Notification(
        "closure", ticket.reporter.address, ticket.id,
        {"resolution": ticket.resolution or "", "closed_by": ctx.by, "message": message}))


def _status_changed(ctx: _Context, old: str, message: str) -> Notification:
    """The reporter sees the move and the message meant for them, never the internal note."""
    return Notification("status_changed", ctx.ticket.reporter.address, ctx.ticket.id,
                        {"old": old, "new": ctx.ticket.status, "by": ctx.by, "comment": message})
