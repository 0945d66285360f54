"""Who sent this mail, when the From: header is not one clean address.

Real mail has two From: headers, a From: listing several people, a space or a stray quote in
the address, or a From: with a name and no address at all. Where one person is clearly meant
they are read ("salvaged"), so their report is not lost:

- From: headers with exactly one valid address between them: that one;
- several addresses: the one Sender: names (RFC 5322: the mailbox that sent it), else the first;
- a stray quote in the address (`john.doe"@example.com`) is dropped; an unquoted space in the
  local part is quoted (`"john doe"@example.com`), never split into a name and someone
  else's address (`doe@example.com` may be another person, who must not get this ticket);
- no address in From: at all: Sender:, then Reply-To:, then Return-Path:.

A salvaged sender can report an incident but never acts as an agent (workflow/authorization.py):
a header the desk had to guess at proves nothing."""
from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import getaddresses
from typing import Callable, Sequence

from ingest.charset import decode_words, one_line

MAX_ADDRESS = 320
MAX_LOCAL = 64
_STRAY_QUOTE = re.compile(r'(?<=[^\s"<>(),;:@])"(?=@)|(?<=@)"')
_DOMAIN = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
_SPACED_LOCAL = re.compile(r'([^\s"@<>()\[\],;:\\]+(?:[ \t]+[^\s"@<>()\[\],;:\\]+)+)@(' + _DOMAIN + r")")
_NOT_IN_ADDRESS = re.compile(r'[\s"<>,;]')
_ANGLE = re.compile(r"<([^<>\s\"]+@[^<>\s\"]+)>")
_QUOTED_LOCAL = re.compile(r'"[^"\\\r\n]+"@' + _DOMAIN)


@dataclass(frozen=True)
class Sender:
    name: str
    address: str | None            # lowercased; None when no header names anyone usable
    salvaged: bool = False         # not one exact, valid, single From: address
    defect: str | None = None      # what was salvaged, or why there is no sender


@dataclass(frozen=True)
class _Mailbox:
    name: str
    address: str
    fix: str | None = None         # how the address was mended, None when it was valid


Decode = Callable[[str], str]      # a raw header value to text (8-bit bytes read)


def read_sender(from_: Sequence[str], sender: Sequence[str], reply_to: Sequence[str],
                return_path: Sequence[str], decode: Decode) -> Sender:
    """The sender of a mail from its From:, Sender:, Reply-To: and Return-Path: values."""
    if len(from_) == 1:       # the common case, read once
        pairs = [(n, a) for n, a in getaddresses([decode(from_[0])]) if n or a]
        if len(pairs) == 1 and is_address(_lower(pairs[0][1])):
            return Sender(_name(pairs[0][0]), _lower(pairs[0][1]))
    per_header = [_mailboxes(decode(value)) for value in from_]
    found = list({m.address: m for boxes in per_header for m in boxes}.values())
    names = [_display_name(decode(value)) for value in from_]
    if found:
        return _chosen(found, len(from_), _first_valid(sender, decode))
    for header, values in (("Sender", sender), ("Reply-To", reply_to), ("Return-Path", return_path)):
        box = _first_valid(values, decode)
        if box is not None:
            name = box.name or next((n for n in names if n), "")
            why = "no address in From:" if from_ else "no From: header"
            return Sender(name, box.address, True, f"sender salvaged: {why}; used {header}: {box.address}")
    return Sender(next((n for n in names if n), ""), None, False, "no usable From: address")


def _chosen(found: list[_Mailbox], headers: int, named: _Mailbox | None) -> Sender:
    """One mailbox of several (or one mended one), and the defect that says which and why."""
    why: list[str] = []
    if headers > 1:
        why.append(f"{headers} From: headers")
    if len(found) > 1:
        pick = next((m for m in found if named and m.address == named.address), None)
        why.append(f"{len(found)} addresses in From:, used the one Sender: names" if pick
                   else f"{len(found)} addresses in From:, used the first")
        box = pick or found[0]
    else:
        box = found[0]
        if headers > 1:
            why.append("one address between them")
    if box.fix:
        why.append(box.fix)
    if not why:
        why.append("From: holds more than its address")
    return Sender(box.name, box.address, True, f"sender salvaged ({box.address}): {'; '.join(why)}")


def _first_valid(values: Sequence[str], decode: Decode) -> _Mailbox | None:
    for value in values:
        boxes = _mailboxes(decode(value))
        if boxes:
            return boxes[0]
    return None


def _mailboxes(value: str) -> list[_Mailbox]:
    """Every usable mailbox of one header value, mended where one person is clearly meant."""
    pairs = [(_name(n), _lower(a)) for n, a in getaddresses([value]) if n or a]
    boxes = [_Mailbox(n, a) for n, a in pairs if is_address(a)]
    if boxes:
        return boxes
    for name, address in pairs:
        if not address.isascii():      # mended addresses stay plain ASCII
            continue
        if _QUOTED_LOCAL.fullmatch(address):
            return [_Mailbox(name, address, "the address has a quoted local part")]
        spaced = _SPACED_LOCAL.fullmatch(address)
        if spaced:
            quoted = f'"{" ".join(spaced.group(1).split())}"@{spaced.group(2)}'
            if len(spaced.group(1)) <= MAX_LOCAL and len(quoted) <= MAX_ADDRESS:
                return [_Mailbox(name, quoted, "a space in the address: its local part quoted")]
    if _STRAY_QUOTE.search(value):
        boxes = [_Mailbox(_name(n), _lower(a), "a stray quote removed from the address")
                 for n, a in getaddresses([_STRAY_QUOTE.sub("", value)]) if is_address(_lower(a))]
        if boxes:
            return boxes
    angle = _ANGLE.search(value)          # '"Budi <budi@x>': an unbalanced quote swallowed it
    if angle and is_address(_lower(angle.group(1))):
        return [_Mailbox("", _lower(angle.group(1)), "the address read from inside a broken display name")]
    return []


def is_address(address: str) -> bool:
    """A plain addr-spec the desk can store and mail: local@domain, no white space, no quote,
    a local part of at most 64 characters (RFC 5321; longer is no real mailbox)."""
    local, at, domain = address.rpartition("@")
    return bool(at and local and domain and len(local) <= MAX_LOCAL and len(address) <= MAX_ADDRESS
                and _NOT_IN_ADDRESS.search(address) is None)


def _display_name(value: str) -> str:
    """The name a From: value gives: its display name, or all of it when it has no address
    ("From: Budi Santoso - Loket 2")."""
    if "@" not in value:
        return _name(value.replace('"', ""))
    return next((_name(n) for n, _ in getaddresses([value]) if n), "")


def _lower(address: str) -> str:
    return one_line(address).lower()


def _name(name: str) -> str:
    return one_line(decode_words(name))
