"""Is an agent's mail the agent's? Reply tokens (workflow/authorization.py) and our MTA's
Authentication-Results (ingest/authentication.py). A forged From: alone never is."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ingest.authentication import AuthenticationSettings, aligned, authenticate_sender
from workflow.authorization import authentication_refusal, proven_by
from workflow.personal import PersonalMail
from workflow.policy import Policy
from workflow.tokens import message_id_local_part

SECRET = "s3cret"
RINA = "rina@posbalikpapan.example"
POLICY = Policy(levels=("high",), matrix={}, sla={}, reply_secret=SECRET,
                auth_methods=frozenset({"reply_token", "dkim", "spf"}))
TRUSTED = AuthenticationSettings(authserv_id="mx.posbalikpapan.example")


def desk_id(recipient: str, secret: str = SECRET) -> str:
    return f"<{message_id_local_part('new_ticket', secret, recipient)}@posbalikpapan.example>"


def mail(references: tuple[str, ...] = (), by: frozenset[str] = frozenset(), sender: str = RINA) -> PersonalMail:
    return PersonalMail(sender=sender, sender_name="", subject="", text="", new_text="",
                        message_id=None, references=references,
                        received_at=datetime(2026, 11, 23, tzinfo=timezone.utc), authenticated_by=by)


# --------------------------------------------------------------------------- reply tokens

def test_reply_echoing_a_message_id_sent_to_the_agent_is_proven() -> None:
    assert proven_by(POLICY, mail(("<other@x>", desk_id(RINA))), (RINA,)) == "reply_token"


def test_forged_from_without_a_token_is_refused_with_a_reason_in_both_languages() -> None:
    refusal = authentication_refusal(POLICY, mail(("<ack-1@desk.example>",)), (RINA,))
    assert refusal is not None
    assert "could not be verified" in refusal.reason_en and "tidak dapat dipastikan" in refusal.reason_id


def test_token_for_another_address_or_with_another_secret_is_refused() -> None:
    assert proven_by(POLICY, mail((desk_id("agus@posbalikpapan.example"),)), (RINA,)) is None
    assert proven_by(POLICY, mail((desk_id(RINA, secret="guessed"),)), (RINA,)) is None


def test_token_minted_for_the_agents_other_address_counts() -> None:
    other = "rina.s@gmail.example"
    assert proven_by(POLICY, mail((desk_id(other),), sender=RINA), (RINA, other)) == "reply_token"


def test_tampered_token_is_refused() -> None:
    good = desk_id(RINA)
    at = good.index("@") - 1          # the last hex digit of the MAC
    tampered = good[:at] + ("0" if good[at] != "0" else "1") + good[at + 1:]
    assert proven_by(POLICY, mail((tampered,)), (RINA,)) is None


def test_without_a_secret_no_token_proves_anything() -> None:
    policy = Policy(levels=(), matrix={}, sla={}, reply_secret="")
    assert proven_by(policy, mail((f"<new_ticket.{'a' * 20}@x>",)), (RINA,)) is None


def test_reply_token_method_can_be_switched_off() -> None:
    policy = Policy(levels=(), matrix={}, sla={}, reply_secret=SECRET, auth_methods=frozenset({"dkim"}))
    assert proven_by(policy, mail((desk_id(RINA),)), (RINA,)) is None


def test_dkim_pass_counts_only_when_the_method_is_configured() -> None:
    assert proven_by(POLICY, mail(by=frozenset({"dkim"})), (RINA,)) == "dkim"
    token_only = Policy(levels=(), matrix={}, sla={}, reply_secret=SECRET)
    assert proven_by(token_only, mail(by=frozenset({"dkim", "spf"})), (RINA,)) is None


# --------------------------------------------------------------------------- Authentication-Results

def raw(*results: str, sender: str = RINA) -> bytes:
    headers = "".join(f"Authentication-Results: {r}\r\n" for r in results)
    return (f"{headers}From: Rina <{sender}>\r\nTo: servicedesk@posbalikpapan.example\r\n"
            "Subject: Re: [INC-000001]\r\n\r\nStatus: proses\r\n").encode()


def test_dkim_pass_aligned_with_from_domain_from_our_mta_passes() -> None:
    result = authenticate_sender(raw("mx.posbalikpapan.example; dkim=pass header.d=posbalikpapan.example "
                                     "header.s=mail header.b=abc"), RINA, TRUSTED)
    assert result.passed == {"dkim"}


def test_spf_pass_with_aligned_mail_from_passes() -> None:
    result = authenticate_sender(raw("mx.posbalikpapan.example; spf=pass smtp.mailfrom=rina@posbalikpapan.example"),
                                 RINA, TRUSTED)
    assert result.passed == {"spf"}


def test_gmail_style_header_i_gives_the_dkim_domain() -> None:
    gmail = "mx.posbalikpapan.example; dkim=pass header.i=@posbalikpapan.example header.s=x header.b=y"
    assert authenticate_sender(raw(gmail), RINA, TRUSTED).passed == {"dkim"}


def test_results_from_another_authserv_id_are_ignored() -> None:
    forged = raw("mx.attacker.example; dkim=pass header.d=posbalikpapan.example")
    result = authenticate_sender(forged, RINA, TRUSTED)
    assert result.passed == frozenset()
    assert "no Authentication-Results from mx.posbalikpapan.example" in result.detail


def test_only_the_topmost_header_of_our_mta_counts() -> None:
    """A sender can put a fake header of our id below the one our MTA prepends."""
    ours = "mx.posbalikpapan.example; dkim=fail header.d=posbalikpapan.example; spf=softfail smtp.mailfrom=x@evil.example"
    fake = "mx.posbalikpapan.example; dkim=pass header.d=posbalikpapan.example"
    assert authenticate_sender(raw(ours, fake), RINA, TRUSTED).passed == frozenset()


def test_pass_for_another_domain_is_not_aligned_and_says_so() -> None:
    other = raw("mx.posbalikpapan.example; dkim=pass header.d=gmail.example; spf=pass smtp.mailfrom=a@gmail.example")
    result = authenticate_sender(other, RINA, TRUSTED)
    assert result.passed == frozenset()
    assert "gmail.example, not posbalikpapan.example" in result.detail


def test_no_authserv_id_configured_trusts_nothing() -> None:
    header = raw("mx.posbalikpapan.example; dkim=pass header.d=posbalikpapan.example")
    assert authenticate_sender(header, RINA, AuthenticationSettings()).passed == frozenset()


def test_a_method_not_configured_is_not_reported() -> None:
    header = raw("mx.posbalikpapan.example; dkim=pass header.d=posbalikpapan.example; "
                 "spf=pass smtp.mailfrom=posbalikpapan.example")
    only_spf = AuthenticationSettings("mx.posbalikpapan.example", frozenset({"spf"}))
    assert authenticate_sender(header, RINA, only_spf).passed == {"spf"}


def test_unparseable_header_of_our_mta_proves_nothing_and_never_raises() -> None:
    broken = raw("mx.posbalikpapan.example; dkim=pass header.d=posbalikpapan.example (((",
                 "mx.posbalikpapan.example; dkim=pass header.d=posbalikpapan.example")
    assert authenticate_sender(broken, RINA, TRUSTED).passed == frozenset()
    assert authenticate_sender(b"\xff\xfe not a mail", RINA, TRUSTED).passed == frozenset()


@pytest.mark.parametrize("verified, from_domain, strict, expected", [
    ("posbalikpapan.example", "posbalikpapan.example", True, True),
    ("posbalikpapan.example", "mail.posbalikpapan.example", False, True),
    ("posbalikpapan.example", "mail.posbalikpapan.example", True, False),
    ("mail.posbalikpapan.example", "posbalikpapan.example", False, False),
    ("example", "posbalikpapan.example", False, False),
    ("balikpapan.example", "posbalikpapan.example", False, False),
])
def test_alignment(verified: str, from_domain: str, strict: bool, expected: bool) -> None:
    assert aligned(verified, from_domain, strict) is expected
