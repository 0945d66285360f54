"""The console's words, one table per language: a page is all Indonesian or all English
(the agent's directory language, else desk.language). Status labels come from
workflow/status.py and configured values from [labels], as in the mails."""
from __future__ import annotations

from typing import Mapping

from workflow.triage import reason_data

WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "lang": "en", "queue": "Queue", "management": "Management", "logout": "Log out", "login": "Log in",
        "login_title": "Service desk login", "address": "E-mail address", "password": "Password",
        "login_link": "Mail me a login link", "login_link_hint": "No password? A link that works once, for 15 minutes, is sent to your own address.",
        "send_link": "Send the link", "link_sent": "If the address is an agent's, a login link is on its way. It works once, for 15 minutes.",
        "link_confirm": "Log in with this link", "link_invalid": "This login link is not valid: it was used, it expired, or it was changed. Ask for a new one.",
        "wrong_login": "Wrong address or password.",
        "throttled": "Too many failed logins for this address. Try again in {minutes} minutes.",
        "logged_out": "You are logged out.", "session_ended": "Your session ended; log in again.",
        "open_tickets": "Open tickets", "filters": "Filters", "status": "Status", "priority": "Priority",
        "service": "Service", "category": "Category", "assignee": "Assignee", "mine": "Only mine",
        "escalated": "Only escalated", "any": "any", "apply": "Apply", "reset": "Reset",
        "number": "Number", "reporter": "Reporter", "subject": "Subject", "level": "Level",
        "age": "Age", "response_due": "Response due", "resolution_due": "Resolution due",
        "overdue": "overdue by {left}", "left": "{left} left", "met": "met", "missed": "missed",
        "counts": "Tickets per status", "page": "Page {page} of {pages}", "previous": "Previous",
        "next": "Next", "no_tickets": "No ticket fits these filters.", "sorted": "Sorted by the next deadline.",
        "ticket": "Ticket", "urgency": "Urgency", "impact": "Impact", "created": "Logged",
        "responded": "Responded", "closed_at": "Closed", "resolution": "Resolution",
        "escalation_level": "Escalation level", "reopened": "Reopened", "triage": "Triage",
        "triage_suggested": "Suggested triage", "triage_confirmed": "confirmed by an agent",
        "triage_unconfirmed": "not yet confirmed", "reasons": "Reasons",
        "original": "Original report", "from": "From", "attachments": "Attachments", "none": "none",
        "timeline": "Timeline", "when": "When", "who": "Who", "what": "What",
        "reporter_sees": "the reporter sees this", "internal": "internal", "mail_in": "mail in",
        "mail_out": "mail out", "to": "to",
        "form_status": "Change the status", "new_status": "New status", "in_progress": "In Progress",
        "closed": "Closed", "save": "Save",
        "form_triage": "Triage", "priority_derived": "The priority follows from urgency x impact",
        "form_assign": "Assign", "agent": "Agent",
        "form_escalate": "Escalation form", "handling_status": "Handling status",
        "keep": "unchanged", "escalation_to": "Escalation level", "hierarchical": "Hierarchical (head of SOLTEK)",
        "handler": "Name of the handler", "anyone_at_level": "everyone at the level",
        "description": "Description of the handling", "escalate": "Escalate",
        "form_message": "Message to the reporter", "message": "Message", "send": "Send",
        "form_note": "Internal note", "note": "Note (the reporter never sees it)", "add_note": "Add the note",
        "form_close": "Closure form", "close": "Close the ticket",
        "message_optional": "Message to the reporter (optional)",
        "done": "Done", "refused": "Nothing was changed", "not_found": "No such ticket.",
        "forbidden": "The form has expired or did not come from this console. Reload the page and try again.",
        "nothing_changed": "Nothing changed: the ticket already had these values",
        "skip": "Skip to the content", "minutes_short": "{n} min", "hours_short": "{h} h {m} min",
        "days_short": "{d} d {h} h", "open": "Open", "all": "all",
        "kind.created": "reported", "kind.comment": "comment", "kind.status": "status",
        "kind.assigned": "assigned", "kind.escalated": "escalated", "kind.resolution": "resolution",
        "kind.reply": "message to the reporter", "kind.priority": "priority", "kind.urgency": "urgency",
        "kind.impact": "impact", "kind.service": "service", "kind.category": "category",
        "kind.triage_confirmed": "triage confirmed", "kind.feedback": "feedback",
        "kind.sla_warning": "SLA warning", "kind.sla_breach": "SLA breach",
        "kind.status_request": "status asked", "kind.linked": "linked", "kind.bounce": "bounce",
        "kind.ack_suppressed": "no acknowledgement",
        "reason.mentions": "mentions '{word}'", "reason.role": "reported by {role}",
        "reason.default": "default", "reason.text": "{text}",
        "role.head_of_office": "head of office", "role.head_of_department": "head of department",
        "role.employee": "employee",
    },
    "id": {
        "lang": "id", "queue": "Antrean", "management": "Manajemen", "logout": "Keluar", "login": "Masuk",
        "login_title": "Masuk service desk", "address": "Alamat e-mail", "password": "Kata sandi",
        "login_link": "Kirimi saya tautan masuk", "login_link_hint": "Tidak punya kata sandi? Tautan yang berlaku sekali, selama 15 menit, dikirim ke alamat Anda sendiri.",
        "send_link": "Kirim tautan", "link_sent": "Jika alamat itu milik agen, tautan masuk sedang dikirim. Tautan berlaku sekali, selama 15 menit.",
        "link_confirm": "Masuk dengan tautan ini", "link_invalid": "Tautan masuk ini tidak berlaku: sudah dipakai, kedaluwarsa, atau diubah. Minta tautan baru.",
        "wrong_login": "Alamat atau kata sandi salah.",
        "throttled": "Terlalu banyak percobaan masuk yang gagal untuk alamat ini. Coba lagi dalam {minutes} menit.",
        "logged_out": "Anda sudah keluar.", "session_ended": "Sesi Anda berakhir; silakan masuk lagi.",
        "open_tickets": "Tiket terbuka", "filters": "Saringan", "status": "Status", "priority": "Prioritas",
        "service": "Layanan", "category": "Kategori", "assignee": "Petugas", "mine": "Hanya milik saya",
        "escalated": "Hanya yang dieskalasi", "any": "semua", "apply": "Terapkan", "reset": "Atur ulang",
        "number": "Nomor", "reporter": "Pelapor", "subject": "Perihal", "level": "Tingkat",
        "age": "Umur", "response_due": "Batas respons", "resolution_due": "Batas penyelesaian",
        "overdue": "terlambat {left}", "left": "sisa {left}", "met": "terpenuhi", "missed": "terlewati",
        "counts": "Tiket per status", "page": "Halaman {page} dari {pages}", "previous": "Sebelumnya",
        "next": "Berikutnya", "no_tickets": "Tidak ada tiket yang sesuai saringan ini.",
        "sorted": "Diurutkan menurut batas waktu terdekat.",
        "ticket": "Tiket", "urgency": "Urgensi", "impact": "Dampak", "created": "Dicatat",
        "responded": "Direspons", "closed_at": "Ditutup", "resolution": "Solusi",
        "escalation_level": "Tingkat eskalasi", "reopened": "Dibuka kembali", "triage": "Triase",
        "triage_suggested": "Saran triase", "triage_confirmed": "dikonfirmasi agen",
        "triage_unconfirmed": "belum dikonfirmasi", "reasons": "Alasan",
        "original": "Laporan asli", "from": "Dari", "attachments": "Lampiran", "none": "tidak ada",
        "timeline": "Riwayat", "when": "Waktu", "who": "Oleh", "what": "Apa",
        "reporter_sees": "terlihat oleh pelapor", "internal": "internal", "mail_in": "e-mail masuk",
        "mail_out": "e-mail keluar", "to": "kepada",
        "form_status": "Ubah status", "new_status": "Status baru", "in_progress": "Dalam Proses",
        "closed": "Ditutup", "save": "Simpan",
        "form_triage": "Triase", "priority_derived": "Prioritas mengikuti urgensi x dampak",
        "form_assign": "Tugaskan", "agent": "Agen",
        "form_escalate": "Formulir eskalasi", "handling_status": "Status penanganan",
        "keep": "tidak diubah", "escalation_to": "Tingkat eskalasi", "hierarchical": "Hierarkis (kepala SOLTEK)",
        "handler": "Nama petugas", "anyone_at_level": "semua petugas di tingkat itu",
        "description": "Keterangan penanganan", "escalate": "Eskalasi",
        "form_message": "Pesan untuk pelapor", "message": "Pesan", "send": "Kirim",
        "form_note": "Catatan internal", "note": "Catatan (tidak pernah terlihat oleh pelapor)", "add_note": "Tambahkan catatan",
        "form_close": "Formulir penutupan", "close": "Tutup tiket",
        "message_optional": "Pesan untuk pelapor (boleh kosong)",
        "done": "Selesai", "refused": "Tidak ada yang diubah", "not_found": "Tiket tidak ditemukan.",
        "forbidden": "Formulir sudah kedaluwarsa atau bukan dari konsol ini. Muat ulang halaman lalu coba lagi.",
        "nothing_changed": "Tidak ada perubahan: nilainya sudah demikian",
        "skip": "Langsung ke isi", "minutes_short": "{n} mnt", "hours_short": "{h} j {m} mnt",
        "days_short": "{d} h {h} j", "open": "Terbuka", "all": "semua",
        "kind.created": "dilaporkan", "kind.comment": "komentar", "kind.status": "status",
        "kind.assigned": "ditugaskan", "kind.escalated": "dieskalasi", "kind.resolution": "solusi",
        "kind.reply": "pesan untuk pelapor", "kind.priority": "prioritas", "kind.urgency": "urgensi",
        "kind.impact": "dampak", "kind.service": "layanan", "kind.category": "kategori",
        "kind.triage_confirmed": "triase dikonfirmasi", "kind.feedback": "umpan balik",
        "kind.sla_warning": "peringatan SLA", "kind.sla_breach": "pelanggaran SLA",
        "kind.status_request": "status ditanyakan", "kind.linked": "ditautkan", "kind.bounce": "e-mail gagal terkirim",
        "kind.ack_suppressed": "tanpa tanda terima",
        "reason.mentions": "menyebut '{word}'", "reason.role": "dilaporkan oleh {role}",
        "reason.default": "nilai bawaan", "reason.text": "{text}",
        "role.head_of_office": "kepala kantor", "role.head_of_department": "kepala bagian",
        "role.employee": "pegawai",
    },
}

