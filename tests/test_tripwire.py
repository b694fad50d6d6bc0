"""The privacy tripwire reads files too: a contact detail inside a CSV or a workbook sent to a
group is caught, the same file sent privately is not."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BufferedInputFile

from tests.fake_telegram import FakeTelegram
from tests.tripwire import leaks, shown_to_groups

PHONE = "13812345678"
GROUP, PRIVATE = -1001, 42


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    api = TelegramAPIServer.from_base(fake.base_url)
    bot = Bot(fake.token, session=AiohttpSession(api=api))
    yield bot
    await bot.session.close()


def workbook_with(text: str) -> bytes:
    """The part of an .xlsx workbook where its cells' strings are kept."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/sharedStrings.xml", f"<sst><si><t>{text}</t></si></sst>")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "data"), [
    ("wishes.csv", f"姓名,电话\n张阿姨,{PHONE}\n".encode("utf-8-sig")),
    ("wishes.xlsx", workbook_with(f"电话 {PHONE}")),
])
async def test_a_phone_inside_a_file_sent_to_a_group_is_caught(
        fake: FakeTelegram, bot: Bot, name: str, data: bytes) -> None:
    await bot.send_document(PRIVATE, BufferedInputFile(data, name))
    assert not leaks(shown_to_groups(fake), [PHONE], [])
    await bot.send_document(GROUP, BufferedInputFile(data, name), caption="本周导出")
    found = leaks(shown_to_groups(fake), [PHONE], [])
    assert len(found) == 1 and "sendDocument" in found[0]
    assert fake.sent("sendDocument", GROUP)[0].upload("document").data == data


async def test_a_chart_sent_to_a_group_is_not_read_as_text(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_photo(GROUP, BufferedInputFile(b"\x89PNG\r\n\x1a\n" + PHONE.encode(), "c.png"))
    assert not leaks(shown_to_groups(fake), [PHONE], [])
