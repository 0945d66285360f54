"""Outlook's winmail.dat (TNEF, application/ms-tnef) unpacked, so a report sent from an
Exchange client in "rich text" keeps its text and its files. The body comes from the plain
text property, else the HTML one, else the compressed RTF (decompressed, then stripped to
text); each file inside becomes an attachment like any other. A stream tnefparse cannot
read is reported as a defect, and the winmail.dat stays an ordinary attachment."""
from __future__ import annotations

from dataclasses import dataclass

import structlog
import compressed_rtf  # noqa: F401  (tnefparse decompresses RTF bodies only when it is installed)
from striprtf.striprtf import rtf_to_text
from tnefparse import properties as mapi
from tnefparse.tnef import TNEF

from ingest.charset import decode_bytes

log = structlog.get_logger(__name__)

TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})


@dataclass(frozen=True)
class TnefFile:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class TnefContent:
    text: str
    html: str
    files: tuple[TnefFile, ...]


def is_tnef(content_type: str, filename: str) -> bool:
    return content_type.lower() in TNEF_TYPES or filename.lower() == "winmail.dat"


def unpack(data: bytes) -> TnefContent | None:
    """The body and files inside a TNEF stream; None when it is not one we can read."""
    try:
        tnef = TNEF(data, do_checksum=False)
        return TnefContent(text=_text(tnef), html=_as_text(tnef.htmlbody, tnef.codepage),
                           files=tuple(_files(tnef)))
    except Exception as exc:  # tnefparse raises struct, index and value errors on bad input
        log.info("tnef.unreadable", error=type(exc).__name__)
        return None


def _text(tnef: TNEF) -> str:
    text = _as_text(tnef.body, tnef.codepage)
    if text.strip() or not tnef.has_body():
        return text
    try:
        rtf = tnef.rtfbody  # decompressed by compressed_rtf
    except Exception as exc:  # a corrupt RTF stream: the files are still worth keeping
        log.info("tnef.rtf_unreadable", error=type(exc).__name__)
        return ""
    return rtf_to_text(rtf.decode("cp1252", "replace"), errors="ignore") if rtf else ""


def _as_text(value: str | bytes | None, codepage: str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        return value.rstrip("\x00")
    return decode_bytes(value.rstrip(b"\x00"), codepage)[0]


def _files(tnef: TNEF) -> list[TnefFile]:
    files = []
    for attachment in tnef.attachments:
        if not attachment.data or hasattr(attachment, "embed"):
            continue  # an embedded Outlook item, not a file
        mime = next((str(a.data) for a in attachment.mapi_attrs
                     if a.name == mapi.MAPI_ATTACH_MIME_TAG), "")
        name = _name(attachment, tnef.codepage)
        files.append(TnefFile(name=name, content_type=mime or "application/octet-stream",
                              data=bytes(attachment.data)))
    return files


def _name(attachment: object, codepage: str | None) -> str:
    try:
        return str(attachment.long_filename() or "unnamed")  # type: ignore[attr-defined]
    except UnicodeDecodeError:  # a short name in the sender's code page, not UTF-8
        return decode_bytes(bytes(getattr(attachment, "_name", b"")).rstrip(b"\x00"), codepage)[0] or "unnamed"
