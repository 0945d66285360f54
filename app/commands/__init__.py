"""Sub-commands of `incidentdesk`, one module per group, each with `register(subparsers)`."""
from app.commands import admin, demo, mail, tickets

COMMAND_MODULES = (admin, tickets, mail, demo)
