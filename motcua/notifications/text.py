"""SMS text: Vietnamese without diacritics (đ → d), counted in GSM-7 characters."""

from __future__ import annotations

import re
import unicodedata

GSM7_SINGLE_SMS = 160

# GSM 03.38 basic set (the characters a plain SMS can carry) and its extension (two septets each).
_GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM7_EXTENSION = set("^{}\\[~]|€\f")
_SPECIAL = {"đ": "d", "Đ": "D", "–": "-", "—": "-", "·": "-", "“": '"', "”": '"', "‘": "'", "’": "'",
            "…": "...", "\u00a0": " "}


def plain_text(text: str) -> str:
    """Strip Vietnamese diacritics (and anything else GSM-7 cannot carry)."""
    text = "".join(_SPECIAL.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # characters still outside ASCII would make the carrier switch to UCS-2 (70 characters)
    return "".join(ch if ch.isascii() else "?" for ch in unicodedata.normalize("NFC", stripped))


def gsm7_length(text: str) -> int:
    """Septets `text` takes in a GSM-7 SMS; raises ValueError for characters GSM-7 lacks."""
    length = 0
    for ch in text:
        if ch in _GSM7_BASIC:
            length += 1
        elif ch in _GSM7_EXTENSION:
            length += 2
        else:
            raise ValueError(f"{ch!r} is not a GSM-7 character")
    return length


_MOBILE = re.compile(r"^0[35789]\d{8}$")


def normalise_phone(text: str | None) -> str | None:
    """A Vietnamese mobile number as `0xxxxxxxxx`, or None when it cannot be one."""
    if not text:
        return None
    digits = re.sub(r"[\s.\-()]", "", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if _MOBILE.match(digits) else None
