"""Is this mail really the agent's? A From: header is only a claim; commands count only with
a proof the configuration accepts (policy.auth_methods):

- reply_token: the mail references a Message-ID the desk generated for one of the agent's
  addresses (workflow/tokens.py). Needs no help from the mail server: only someone who
  received the desk's mail to that agent can echo it.
- dkim / spf: the desk's own MTA verified the From: domain (ingest/authentication.py sets
  PersonalMail.authenticated_by from the trusted Authentication-Results)."""
from __future__ import annotations

from typing import Sequence

from workflow.personal import PersonalMail
from workflow.policy import DKIM, REPLY_TOKEN, SPF, Policy
from workflow.status import Refused
from workflow.tokens import replies_to_mail_sent_to


def authentication_refusal(policy: Policy, mail: PersonalMail, addresses: Sequence[str]) -> Refused | None:
    """None when the mail proves it is the agent's, else what the agent is told."""
    if proven_by(policy, mail, addresses):
        return None
    detail = f" ({mail.authentication_detail})" if mail.authentication_detail else ""
    return Refused(
        "your commands were not applied because this mail could not be verified as yours: "
        "reply to a mail the desk sent to you (keep its In-Reply-To/References headers), "
        f"or send it through a mail server whose DKIM or SPF the desk's server checks{detail}. "
        "If you did not send it, someone used your address.",
        "perintah Anda tidak diterapkan karena e-mail ini tidak dapat dipastikan berasal dari "
        "Anda: balas e-mail yang dikirim desk kepada Anda (jangan hapus header In-Reply-To/"
        f"References), atau kirim lewat server e-mail yang DKIM/SPF-nya diperiksa server desk{detail}. "
        "Jika Anda tidak mengirimnya, ada yang memakai alamat Anda.",
    )


def proven_by(policy: Policy, mail: PersonalMail, addresses: Sequence[str]) -> str | None:
    """The accepted method that proves the mail is from one of `addresses`, or None."""
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
