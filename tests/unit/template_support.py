"""The desk, the facts and the ticket the template tests render with, shared with the SMS-text
and one-language tests: realistic values, every kind of notification given its facts."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from models import Person, Ticket
from outbound.render import format_local
from outbound.settings import DeskInfo

LOGGED = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)          # 09:00 WITA
SLA = {"P1": (10, 60), "P2": (30, 180), "P3": (60, 480), "P4": (240, 720), "P5": (480, 1440)}
NAMES = {"P1": "Critical", "P2": "High", "P3": "Medium", "P4": "Low", "P5": "Planning"}
DESK = DeskInfo(
    name="Service Desk SOLTEK", organisation="PT Pos Indonesia - Kantor Balikpapan",
    address="servicedesk@posbalikpapan.example", timezone=ZoneInfo("Asia/Makassar"),
    labels={"id": {"high": "Tinggi", "medium": "Sedang", "low": "Rendah"},
            "en": {"high": "High", "medium": "Medium", "low": "Low"}},
    service_names={"ipos": "Ipos"}, category_names={"hardware/server": "Hardware - Server"},
    priority_names=NAMES)
RESOLUTION = "Server Ipos di-restart dan kabel LAN diganti"

FACTS: dict[str, dict[str, Any]] = {
    "ack": {},
    "new_ticket": {"suggested": {"service": "ipos", "category": "hardware/server", "urgency": "high",
                                 "impact": "medium", "reasons": {"service": {"rule": "mentions", "word": "ipos"},
                                                                 "urgency": {"rule": "mentions", "word": "mati"}}}},
    "followup": {"author": "dewi@posbalikpapan.example", "text": "Sekarang loket 3 juga mati"},
    "status_changed": {"old": "new", "new": "in_progress", "by": "Rina Service Desk",
                       "comment": "Sedang kami periksa"},
    "reopened": {"by": "dewi@posbalikpapan.example", "text": "Masih error setelah restart"},
    "escalation": {"kind": "functional", "level": 2, "handler_name": "Agus Level Dua",
                   "description": "Perlu pengecekan server", "requested_by": "rina@posbalikpapan.example"},
    "sla_warning": {"clock": "response", "due_at": LOGGED + timedelta(minutes=30), "used_percent": 75},
    "sla_breach": {"clock": "resolution", "due_at": LOGGED + timedelta(hours=3), "used_percent": 100},
    "closure": {"resolution": RESOLUTION, "closed_by": "Rina Service Desk",
                "message": "Mohon dicoba lagi dari loket 3."},
    "agent_reply": {"by": "Rina Service Desk", "message": "Mohon kirim foto layar errornya."},
    "assigned": {"by": "Rina Service Desk", "note": "Rollback disetujui kepala."},
    "confirmation": {"changes": ["Status: Baru -> Dalam Proses", "Urgensi: Tinggi"]},
    "rejected_command": {"reasons": [{"line": "Stauts: closed", "en": "unknown keyword 'Stauts'",
                                      "id": "kata kunci 'Stauts' tidak dikenal"}]},
    "status_report": {"events": [{"at": LOGGED, "kind": "created", "note": "Server Ipos mati"},
                                 {"at": LOGGED + timedelta(minutes=7), "kind": "status",
                                  "note": "new -> in_progress"}]},
}


def ticket(priority: str = "P2", *, subject: str = "Ipos mati di loket 3",
           description: str = "Server Ipos mati sejak pagi.\nSemua loket tidak bisa transaksi.",
           reporter_name: str = "Dewi Lestari") -> Ticket:
    response, resolution = SLA[priority]
    return Ticket(
        number="INC-000042", status="in_progress", subject=subject, description=description,
        reporter=Person(address="dewi@posbalikpapan.example", name=reporter_name),
        assignee=Person(address="rina@posbalikpapan.example", name="Rina Service Desk"),
        service="ipos", category="hardware/server", urgency="high", impact="medium",
        priority=priority, created_at=LOGGED, response_due=LOGGED + timedelta(minutes=response),
        resolution_due=LOGGED + timedelta(minutes=resolution), closed_at=LOGGED + timedelta(hours=2),
        escalation_level=2, resolution=RESOLUTION, triage_confirmed=False)


def local(moment: datetime) -> str:
    return format_local(moment, DESK.timezone)
