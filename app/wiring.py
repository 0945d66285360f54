"""Pick the mailbox source and the mail transport the configuration asks for."""
from __future__ import annotations

from app.config import ConfigError, Settings
from ingest.imap_source import ImapConfigError, ImapSettings, ImapSource
from ingest.maildir_source import MaildirSource
from ingest.source import MailSource
from outbound.file_transport import FileTransport
from outbound.flush import Transport
from outbound.smtp_transport import SmtpConfigError, SmtpSettings, SmtpTransport


def make_source(settings: Settings) -> MailSource:
    """The configured mailbox. Wrong settings are a ConfigError (exit 2); a server that
    cannot be reached or refuses the login raises its own error (exit 4)."""
    source, kind = settings.source, settings.source["kind"]
    if kind == "maildir":
        return MaildirSource(settings.path(source["maildir"]), int(source["max_message_bytes"]),
                             int(source["batch_bytes"]))
    if kind == "imap":
        try:
            return ImapSource(imap_settings(settings))
        except ImapConfigError as exc:
            raise ConfigError([str(exc)]) from None
    raise ConfigError([f"source.kind {kind!r} is not supported; use maildir or imap"])


def imap_settings(settings: Settings) -> ImapSettings:
    imap = settings.source["imap"]
    if not imap["host"] or not imap["username"]:
        raise ConfigError(["source.kind is imap: set source.imap.host and source.imap.username"])
    return ImapSettings(
        host=imap["host"], port=int(imap["port"]), username=imap["username"],
        password=imap["password"], oauth2_token=imap["oauth2_token"], security=imap["security"],
        allow_plain=bool(imap["allow_plain"]), folder=imap["folder"],
        processed_folder=imap["processed_folder"], quarantine_folder=imap["quarantine_folder"],
        max_bytes=int(settings.source["max_message_bytes"]),
        batch_bytes=int(settings.source["batch_bytes"]), timeout=float(imap["timeout_seconds"]),
        ca_file=imap["ca_file"])


def make_transport(settings: Settings) -> Transport:
    kind = settings.outbound["transport"]
    if kind == "files":
        return FileTransport(settings.path(settings.outbound["outbox_dir"]))
    if kind == "smtp":
        smtp = settings.outbound["smtp"]
        try:
            return SmtpTransport(smtp_settings(settings), sender=smtp["envelope_from"] or settings.desk["address"])
        except SmtpConfigError as exc:
            raise ConfigError([str(exc)]) from None
    raise ConfigError([f"outbound.transport {kind!r} is not supported; use files or smtp"])


def smtp_settings(settings: Settings) -> SmtpSettings:
    smtp = settings.outbound["smtp"]
    return SmtpSettings(
        host=smtp["host"], port=int(smtp["port"]), security=smtp["security"],
        username=smtp["username"], password=smtp["password"], allow_plain=bool(smtp["allow_plain"]),
        ca_file=str(settings.path(smtp["ca_file"])) if smtp["ca_file"] else "",
        timeout=float(smtp["timeout_seconds"]), envelope_from=smtp["envelope_from"],
        helo_name=smtp["helo_name"])
