"""Sub-commands of `incidentdesk`, one module per group, each with `register(subparsers)`."""
from app.commands import admin, demo, help, log, mail, outbox, quarantine, report, service, tickets, web

COMMAND_MODULES = (admin, tickets, log, mail, outbox, quarantine, service, report, web, demo, help)
