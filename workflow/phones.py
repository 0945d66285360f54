"""Phone numbers for SMS: read from the directory or from a report's signature, kept as E.164.

Why a library: Indonesian mobile numbers are written 0812-3456-7890, 62812..., +62 812 ...,
with dots, brackets and spaces; `phonenumbers` (Google's libphonenumber metadata) knows
which of those are real numbers of which country and which are mobile. A number that is not
a valid mobile number is ignored: an SMS to a landline or a typo only costs money.

Phone numbers are personal data: nothing here (nor any caller) puts one in a log line; the
log says where a number was ignored and why, never the number."""
from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

DEFAULT_REGION = "ID"   # how a number without +country is read (08... is Indonesian)
MAX_INPUT = 40           # longer text is no phone number; do not hand it to the parser
_SMS_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
# `Telepon: 0812 3456 7890`, `HP. +62 812-3456-7890`, `WA : 62812...` (any case), alone on a line
_SIGNATURE_LINE = re.compile(r"^\s*(?:telepon|telp|tel|hp|wa|whatsapp|phone|mobile)\s*[:.]\s*(.+?)\s*$",
                             re.IGNORECASE | re.MULTILINE)
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def normalise_phone(text: str, region: str = DEFAULT_REGION) -> str | None:
    """`text` as an E.164 mobile number (`+6281234567890`), or None when it is not one."""
    text = (text or "").strip()
    if not text or len(text) > MAX_INPUT:
        return None
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in _SMS_TYPES:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_e164(value: str) -> bool:
    """Whether `value` is already in the stored form (the outbox checks before sending)."""
    return bool(_E164.fullmatch(value or ""))


def known_region(region: str) -> bool:
    """Whether `region` (sms.default_region) is a region code the library has data for."""
    return region in phonenumbers.SUPPORTED_REGIONS


def signature_phone(body: str) -> str | None:
    """The text of the last `Telepon:` / `HP:` / `WA:` line of a report (the signature sits
    at the end), not yet checked; None when there is none. Quoted lines (`>`) never count:
    they are someone else's signature."""
    found = [m.group(1) for m in _SIGNATURE_LINE.finditer(body or "")]
    return found[-1] if found else None
