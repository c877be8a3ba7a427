"""One SMS template per dossier event, each within one plain 160-character SMS."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from motcua.notifications.text import GSM7_SINGLE_SMS, gsm7_length, plain_text


class SmsEvent(enum.StrEnum):
    RECEIVED = "received"
    SUPPLEMENT_REQUESTED = "supplement-requested"
    REFUSED = "refused"
    RESULT_READY = "result-ready"
    RETURNED = "returned"
    LATE_APOLOGY = "late-apology"


@dataclass(frozen=True)
class MessageFacts:
    """What a message may say about the dossier."""

    dossier_code: str
    tracking_link: str
    sender: str = "So Xay dung"
    due_on: date | None = None             # the appointment date (received, late-apology)
    supplement_due_on: date | None = None  # the applicant's time limit (supplement-requested)


# Templates from the longest to the shortest wording: the first that fits is used.
_TEMPLATES: dict[SmsEvent, tuple[str, ...]] = {
    SmsEvent.RECEIVED: (
        "{sender}: da tiep nhan ho so {code}, hen tra ket qua ngay {due}. Tra cuu: {link}",
        "Da tiep nhan ho so {code}, hen tra {due}. {link}",
    ),
    SmsEvent.SUPPLEMENT_REQUESTED: (
        "{sender}: ho so {code} can bo sung giay to{until}. Chi tiet: {link}",
        "Ho so {code} can bo sung{until}. {link}",
    ),
    SmsEvent.REFUSED: (
        "{sender}: ho so {code} khong duoc tiep nhan/giai quyet. Ly do: {link}",
        "Ho so {code} khong duoc giai quyet. {link}",
    ),
    SmsEvent.RESULT_READY: (
        "{sender}: ho so {code} da co ket qua. Moi Ong/Ba nhan ket qua theo giay hen. Tra cuu: {link}",
        "Ho so {code} da co ket qua. {link}",
    ),
    SmsEvent.RETURNED: (
        "{sender}: da tra ket qua ho so {code}. Moi Ong/Ba danh gia muc do hai long: {link}",
        "Da tra ket qua ho so {code}. {link}",
    ),
    SmsEvent.LATE_APOLOGY: (
        "{sender} xin loi: ho so {code} cham tra ket qua, hen lai ngay {due}. Tra cuu: {link}",
        "Xin loi: ho so {code} hen lai {due}. {link}",
    ),
}


class MessageTooLong(ValueError):
    pass


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "?"


def compose(event: SmsEvent | str, facts: MessageFacts) -> str:
    """The SMS for `event`: without diacritics, within one GSM-7 SMS."""
    event = SmsEvent(event)
    fields = {
        "sender": plain_text(facts.sender), "code": facts.dossier_code, "link": facts.tracking_link,
        "due": _day(facts.due_on),
        "until": f" truoc ngay {_day(facts.supplement_due_on)}" if facts.supplement_due_on else "",
    }
    for template in _TEMPLATES[event]:
        text = plain_text(template.format(**fields))
        if gsm7_length(text) <= GSM7_SINGLE_SMS:
            return text
    raise MessageTooLong(f"the {event} SMS for {facts.dossier_code} needs more than "
                         f"{GSM7_SINGLE_SMS} characters: shorten MOTCUA_TRACKING_URL")
