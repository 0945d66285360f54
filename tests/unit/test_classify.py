"""Classification: automatic mail is recognised by its headers and never answered; bounces
are told apart so they can be read; everything a person wrote goes on to the workflow."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.bounces import read_bounce
from ingest.classify import AUTOMATIC, BOUNCE, PERSONAL, REJECTED, classify
from ingest.parse import parse

ODD = Path(__file__).resolve().parents[1] / "data" / "odd"
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "reports"
DESK = frozenset({"servicedesk@posbalikpapan.example"})


def verdict_of(raw: bytes):  # type: ignore[no-untyped-def]
    return classify(parse(raw), desk_addresses=DESK)


def report(extra_headers: str = "", sender: str = "Budi <budi@posbalikpapan.example>",
           content_type: str = "text/plain; charset=utf-8", body: str = "Ipos mati di loket 3.") -> bytes:
    head = (f"From: {sender}\nTo: servicedesk@posbalikpapan.example\nSubject: Ipos mati\n"
            f"Message-ID: <r1@posbalikpapan.example>\nMIME-Version: 1.0\nContent-Type: {content_type}\n"
            + extra_headers)
    return (head.strip() + "\n\n" + body + "\n").replace("\n", "\r\n").encode()


@pytest.mark.parametrize("name, rule", [
    ("16-auto-submitted-auto-replied.eml", "auto-submitted"),
    ("17-out-of-office-x-autoreply.eml", "autoreply-header"),
    ("18-newsletter-bulk-list-id.eml", "precedence"),
    ("20-empty-return-path.eml", "null-return-path"),
])
def test_automatic_mail_in_the_corpus_is_recognised(name: str, rule: str) -> None:
    verdict = verdict_of((ODD / name).read_bytes())
    assert (verdict.kind, verdict.rule) == (AUTOMATIC, rule)


@pytest.mark.parametrize("header, rule", [
    ("Auto-Submitted: auto-generated", "auto-submitted"),
    ("Auto-Submitted: auto-replied; owner-email=x@y", "auto-submitted"),
    ("Precedence: junk", "precedence"),
    ("Precedence: list", "precedence"),
    ("List-Id: <it-news.posbalikpapan.example>", "mailing-list"),
    ("X-Autorespond: vacation", "autoreply-header"),
    ("X-Autoreply: yes", "autoreply-header"),
    ("Return-Path: <>", "null-return-path"),
    ("X-Incidentdesk: 1", "own-mail"),
])
def test_each_automatic_header_is_enough(header: str, rule: str) -> None:
    verdict = verdict_of(report(header))
    assert (verdict.kind, verdict.rule) == (AUTOMATIC, rule)


@pytest.mark.parametrize("header", ["Auto-Submitted: no", "X-Auto-Response-Suppress: All",
                                    "Precedence: first-class", "Return-Path: <budi@posbalikpapan.example>"])
def test_headers_that_do_not_make_mail_automatic(header: str) -> None:
    assert verdict_of(report(header)).kind == PERSONAL


def test_read_receipt_is_automatic() -> None:
    raw = report(content_type='multipart/report; report-type=disposition-notification; boundary="x"',
                 body="--x\nContent-Type: text/plain\n\nDibaca.\n--x--")
    assert verdict_of(raw).rule == "read-receipt"


def test_dsn_is_a_bounce_and_reads_failed_recipient_status_and_original() -> None:
    raw = (ODD / "19-dsn-bounce-5-1-1.eml").read_bytes()
    assert verdict_of(raw).kind == BOUNCE
    bounce = read_bounce(raw)
    assert bounce.permanent == ("pelapor.tidakada@posbalikpapan.example",)
    assert bounce.original_ids == ("<ack-1@desk.example>",)
    assert bounce.status == "5.1.1" and "User unknown" in bounce.diagnostic


def test_old_style_bounce_from_mailer_daemon_is_a_bounce() -> None:
    raw = report(sender="MAILER-DAEMON@mx.example.org",
                 body="Hi. This is the qmail-send program.\n<x@example.org>:\nSorry, no mailbox here.\n"
                      "--- Below this line is a copy of the message.\nMessage-ID: <ack.1@desk>\n")
    assert verdict_of(raw).kind == BOUNCE
    assert read_bounce(raw).original_ids == ("<ack.1@desk>",)


def test_a_bounce_of_our_own_marked_mail_is_still_own_mail_first() -> None:
    raw = report("X-Incidentdesk: 1", content_type='multipart/report; report-type=delivery-status; boundary="x"',
                 body="--x\nContent-Type: text/plain\n\nx\n--x--")
    assert verdict_of(raw).rule == "own-mail"


def test_mail_from_the_desk_address_is_automatic() -> None:
    assert verdict_of(report(sender="servicedesk@posbalikpapan.example")).rule == "from-desk"


def test_mail_without_a_usable_sender_is_rejected() -> None:
    for name in ("01-missing-from.eml", "02-from-display-name-only.eml"):
        verdict = verdict_of((ODD / name).read_bytes())
        assert (verdict.kind, verdict.rule) == (REJECTED, "no-sender")


def test_every_sample_report_is_personal_mail() -> None:
    for path in sorted(SAMPLES.glob("*.eml")):
        assert verdict_of(path.read_bytes()).kind == PERSONAL, path.name


# ---------------------------------------------------------------- monitoring senders

MONITORS = ("zabbix@*", "*@STATUS.cloud.example")


@pytest.mark.parametrize("sender, header", [
    ("Zabbix <Zabbix@monitor.posbalikpapan.example>", "Auto-Submitted: auto-generated"),
    ("alerts@status.cloud.example", "Precedence: bulk"),
    ("zabbix@monitor.posbalikpapan.example", ""),      # Zabbix sends no automatic header at all
])
def test_mail_from_a_monitoring_sender_is_a_report(sender: str, header: str) -> None:
    verdict = classify(parse(report(header, sender=sender)), desk_addresses=DESK, monitoring_senders=MONITORS)
    assert (verdict.kind, verdict.rule) == (PERSONAL, "monitoring")
    assert "from a monitoring sender" in verdict.reason
    assert ("automatic (" in verdict.reason) == bool(header)


def test_other_automatic_mail_stays_ignored_with_monitoring_senders_set() -> None:
    mail = parse(report("Auto-Submitted: auto-generated", sender="cron@server.posbalikpapan.example"))
    verdict = classify(mail, desk_addresses=DESK, monitoring_senders=MONITORS)
    assert (verdict.kind, verdict.rule) == (AUTOMATIC, "auto-submitted")
    assert classify(parse(report("Auto-Submitted: auto-generated", sender="zabbix@x.example")),
                    desk_addresses=DESK).kind == AUTOMATIC        # no patterns: automatic, as before


def test_monitoring_never_overrides_own_mail_bounces_or_the_desk_address() -> None:
    own = parse(report("X-Incidentdesk: 1", sender="zabbix@x.example"))
    assert classify(own, desk_addresses=DESK, monitoring_senders=("*",)).rule == "own-mail"
    desk = parse(report("Auto-Submitted: auto-generated", sender="servicedesk@posbalikpapan.example"))
    assert classify(desk, desk_addresses=DESK, monitoring_senders=("*",)).kind == AUTOMATIC
    bounce = classify(parse((ODD / "19-dsn-bounce-5-1-1.eml").read_bytes()), desk_addresses=DESK,
                      monitoring_senders=("*",))
    assert bounce.kind == BOUNCE
