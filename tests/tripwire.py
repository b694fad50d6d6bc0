"""The privacy tripwire: no contact detail may reach a group chat, by any route.

Every end-to-end test that uses the ``harness`` fixture ends with ``check``: each text, caption
and button label the fake Bot API received for a group (a negative chat id: grid, community
and street chats alike) is searched for every phone number and address the database holds for
a wish or a volunteer, and for the canary numbers below, which tests type into free text.
Files sent to a group (a CSV, a workbook) are read too. It reads what Telegram would show, on
its own terms, so it does not trust the detector it guards (storage.privacy).
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Iterable

from sqlmodel import select

from storage.db import Database
from storage.models import Volunteer, Wish
from tests.fake_telegram import Call, FakeTelegram, Upload

# Numbers that tests type into wish texts, questions, names and topics: never in a group.
CANARIES = ("13812345678", "13912340001", "02162345678", "11010519491231002X")
MIN_ADDRESS = 4  # shorter "addresses" ("3楼") are too common in ordinary words to mean one
_GROUP_METHODS = {"sendMessage", "editMessageText", "sendPhoto", "sendDocument",
                  "editMessageCaption", "editMessageReplyMarkup"}


def _plain(text: str) -> str:
    """What a reader sees, with invisible characters gone and full-width forms plain."""
    visible = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFKC", visible).casefold()


def _digits(text: str) -> str:
    return "".join(c for c in _plain(text) if c.isdecimal() or c == "x")


def shown_to_groups(fake: FakeTelegram) -> list[Call]:
    return [call for call in fake.history if call.method in _GROUP_METHODS
            and call.chat_id is not None and call.chat_id < 0]


def _words_of(call: Call) -> str:
    labels = [str(button.get("text", "")) for button in call.buttons()]
    files = [_text_inside(value) for value in call.params.values() if isinstance(value, Upload)]
    return "\n".join([call.text, str(call.params.get("caption", "")), *labels, *files])


def _text_inside(upload: Upload) -> str:
    """The words of a file sent to a group: a CSV's text, an .xlsx workbook's XML parts (a
    picture has none to read)."""
    if zipfile.is_zipfile(io.BytesIO(upload.data)):
        with zipfile.ZipFile(io.BytesIO(upload.data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace")
                             for name in archive.namelist() if name.endswith(".xml"))
    if upload.data.startswith(b"\x89PNG"):
        return ""
    return upload.data.decode("utf-8-sig", "replace")


def leaks(calls: Iterable[Call], numbers: Iterable[str], addresses: Iterable[str]) -> list[str]:
    wanted = {_digits(n) for n in numbers if len(_digits(n)) >= 7}
    places = {_plain(a).strip() for a in addresses if len(a.strip()) >= MIN_ADDRESS}
    found = []
    for call in calls:
        words = _words_of(call)
        digits, plain = _digits(words), _plain(words)
        found += [f"{number} in {call.method} to {call.chat_id}: {words!r}"
                  for number in wanted if number in digits]
        found += [f"address {address!r} in {call.method} to {call.chat_id}: {words!r}"
                  for address in places if address in plain]
    return found


async def stored_contacts(db: Database) -> tuple[list[str], list[str]]:
    async with db.transaction() as session:
        wishes = (await session.exec(select(Wish.contact_phone, Wish.contact_address))).all()
        phones = (await session.exec(select(Volunteer.phone))).all()
    numbers = [p for p, _a in wishes if p] + [p for p in phones if p]
    return numbers, [a for _p, a in wishes if a]


async def check(fake: FakeTelegram, db: Database) -> None:
    numbers, addresses = await stored_contacts(db)
    found = leaks(shown_to_groups(fake), [*numbers, *CANARIES], addresses)
    assert not found, "contact details reached a group chat:\n" + "\n".join(found)
