"""Mail a person wrote, routed: a new report, an agent's commands, or the reporter's mail on
an existing ticket (a status request, feedback, or a follow-up that may reopen it).

A new mail (on no ticket) from an agent whose first line is `Pelapor:`/`Reporter:` logs a
phone or walk-in report for that person (agent_mail.py handle_logged_mail), when the mail
is proven to be the agent's; from anyone else it is an ordinary report.

Precedence for mail on a ticket, first match wins:
1. An agent (an address of the directory) who is not the ticket's reporter, or whose mail
   starts with command lines: agent_mail.py (commands, authenticated, all or nothing).
2. The reporter's first line "status": the status report, nothing else changes (also on a
   closed ticket, inside or after the reopen window). Not for a monitoring system's mail
   (mail.acknowledge False): it is never answered.
3. The reporter on a Closed ticket, new text starting with a rating (1-5, words, stars):
   feedback, stored or updated. A rating never reopens and never opens a new ticket, even
   after the window; "5 terima kasih" is feedback with a comment.
4. Any other mail on a Closed ticket is read by workflow/closed_reply.py. When its new text
   says the problem is still there or came back, or asks to reopen: inside the reopen window
   the ticket is reopened (agents told with `reopened`), after it a new ticket linked to the
   old one is opened. Anything else (thanks, "sudah normal", a question) is a comment on the
   closed ticket; unless it is only thanks, the assignee (or the service desk) is sent it as
   a `followup` marked closed, and may reopen the ticket.
5. Otherwise a follow-up on an open ticket: the comment, agents told with `followup`.

The reporter's own mail is `public` in the history (their status reply shows it); mail from
anyone else on the thread is not."""
from __future__ import annotations

from sqlalchemy.orm import Session

from models import Person, Ticket
from workflow.agent_mail import handle_agent_mail, handle_logged_mail, has_commands, logs_report
from workflow.closed_reply import ClosedReply, read_closed_reply
from workflow.feedback import parse_rating, store_feedback
from workflow.history import record
from workflow.intake import Report, open_ticket
from workflow.notifications import Notification
from workflow.people import normalise_address
from workflow.personal import Outcome, PersonalMail
from workflow.policy import Policy
from workflow.recipients import agent_by_address, agent_names, handlers
from workflow.reopen import reopen
from workflow.status import Status, within_reopen_window
from workflow.status_request import asks_for_status, status_report
from workflow.mail_threads import find_ticket
from workflow.triage import TriageRules

__all__ = ["Outcome", "PersonalMail", "handle_on_ticket", "handle_personal_mail"]


def handle_personal_mail(
    session: Session, policy: Policy, rules: TriageRules, mail: PersonalMail
) -> Outcome:
    ticket = find_ticket(session, policy, mail.subject, mail.references)
    if ticket is None:
        agent = agent_by_address(session, mail.sender) if logs_report(mail) else None
        if agent is not None:
            return handle_logged_mail(session, policy, rules, agent, mail,
                                      lambda: _new_report(session, policy, rules, mail, linked=None))
        return _new_report(session, policy, rules, mail, linked=None)
    reporter = ticket.reporter.address == normalise_address(mail.sender)
    agent = agent_by_address(session, mail.sender)
    if agent is not None and (not reporter or has_commands(policy, mail)):
        return handle_agent_mail(session, policy, ticket, agent, mail)
    return handle_on_ticket(session, policy, rules, ticket, mail, reporter)


def handle_on_ticket(session: Session, policy: Policy, rules: TriageRules, ticket: Ticket,
                     mail: PersonalMail, reporter: bool) -> Outcome:
    """Rules 2-5 for a person's text on a known ticket. The reporter's page of the web
    console comes here directly (the signed link proves the ticket and the reporter), so a
    comment there is handled exactly as the same text replied by mail."""
    if reporter and mail.acknowledge and asks_for_status(mail.new_text):
        return _status_request(session, policy, ticket, mail)
    if ticket.status == Status.CLOSED:
        return _on_closed(session, policy, rules, ticket, mail, reporter)
    return _follow_up(session, ticket, mail, reporter)


