"""People's data rights end to end: /forgetme with its confirmation, an admin's /forget on
request and who may not, and /mydata."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import openpyxl
from sqlalchemy import select
from sqlmodel import SQLModel

from storage import wishes
from storage.models import Person, WishState
from tests.fake_telegram import Call
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    NEIGHBOUR,
    RESIDENT,
    VOLUNTEER,
    WORKER,
    Harness,
    Someone,
    button,
    set_up_grid,
    translate,
)

PHONE = "13912345678"
CADRE = Someone(1031, "Cadre Sun", language_code="en", username="sun")
ORG = Someone(1032, "Org Rep Wu", language_code="en", username="wu")
COMMUNITY_ADMIN = Someone(1033, "Admin Zhou", language_code="en", username="zhou_admin")
NOBODY_YET = "There is nothing to erase: I keep nothing about them, or it was erased already."
ONLY_ADMINS = "Only an admin of one of their grids can erase a person's data."
FORGED = "This button is for the person who asked."
PRIVATE_ONLY = "Your data is private: please send me /forgetme or /mydata in a private chat."


async def anything_of(h: Harness, *texts: str) -> list[str]:
    """Where any of ``texts`` is still kept, as table.column."""
    found = []
    async with h.db.transaction() as session:
        for name, table in SQLModel.metadata.tables.items():
            for row in (await session.exec(select(table))).mappings():
                for column, value in row.items():
                    shown = json.dumps(value, ensure_ascii=False) if isinstance(
                        value, dict | list) else str(value)
                    found += [f"{name}.{column}" for text in texts if text in shown]
    return found


def shown(h: Harness, call: Call) -> str:
    """The words of a message the bot sent, as edited since."""
    return str(h.fake.message(call.chat_id or 0, call.message_id)["text"])


async def test_forget_me_asks_first_and_erases_once(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(RESIDENT, f"/wish 帮我去超市买米和油，电话{PHONE}", GRID_CHAT)
    card = h.fake.sent("sendMessage", GRID_CHAT)[-1]
    await h.press_text(VOLUNTEER, card, "🙋")
    await h.send(RESIDENT, "/mydata")
    [sent] = h.fake.sent("sendDocument", RESIDENT.id)
    assert "My micro-wishes: 1" in sent.params["caption"]
    upload = sent.upload("document")
    book = openpyxl.load_workbook(io.BytesIO(upload.data), read_only=True)
    wishes_sheet = [list(row) for row in book["My micro-wishes"].iter_rows(values_only=True)]
    assert wishes_sheet[0][:3] == ["No.", "Grid", "Micro-wish"]
    assert wishes_sheet[1][2].startswith("帮我去超市买米和油") and wishes_sheet[1][4] == PHONE
    assert [row[1] for row in book["About me"].iter_rows(values_only=True)] == [
        "Name", "Resident Zhang"]
    await h.send(RESIDENT, "/mydata", GRID_CHAT)
    assert h.fake.sent("sendDocument", GRID_CHAT) == []
    assert h.fake.last_to(GRID_CHAT).text == translate(h, "zh_Hans", PRIVATE_ONLY)

    await h.send(RESIDENT, "/forgetme")
    asked = h.fake.last_to(RESIDENT.id)
    assert asked.text.startswith("<b>Forget me?</b>")
    assert await anything_of(h, "Resident Zhang", PHONE)
    erase = button(asked, "Erase my data")

    await h.press(VOLUNTEER, asked, erase)  # someone else's button
    assert h.last_alert() == FORGED
    assert (await wishes.get(h.db, 1)).state == WishState.CLAIMED

    h.fake.clear()
    await h.press(RESIDENT, asked, erase)
    said = shown(h, asked)
    assert said.startswith("Done: I have erased what I kept about you.")
    assert "Wishes withdrawn: 1; claims given back: 0." in said
    assert h.fake.message(RESIDENT.id, asked.message_id).get("reply_markup") is None
    assert await anything_of(h, "Resident Zhang", PHONE, "买米和油", "@zhang") == []
    wish = await wishes.get(h.db, 1)
    assert wish.state == WishState.CANCELLED and wish.resident_id != RESIDENT.id
    [told] = h.fake.texts_to(WORKER.id)
    assert told.startswith(translate(h, "en", "A person of grid “{grid}” asked to be "
                           "forgotten, and has been: their name, contact details and words are "
                           "erased from everything I keep, and their waiting wishes were "
                           "withdrawn and their claims given back. The counts in reports stay "
                           "as they were.", grid="第三网格")[:30])
    assert "Resident Zhang" not in told
    assert h.fake.texts_to(VOLUNTEER.id), "the claimer hears the wish was withdrawn"

    h.fake.clear()
    h.clock.advance(timedelta(seconds=1))
    await h.press(RESIDENT, asked, erase)  # pressed twice: they are someone new by now
    assert h.last_alert() == NOBODY_YET
    assert h.fake.texts_to(WORKER.id) == []
    async with h.db.transaction() as session:
        again = await session.get(Person, RESIDENT.id)
    assert again is not None and again.full_name == RESIDENT.name, "a new person, not erased"


async def test_only_an_admin_of_their_grid_may_erase_someone_on_request(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(NEIGHBOUR, "/wish 帮忙换灯泡", GRID_CHAT)
    await h.press_text(VOLUNTEER, h.fake.sent("sendMessage", GRID_CHAT)[-1], "🙋")
    await h.send(VOLUNTEER, "/mydata")
    book = openpyxl.load_workbook(io.BytesIO(
        h.fake.sent("sendDocument", VOLUNTEER.id)[-1].upload("document").data), read_only=True)
    [claim] = list(book["My claims"].iter_rows(min_row=2, values_only=True))
    assert claim[0] == "1" and claim[3] == "still holds it"
    assert [row[0] for row in book["My roles"].iter_rows(min_row=2, values_only=True)] == [
        "第三网格"]
    for person, role in ((CADRE, "cadre"), (ORG, "org_rep"), (COMMUNITY_ADMIN, "admin")):
        await h.send(person, "/start")
        await h.send(ADMIN, f"/grant {role} {person.id}", COMMUNITY_CHAT)
    for person in (RESIDENT, VOLUNTEER, WORKER, CADRE, ORG):
        await h.send(person, f"/forget {NEIGHBOUR.id}", GRID_CHAT)
        assert h.fake.last_to(GRID_CHAT).text == translate(h, "zh_Hans", ONLY_ADMINS), person
    await h.send(COMMUNITY_ADMIN, f"/forget {VOLUNTEER.id}", GRID_CHAT)
    assert h.fake.last_to(GRID_CHAT).text == translate(
        h, "zh_Hans", "I sent you the confirmation privately."), "the group hears no name"
    asked = h.fake.last_to(COMMUNITY_ADMIN.id)
    assert "Erase what I keep about Volunteer Chen?" in asked.text
    await h.press(WORKER, asked, button(asked, "Erase their data"))
    assert h.last_alert() == translate(h, "en", FORGED)
    h.fake.clear()
    await h.press(COMMUNITY_ADMIN, asked, button(asked, "Erase their data"))
    assert shown(h, asked).startswith("Done: what I kept about them is erased")
    assert "claims given back: 1." in shown(h, asked)
    assert (await wishes.get(h.db, 1)).state == WishState.OPEN, "back for others to claim"
    assert await anything_of(h, "Volunteer Chen", "@chen") == []
    assert h.fake.texts_to(WORKER.id), "the grid's social worker is told someone left"
    assert h.fake.sent("deleteMyCommands"), "their own menu is taken back"
    await h.send(COMMUNITY_ADMIN, f"/forget {VOLUNTEER.id}")
    assert h.fake.last_to(COMMUNITY_ADMIN.id).text == NOBODY_YET
