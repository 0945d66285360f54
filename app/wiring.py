"""Pick the mailbox source and the mail transport the configuration asks for."""
from __future__ import annotations

from app.config import ConfigError, Settings
from ingest.imap_source import ImapConfigError, ImapSource
from ingest.maildir_source import MaildirSource
from ingest.source import MailSource
from outbound.file_transport import FileTransport
from outbound.flush import Transport
from outbound.sms_transport import KannelTransport, SmsConfigError
from outbound.smtp_transport import SmtpConfigError, SmtpTransport


def make_source(settings: Settings) -> MailSource:
    """The configured mailbox. Wrong settings are a ConfigError (exit 2); a server that
    cannot be reached or refuses the login raises its own error (exit 4)."""
    source = settings.source
    if source.kind == "maildir":
        return MaildirSource(source.maildir, source.max_message_bytes, source.batch_bytes)
    if source.kind == "imap":
        try:
            return ImapSource(source.imap)
        except ImapConfigError as exc:
            raise ConfigError([str(exc)]) from None
    raise ConfigError([f"source.kind {source.kind!r} is not supported; use maildir or imap"])


def make_transport(settings: Settings) -> Transport:
    out = settings.outbound
    if out.transport == "files":
        return FileTransport(out.outbox_dir)
    if out.transport == "smtp":
        try:
            return SmtpTransport(out.smtp, sender=out.smtp.envelope_from or settings.desk.address)
        except SmtpConfigError as exc:
            raise ConfigError([str(exc)]) from None
    raise ConfigError([f"outbound.transport {out.transport!r} is not supported; use files or smtp"])


def make_sms_transport(settings: Settings) -> Transport | None:
    """The SMS gateway of [sms]; None when SMS are off (sms.transport = "none")."""
    sms = settings.sms
    if sms.transport == "none":
        return None
    if sms.transport == "kannel":
        try:
            return KannelTransport(sms.kannel)
        except SmsConfigError as exc:
            raise ConfigError([str(exc)]) from None
    raise ConfigError([f"sms.transport {sms.transport!r} is not supported; use none or kannel"])
