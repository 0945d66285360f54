"""The desk's rules as data: priority matrix, SLA targets, numbering, reopen window,
escalation levels. Built by app/ from configuration; the rules never hold these values."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Mapping

from workflow.business_hours import Calendar
from workflow.closed_reply import ClosedReplyWords
from workflow.command_grammar import Vocabulary

# How an agent's mail may prove it comes from the agent (a forged From: alone never does).
REPLY_TOKEN, DKIM, SPF = "reply_token", "dkim", "spf"
AUTH_METHODS = frozenset({REPLY_TOKEN, DKIM, SPF})
# the pseudo-role of workflow.close_roles that stands for the ticket's assignee
ASSIGNEE = "assignee"


@dataclass(frozen=True)
class SlaTarget:
    priority: str
    name: str
    response: timedelta
    resolution: timedelta


@dataclass(frozen=True)
class Policy:
    levels: tuple[str, ...]                     # urgency / impact levels, most severe first
    matrix: Mapping[tuple[str, str], str]       # (urgency, impact) -> priority
    sla: Mapping[str, SlaTarget]                # priority -> targets
    ticket_prefix: str = "INC-"
    ticket_digits: int = 6
    reopen_window: timedelta = timedelta(days=7)
    escalation_levels: tuple[int, ...] = (1, 2, 3)
    head_of_office_priorities: frozenset[str] = field(default_factory=frozenset)
    # agents' command lines: the configured services/categories/levels they may name, and
    # how their mail is authenticated (the secret signs the desk's Message-IDs)
    vocabulary: Vocabulary = field(default_factory=lambda: Vocabulary({}, {}, 3))
    auth_methods: frozenset[str] = frozenset({REPLY_TOKEN})
    reply_secret: str = field(default="", repr=False)
    language: str = "id"                        # for people without a language setting
    # priority -> SLA calendar (business hours); a priority not named counts around the clock
    calendars: Mapping[str, Calendar] = field(default_factory=dict)
    # loop protection: acknowledgements per reporter address per hour (outbound config)
    acks_per_sender_per_hour: int = 5
    # who may close (agent roles, and ASSIGNEE for the ticket's assignee), and the words that
    # tell a reply to a closed ticket that reopens it from thanks (workflow/closed_reply.py)
    close_roles: frozenset[str] = frozenset({"service_desk", "assignee"})
    closed_reply: ClosedReplyWords = field(default_factory=ClosedReplyWords)
    # how a phone number without +country in a report's signature is read (sms.default_region)
    phone_region: str = "ID"

    @property
    def priorities(self) -> tuple[str, ...]:
        """Priorities in the order of the SLA table (most urgent first)."""
        return tuple(self.sla)