def _on_closed(session: Session, policy: Policy, rules: TriageRules, ticket: Ticket,
               mail: PersonalMail, reporter: bool) -> Outcome:
    """Rules 3 and 4 of the module docstring: feedback, reopen (or a new ticket), or a comment."""
    if reporter:
        rating = parse_rating(mail.new_text)
        if rating is not None:
            store_feedback(session, ticket, rating, actor=mail.sender, at=mail.received_at,
                           inbound_id=mail.inbound_id)
            return Outcome("event", ticket, [])
    names = [ticket.reporter.name, mail.sender_name, *agent_names(session)]
    meaning = read_closed_reply(mail.new_text, policy.closed_reply, names)
    if meaning != ClosedReply.REOPEN:
        return _closed_comment(session, ticket, mail, reporter, forward=meaning == ClosedReply.COMMENT)
    if not within_reopen_window(ticket.closed_at, mail.received_at, policy.reopen_window):
        return _new_report(session, policy, rules, mail, linked=ticket)
    return _follow_up(session, ticket, mail, reporter)


def _new_report(session: Session, policy: Policy, rules: TriageRules, mail: PersonalMail,
                linked: Ticket | None) -> Outcome:
    report = Report(sender=mail.sender, sender_name=mail.sender_name, subject=mail.subject,
                    body=mail.text, message_id=mail.message_id, received_at=mail.received_at,
                    inbound_id=mail.inbound_id, linked_ticket_id=linked.id if linked else None,
                    acknowledge=mail.acknowledge)
    ticket, notes = open_ticket(session, policy, rules, report)
    if linked is not None:
        record(session, linked, "linked", actor=mail.sender, at=mail.received_at,
               inbound_id=mail.inbound_id, note=f"new ticket {ticket.number} opened after the reopen window",
               data={"ticket": ticket.number})
    return Outcome("ticket", ticket, notes)


def _status_request(session: Session, policy: Policy, ticket: Ticket, mail: PersonalMail) -> Outcome:
    thread = (mail.message_id,) if mail.message_id else ()
    lang = ticket.reporter.language or policy.language
    report = status_report(ticket, ticket.reporter.address, lang, thread)
    record(session, ticket, "status_request", actor=mail.sender, at=mail.received_at,
           inbound_id=mail.inbound_id, note=mail.new_text or mail.text)
    return Outcome("event", ticket, [report])


def _told(session: Session, ticket: Ticket, mail: PersonalMail) -> list[Person]:
    """Who hears of the mail: the handlers, not the one who wrote it."""
    return [p for p in handlers(session, ticket) if p.address != normalise_address(mail.sender)]


def _follow_up(session: Session, ticket: Ticket, mail: PersonalMail, reporter: bool) -> Outcome:
    text = mail.new_text or mail.text
    author = mail.sender_name or mail.sender
    told = _told(session, ticket, mail)
    if ticket.status == Status.CLOSED:
        record(session, ticket, "status", actor=mail.sender, at=mail.received_at,
               inbound_id=mail.inbound_id, data={**reopen(ticket, mail.received_at), "by": author},
               public=True)
        notes = [Notification("reopened", p.address, ticket.id, {"by": author, "text": text}) for p in told]
    else:
        notes = [Notification("followup", p.address, ticket.id, {"author": author, "text": text})
                 for p in told]
    record(session, ticket, "comment", actor=mail.sender, at=mail.received_at,
           inbound_id=mail.inbound_id, note=text, public=reporter)
    return Outcome("event", ticket, notes)


def _closed_comment(session: Session, ticket: Ticket, mail: PersonalMail, reporter: bool, *,
                    forward: bool) -> Outcome:
    """A reply that does not say the problem is back: the ticket stays Closed. Thanks only is
    just recorded; anything else reaches the handler, who may reopen with `Status: proses`."""
    text = mail.new_text or mail.text
    record(session, ticket, "comment", actor=mail.sender, at=mail.received_at,
           inbound_id=mail.inbound_id, note=text, public=reporter,
           data={"closed": True, "thanks": not forward})
    if not forward:
        return Outcome("event", ticket, [])
    author = mail.sender_name or mail.sender
    return Outcome("event", ticket, [
        Notification("followup", p.address, ticket.id, {"author": author, "text": text, "closed": True})
        for p in _told(session, ticket, mail)])
