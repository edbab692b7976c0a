"""Masking personal numbers and addresses in free text before it leaves Franko (the LLM, and optionally exports).

A pure function of the text: emails (checked by email-validator's syntax rules), phone numbers
(Google's libphonenumber through `phonenumbers`, VALID leniency: a real number plan, not a run of
digits), payment card numbers (13 to 19 digits of a known issuer's prefix passing the Luhn check,
`python-stdnum`) and IBANs (the country's format and the ISO 7064 mod-97 checksum, `python-stdnum`).
Candidates are found generously and kept only when the library validates them, so order numbers,
dates, prices, short numbers and a card number whose check digit is wrong stay as they are.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum import iban as stdnum_iban
from stdnum import luhn

EMAIL, PHONE, CARD, IBAN = "email", "phone", "card", "iban"
KINDS = (EMAIL, PHONE, CARD, IBAN)  # every kind, in the order the page lists them
LABELS = {EMAIL: "email", PHONE: "phone", CARD: "card number", IBAN: "IBAN"}
MASKS = {EMAIL: "[email]", PHONE: "[phone]", CARD: "[card number]", IBAN: "[IBAN]"}
DEFAULT_REGION = "GB"  # how a phone number without +country code is read (FRANKO_PHONE_REGION)

# Candidates only: each is kept when its validator accepts it.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+", re.UNICODE)
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])")
# Card issuers' prefixes (IIN ranges): Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro, Mir.
_CARD_PREFIX = re.compile(r"^(?:4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|6011|64[4-9]|65|30[0-5]|36|38|39|35"
                          r"|62|5[06-8]|6\d|220[0-4])")


@dataclass(frozen=True)
class Redacted:
    """The text with each value found replaced by its mask, and the kinds masked, one per value, in order."""

    text: str
    found: tuple[str, ...] = ()

    @property
    def counts(self) -> Counter:
        return Counter(self.found)


def is_card_number(candidate: str) -> bool:
    """13 to 19 digits (spaces or hyphens between them allowed), a known issuer's prefix, a valid Luhn check digit."""
    digits = re.sub(r"[ -]", "", candidate)
    return (digits.isdigit() and 13 <= len(digits) <= 19 and bool(_CARD_PREFIX.match(digits))
            and luhn.is_valid(digits) and len(set(digits)) > 1)


def is_iban(candidate: str) -> bool:
    """The country's IBAN format and a valid mod-97 checksum."""
    return stdnum_iban.is_valid(candidate)


def is_email(candidate: str) -> bool:
    try:
        validate_email(candidate, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _iban_spans(text: str) -> Iterable[tuple[int, int]]:
    """Each valid IBAN: a candidate run, shortened word by word from its end until it validates (it may run into a word)."""
    for match in _IBAN.finditer(text):
        candidate = match.group(0)
        ends = [len(candidate)] + [m.start() for m in re.finditer(r" ", candidate)][::-1]
        for end in ends:
            if is_iban(candidate[:end]):
                yield match.start(), match.start() + len(candidate[:end].rstrip())
                break


def _spans(text: str, kinds: Sequence[str], region: str) -> list[tuple[int, int, str]]:
    """The (start, end, kind) of each value to mask, without overlaps (the first kind found keeps a span)."""
    found: list[tuple[int, int, str]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _ in found)

    if IBAN in kinds:
        found += [(s, e, IBAN) for s, e in _iban_spans(text)]
    if CARD in kinds:
        found += [(m.start(), m.end(), CARD) for m in _CARD.finditer(text)
                  if is_card_number(m.group(0)) and free(m.start(), m.end())]
    if EMAIL in kinds:
        found += [(m.start(), m.end(), EMAIL) for m in _EMAIL.finditer(text)
                  if is_email(m.group(0)) and free(m.start(), m.end())]
    if PHONE in kinds and any(c.isdigit() for c in text):
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            if free(match.start, match.end):
                found.append((match.start, match.end, PHONE))
    return sorted(found)


def redact(text: str | None, kinds: Iterable[str] = KINDS, region: str | None = None) -> Redacted:
    """`text` with every email, phone number, card number and IBAN of `kinds` replaced by its mask."""
    text = text or ""
    kinds = tuple(k for k in KINDS if k in set(kinds))
    if not kinds or not text:
        return Redacted(text)
    spans = _spans(text, kinds, region or DEFAULT_REGION)
    if not spans:
        return Redacted(text)
    out, at = [], 0
    for start, end, kind in spans:
        out.append(text[at:start])
        out.append(MASKS[kind])
        at = end
    out.append(text[at:])
    return Redacted("".join(out), tuple(kind for _, _, kind in spans))


def mask(text: str | None, kinds: Iterable[str] = KINDS, region: str | None = None) -> str:
    """Only the masked text."""
    return redact(text, kinds, region).text


def describe(found: Iterable[str]) -> str:
    """What a transcript's mark says: "2 masked: email, phone number" (kinds in the order first found)."""
    found = list(found)
    if not found:
        return ""
    kinds = list(dict.fromkeys(found))
    return f"{len(found)} masked: {', '.join(LABELS.get(k, k) for k in kinds)}"
