"""Agents work by e-mail, end to end through real servers: mail is APPENDed to Dovecot, polled
over IMAP, and the desk's mail goes out over SMTP to aiosmtpd. Every reply is built from a
mail the desk really sent (its Message-ID in In-Reply-To/References), as a mail client would."""
from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import select

from models import Feedback
from tests.integration.support import AGUS, DESK, DOMAIN, REPORTER, RINA, SARI, World, body, reply_to, report


def test_report_to_escalation_to_closure_to_feedback(world: World) -> None:
    world.deliver(report())
    number = world.ticket().number
    ack = world.last(REPORTER, "ack")
    assert f"[{number}]" in ack["Subject"]
    new_ticket = world.last(RINA, "new_ticket")

    world.clock.advance(minutes=5)
    world.deliver(reply_to(new_ticket, RINA, "Rina", "Status: proses\n\nSedang kami cek di server aplikasi."))
    assert world.ticket().status == "in_progress"
    assert world.received(REPORTER, "status_changed")
    confirmation = world.last(RINA, "confirmation")
    assert "Dalam Proses" in body(confirmation)

    world.clock.advance(minutes=10)
    world.deliver(reply_to(confirmation, RINA, "Rina", "Eskalasi: 2 agus\n\nService Ipos berhenti, perlu tim aplikasi."))
    assert world.ticket().escalation_level == 2
    escalation = world.last(AGUS, "escalation")
    assert number in escalation["Subject"]

    world.clock.advance(minutes=20)
    world.deliver(reply_to(escalation, AGUS, "Agus",
                           "Status: closed\nResolution: service Ipos di-restart, antrian normal lagi"))
    closed = world.ticket()
    assert closed.status == "closed" and closed.resolution == "service Ipos di-restart, antrian normal lagi"
    closure = world.last(REPORTER, "closure")
    assert world.received(AGUS, "confirmation")

    world.clock.advance(hours=1)
    world.deliver(reply_to(closure, REPORTER, "Dewi", "5 terima kasih"))
    with world.rt.sessions() as session:
        feedback = session.scalar(select(Feedback))
        assert feedback is not None and (feedback.rating, feedback.comment) == (5, "terima kasih")
    assert world.ticket().status == "closed"

    history = world.history()
    steps = [(kind, actor) for kind, actor, _, _ in history if kind != "comment"]
    assert steps == [("created", REPORTER), ("status", RINA), ("escalated", RINA), ("assigned", RINA),
                     ("resolution", AGUS), ("status", AGUS), ("feedback", REPORTER)]
    times = [at for _, _, at, _ in history]
    assert times == sorted(times) and len(set(times)) == 5
    assert all(inbound is not None for _, _, _, inbound in history)


def test_forged_from_changes_nothing_and_the_real_agent_is_told(world: World) -> None:
    world.deliver(report())
    ack = world.last(REPORTER, "ack")
    before = world.ticket()
    # the reporter holds the ack; they forge From: Rina, with a Reply-To of their own
    forged = reply_to(ack, RINA, "Rina", "Status: proses\nUrgensi: rendah",
                      extra_headers=f"Reply-To: <{REPORTER}>\r\n"
                                    f"Authentication-Results: mx.{DOMAIN}; dkim=pass header.d=gmail.example\r\n")
    world.deliver(forged)
    after = world.ticket()
    assert (after.status, after.urgency, after.priority) == (before.status, before.urgency, before.priority)
    rejected = world.last(RINA, "rejected_command")
    assert rejected["To"].addresses[0].addr_spec == RINA
    assert not world.received(REPORTER, "rejected_command")
    assert world.history()[-1][0] == "comment"


def test_mail_verified_by_our_mta_is_accepted_without_a_reply_token(world: World) -> None:
    world.deliver(report())
    number = world.ticket().number
    fresh = (f"Authentication-Results: mx.{DOMAIN}; dkim=pass header.d={DOMAIN} header.s=mail\r\n"
             f"From: Rina <{RINA}>\r\nTo: {DESK}\r\nSubject: [{number}] cek\r\n"
             f"Message-ID: {make_msgid(domain=DOMAIN)}\r\n\r\nStatus: proses\r\n").encode()
    world.deliver(fresh)
    assert world.ticket().status == "in_progress"


def test_a_problem_fixed_on_the_first_call_is_closed_in_one_mail(world: World) -> None:
    world.deliver(report())
    new_ticket = world.last(RINA, "new_ticket")
    world.clock.advance(minutes=3)
    world.deliver(reply_to(new_ticket, RINA, "Rina", "Status: tutup\nSolusi: kabel LAN dipasang lagi"))
    ticket = world.ticket()
    assert ticket.status == "closed" and ticket.responded_at == ticket.closed_at == world.clock()
    assert [kind for kind, *_ in world.history()].count("status") == 2
    assert world.received(REPORTER, "closure") and not world.received(REPORTER, "status_changed")
    text = body(world.last(RINA, "confirmation"))
    assert "Baru -> Dalam Proses" in text and "Dalam Proses -> Ditutup" in text


