"""Which configuration keys are free-form data and which keys list items may hold."""
from __future__ import annotations

# tables whose keys are data (priority names, levels, languages), not settings
DYNAMIC_TABLES = frozenset({
    "sla", "priority.matrix", "labels", "triage.role_urgency", "triage.outage_words",
    "triage.impact_words",
})

LIST_ITEM_KEYS = {
    "services": frozenset({"code", "name", "aliases"}),
    "categories": frozenset({"code", "name", "keywords"}),
    "agents": frozenset({"name", "addresses", "level", "role", "language", "phone"}),
    "reporters": frozenset({"address", "name", "role", "language", "phone"}),
}