# the command keywords the console writes, per language (workflow/command_grammar.py reads both)
KEYWORDS: Mapping[str, Mapping[str, str]] = {
    "en": {"status": "Status", "urgency": "Urgency", "impact": "Impact", "service": "Service",
           "category": "Category", "escalate": "Escalate", "assign": "Assign",
           "resolution": "Resolution", "in_progress": "in progress", "closed": "closed",
           "hierarchical": "hierarchical"},
    "id": {"status": "Status", "urgency": "Urgensi", "impact": "Dampak", "service": "Layanan",
           "category": "Kategori", "escalate": "Eskalasi", "assign": "Tugaskan",
           "resolution": "Solusi", "in_progress": "proses", "closed": "tutup",
           "hierarchical": "kepala soltek"},
}

LEVEL_NAMES = {"id": {"high": "tinggi", "medium": "sedang", "low": "rendah"}}


def words(lang: str) -> Mapping[str, str]:
    return WORDS.get(lang, WORDS["en"])


def triage_reason(stored: object, lang: str) -> str:
    """Why triage suggested a value, in `lang`: reasons are stored as data (workflow/triage.py),
    or as the English sentences of older tickets, which reason_data reads back into data."""
    w, reason = words(lang), reason_data(stored)
    role = reason.get("role", "")
    return w[f"reason.{reason['rule']}"].format(word=reason.get("word", ""), text=reason.get("text", ""),
                                                role=w.get(f"role.{role}", role.replace("_", " ")))