def test_invalid_transition_gets_an_explanation_and_changes_nothing(world: World) -> None:
    world.deliver(report())
    new_ticket = world.last(RINA, "new_ticket")
    world.deliver(reply_to(new_ticket, RINA, "Rina", "Status: tutup"))
    ticket = world.ticket()
    assert ticket.status == "new" and ticket.resolution is None
    text = body(world.last(RINA, "rejected_command"))
    assert "Status: tutup" in text
    assert "Mohon tambahkan baris 'Solusi: apa yang dikerjakan'" in text


def test_unknown_keyword_gets_an_explanation_and_changes_nothing(world: World) -> None:
    world.deliver(report())
    new_ticket = world.last(RINA, "new_ticket")
    world.deliver(reply_to(new_ticket, RINA, "Rina", "Status: proses\nStauts: closed"))
    assert world.ticket().status == "new"
    text = body(world.last(RINA, "rejected_command"))
    assert "Stauts" in text and ("Status" in text)


def test_html_only_outlook_reply_carries_commands(world: World) -> None:
    world.deliver(report())
    new_ticket = world.last(RINA, "new_ticket")
    world.deliver(reply_to(new_ticket, RINA, "Rina", "Status: proses\n\nSedang dicek", html=True))
    assert world.ticket().status == "in_progress"


def test_reporter_asking_status_gets_the_state_and_history(world: World) -> None:
    world.deliver(report())
    ack = world.last(REPORTER, "ack")
    world.deliver(reply_to(ack, REPORTER, "Dewi", "status"))
    assert world.received(REPORTER, "status_report")
    assert world.ticket().status == "new"


def closed_by_rina(world: World) -> EmailMessage:
    """A P1 report, taken and closed by the service desk; the reporter's closure mail."""
    world.deliver(report())
    assert world.ticket().priority == "P1"
    new_ticket = world.last(RINA, "new_ticket")
    world.deliver(reply_to(new_ticket, RINA, "Rina", "Status: tutup\nSolusi: service Ipos di-restart"))
    return world.last(REPORTER, "closure")


def test_thanks_to_the_closure_mail_keep_the_ticket_closed(world: World) -> None:
    closure = closed_by_rina(world)
    assert "masih ada" in body(closure)             # quoted below the reply: never read
    world.clock.advance(hours=1)
    world.deliver(reply_to(closure, REPORTER, "Dewi", "Terima kasih, sudah normal."))
    ticket = world.ticket()
    assert ticket.status == "closed" and ticket.reopen_count == 0
    assert not world.received(RINA, "reopened") and not world.received(RINA, "followup")
    world.deliver(reply_to(closure, REPORTER, "Dewi", "Maaf, Ipos masih mati di loket 2."))
    assert world.ticket().status == "in_progress"
    assert world.received(RINA, "reopened")


def test_the_reporter_gets_the_message_and_never_the_internal_note(world: World) -> None:
    world.deliver(report())
    new_ticket = world.last(RINA, "new_ticket")
    world.deliver(reply_to(new_ticket, RINA, "Rina", "Tugaskan: saya\n\nCatatan internal: rollback "
                           "disetujui kepala\nBalas: Kami sedang memeriksa server Ipos."))
    message = world.last(REPORTER, "agent_reply")
    assert message["From"].addresses[0].addr_spec == DESK
    origin = world.ticket().origin_message_id
    assert message["In-Reply-To"] and origin in message["References"]
    assert "Kami sedang memeriksa server Ipos." in body(message) and "Rina" in body(message)
    world.deliver(reply_to(message, REPORTER, "Dewi", "status"))
    status = body(world.last(REPORTER, "status_report"))
    assert "Kami sedang memeriksa server Ipos." in status
    for mail in world.received(REPORTER, "agent_reply") + world.received(REPORTER, "status_report"):
        assert "rollback" not in body(mail).lower() and RINA not in body(mail)


def test_the_assignee_hears_in_their_language_and_their_first_reply_counts(world: World) -> None:
    world.deliver(report())
    new_ticket = world.last(RINA, "new_ticket")
    world.deliver(reply_to(new_ticket, RINA, "Rina", "Eskalasi: 2\nTugaskan: sari\n\nSari tolong cek log."))
    assigned = world.last(SARI, "assigned")
    text = body(assigned)
    assert "ditugaskan kepada Anda oleh Rina Service Desk" in text and "Sari tolong cek log." in text
    assert "Sari Level Tiga (tingkat 3)" in text and "(tingkat 2)" not in text
    world.deliver(reply_to(assigned, SARI, "Sari", "Status: proses"))
    assert world.ticket().status == "in_progress"
    assert world.received(SARI, "confirmation") and not world.received(SARI, "rejected_command")
