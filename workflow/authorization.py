"""Is this mail really the agent's? A From: header is only a claim; commands count only with
a proof the configuration accepts (policy.auth_methods):

- reply_token: the mail references a Message-ID the desk generated for one of the agent's
  addresses (workflow/tokens.py). Needs no help from the mail server: only someone who
  received the desk's mail to that agent can echo it.
- dkim / spf: the desk's own MTA verified the From: domain (ingest/authentication.py sets
  PersonalMail.authenticated_by from the trusted Authentication-Results).

A sender the parser had to salvage from a malformed From: (PersonalMail.sender_salvaged)
proves nothing, whatever else the mail carries: a header the desk guessed at is no identity."""
from __future__ import annotations

from typing import Sequence

from workflow.personal import PersonalMail
from workflow.policy import DKIM, REPLY_TOKEN, SPF, Policy
from workflow.status import Refused
from workflow.tokens import TOKEN_RE, replies_to_mail_sent_to

# what ingest/authentication.py says when no authserv-id is trusted: no server check at all
NO_TRUSTED_SERVER = "no trusted Authentication-Results configured"


def authentication_refusal(policy: Policy, mail: PersonalMail, addresses: Sequence[str]) -> Refused | None:
    """None when the mail proves it is the agent's, else what the agent is told."""
    if mail.sender_salvaged:
        return Refused(
            "your commands were not applied because the From: header of this mail was not one "
            "valid address (the desk had to guess the sender): send commands from a mail client "
            "that writes a single, plain From: address. If you did not send it, someone used your address.",
            "perintah Anda tidak diterapkan karena header From: e-mail ini bukan satu alamat yang "
            "sah (desk harus menebak pengirimnya): kirim perintah dari program e-mail yang menulis "
            "satu alamat From: yang biasa. Jika Anda tidak mengirimnya, ada yang memakai alamat Anda.",
        )
    if proven_by(policy, mail, addresses):
        return None
    en, id_ = _why_unproven(policy, mail)
    return Refused(
        "your commands were not applied because this mail could not be verified as yours: "
        f"{en} If you did not send it, someone used your address.",
        "perintah Anda tidak diterapkan karena e-mail ini tidak dapat dipastikan berasal dari "
        f"Anda: {id_} Jika Anda tidak mengirimnya, ada yang memakai alamat Anda.",
    )


def _why_unproven(policy: Policy, mail: PersonalMail) -> tuple[str, str]:
    """The real reason, in English and Indonesian: what the desk can check at all, and what
    this mail lacked. The server's detail is English, so only the English text carries it."""
    tokens = REPLY_TOKEN in policy.auth_methods and bool(policy.reply_secret)
    server = bool(policy.auth_methods & {DKIM, SPF}) and mail.authentication_detail != NO_TRUSTED_SERVER
    if not tokens and not server:
        return ("the desk is not set up to verify agents' mail yet (it has no reply-token secret and "
                "trusts no mail server's DKIM/SPF check), so no reply can make commands count, "
                "however it is written. Please tell the desk's administrator: `incidentdesk "
                "check-config` shows what is missing.",
                "desk belum diatur untuk memeriksa e-mail petugas (belum ada kunci rahasia untuk "
                "balasan dan belum ada server e-mail yang pemeriksaan DKIM/SPF-nya dipercaya), jadi "
                "balasan apa pun belum dapat membuat perintah berlaku. Mohon sampaikan kepada "
                "administrator desk.")
    detail = f" ({mail.authentication_detail})" if mail.authentication_detail else ""
    if not tokens:
        return (f"this desk accepts commands only from mail its server verified by DKIM or SPF, and "
                f"your domain's did not pass{detail}: send it through your organisation's mail server.",
                "desk ini hanya menerima perintah dari e-mail yang lolos pemeriksaan DKIM atau SPF oleh "
                "server desk, dan e-mail ini tidak lolos: kirim lewat server e-mail organisasi Anda.")
    if any(TOKEN_RE.match(ref or "") for ref in mail.references):
        en = ("the desk mail it answers was sent to another address, not to yours (was it forwarded "
              "to you?): reply to the desk's mail that was sent to you.")
        id_ = ("e-mail desk yang Anda balas dikirim ke alamat lain, bukan ke alamat Anda (apakah "
               "e-mail itu diteruskan kepada Anda?): balas e-mail desk yang dikirim kepada Anda.")
    else:
        en = ("it does not answer a mail the desk sent to you (its In-Reply-To/References headers "
              "name none): reply to the desk's mail to you, keeping those headers.")
        id_ = ("e-mail ini bukan balasan atas e-mail yang dikirim desk kepada Anda (header "
               "In-Reply-To/References tidak menyebut satu pun): balas e-mail desk kepada Anda "
               "tanpa menghapus header itu.")
    if server:
        en += f" Or send it through a mail server whose DKIM or SPF the desk's server checks{detail}."
        id_ += " Atau kirim lewat server e-mail yang DKIM/SPF-nya diperiksa server desk."
    return en, id_


def proven_by(policy: Policy, mail: PersonalMail, addresses: Sequence[str]) -> str | None:
    """The accepted method that proves the mail is from one of `addresses`, or None."""
    if mail.sender_salvaged:
        return None
    methods = policy.auth_methods
    if REPLY_TOKEN in methods and any(
            replies_to_mail_sent_to(policy.reply_secret, address, mail.references)
            for address in addresses):
        return REPLY_TOKEN
    if mail.sender.lower() not in {a.lower() for a in addresses}:
        return None
    for method in (DKIM, SPF):
        if method in methods and method in mail.authenticated_by:
            return method
    return None
