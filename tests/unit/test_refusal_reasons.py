"""A refused agent hears the real reason, in English and in Indonesian, and never the advice
to do what they just did: a desk that cannot verify anyone says so; a reply to a desk mail
sent to someone else says that; the mail server's English detail stays out of Indonesian."""
from __future__ import annotations

from datetime import datetime, timezone

from ingest.authentication import AuthenticationSettings, authenticate_sender
from workflow.authorization import NO_TRUSTED_SERVER, authentication_refusal
from workflow.personal import PersonalMail
from workflow.policy import Policy
from workflow.tokens import message_id_local_part

SECRET = "s3cret"
RINA, AGUS = "rina@posbalikpapan.example", "agus@posbalikpapan.example"
ALL_METHODS = frozenset({"reply_token", "dkim", "spf"})


def policy(secret: str = SECRET, methods: frozenset[str] = ALL_METHODS) -> Policy:
    return Policy(levels=("high",), matrix={}, sla={}, reply_secret=secret, auth_methods=methods)


def mail(references: tuple[str, ...] = (), detail: str = "") -> PersonalMail:
    return PersonalMail(sender=RINA, sender_name="", subject="", text="", new_text="",
                        message_id=None, references=references,
                        received_at=datetime(2026, 11, 23, tzinfo=timezone.utc),
                        authentication_detail=detail)


def desk_id(recipient: str) -> str:
    return f"<{message_id_local_part('new_ticket', SECRET, recipient)}@posbalikpapan.example>"


def reasons(p: Policy, m: PersonalMail) -> tuple[str, str]:
    refusal = authentication_refusal(p, m, (RINA,))
    assert refusal is not None
    return refusal.reason_en, refusal.reason_id


def test_ingest_says_no_server_is_trusted_in_the_words_the_rules_recognise() -> None:
    found = authenticate_sender(b"From: rina@posbalikpapan.example\r\n\r\nhi", RINA, AuthenticationSettings())
    assert found.detail == NO_TRUSTED_SERVER


def test_a_desk_with_no_secret_and_no_trusted_server_says_it_is_not_set_up() -> None:
    en, id_ = reasons(policy(secret=""), mail(("<new_ticket.0123456789abcdef0123@desk>",), NO_TRUSTED_SERVER))
    assert "not set up to verify agents' mail" in en and "administrator" in en
    assert "reply to a mail the desk sent" not in en and "balas e-mail desk" not in id_
    assert "desk belum diatur" in id_ and "administrator desk" in id_
    assert NO_TRUSTED_SERVER not in id_


def test_a_reply_to_a_desk_mail_sent_to_someone_else_says_so() -> None:
    en, id_ = reasons(policy(), mail((desk_id(AGUS),), NO_TRUSTED_SERVER))
    assert "was sent to another address, not to yours" in en
    assert "dikirim ke alamat lain, bukan ke alamat Anda" in id_
    assert "DKIM" not in en        # the desk trusts no server: no point suggesting one


def test_a_mail_that_answers_no_desk_mail_says_so_and_offers_the_mail_server() -> None:
    detail = "no Authentication-Results from mx.posbalikpapan.example"
    en, id_ = reasons(policy(), mail(("<CAF00@mail.gmail.example>",), detail))
    assert "does not answer a mail the desk sent to you" in en and "DKIM or SPF" in en and detail in en
    assert "bukan balasan atas e-mail yang dikirim desk" in id_ and "DKIM/SPF" in id_
    assert "Authentication-Results from" not in id_   # one language per mail


def test_a_desk_that_checks_only_the_mail_server_never_asks_for_a_reply() -> None:
    en, id_ = reasons(policy(methods=frozenset({"dkim"})), mail((desk_id(RINA),), "dkim=fail"))
    assert "only from mail its server verified by DKIM or SPF" in en and "dkim=fail" in en
    assert "hanya menerima perintah dari e-mail yang lolos pemeriksaan DKIM atau SPF" in id_
    assert "reply to" not in en and "balas e-mail" not in id_
