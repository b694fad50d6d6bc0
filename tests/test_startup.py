"""Start-up: every way `python -m bot` can fail ends in one clear sentence; polling works.

Importing aiogram alone takes seconds, so the bad start-ups are all launched at once by a
module fixture, and each test reads the one it is about.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from bot.app import build, serve
from bot.clock import FrozenClock
from tests.conftest import at_head, make_settings
from tests.fake_telegram import GOOD_TOKEN, FakeTelegram
from tests.harness import START

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROOT = Path(__file__).resolve().parent.parent
WRONG_TOKEN = "123456:ABC-this-is-not-the-fake-servers-token"
USER = {"id": 4242, "is_bot": False, "first_name": "Polly", "language_code": "en"}


@dataclass(frozen=True)
class Exit:
    code: int | None
    stderr: str


async def run_bot(tmp: Path, settings: dict[str, str]) -> Exit:
    """`python -m bot` with only PATH, HOME and these GRIDLINK_* settings."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp)),
        # Never the working copy's own ./gridlink.db.
        "GRIDLINK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'gridlink.db'}",
        **settings,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        _out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    except TimeoutError:
        process.kill()
        await process.wait()
        return Exit(None, "python -m bot did not stop within 30 s")
    return Exit(process.returncode, err.decode())


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def telegram() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bad_starts(telegram: FakeTelegram, tmp_path_factory: pytest.TempPathFactory
                     ) -> AsyncIterator[dict[str, asyncio.Task[Exit]]]:
    cases = {
        "no token": {},
        "malformed token": {"GRIDLINK_BOT_TOKEN": "abc"},
        "rejected token": {"GRIDLINK_BOT_TOKEN": WRONG_TOKEN,
                           "GRIDLINK_TELEGRAM_API_URL": telegram.base_url},
        "no database": {"GRIDLINK_BOT_TOKEN": GOOD_TOKEN,
                        "GRIDLINK_DATABASE_URL": "postgresql+asyncpg://x@127.0.0.1:1/none"},
        "bad mode": {"GRIDLINK_BOT_TOKEN": GOOD_TOKEN, "GRIDLINK_MODE": "sideways"},
    }
    runs = {name: asyncio.create_task(run_bot(tmp_path_factory.mktemp("start"), settings))
            for name, settings in cases.items()}
    yield runs
    await asyncio.gather(*runs.values())


def assert_one_sentence(run: Exit, *words: str) -> None:
    text = run.stderr.strip()
    assert run.code == 2, text
    assert "Traceback" not in text, text
    assert len(text.splitlines()) == 1, text
    assert text.startswith("GridLink cannot start"), text
    for word in words:
        assert word in text, text


async def test_an_unset_token_is_named(bad_starts: dict[str, asyncio.Task[Exit]]) -> None:
    assert_one_sentence(await bad_starts["no token"], "GRIDLINK_BOT_TOKEN is not set")


async def test_a_malformed_token_is_explained(bad_starts: dict[str, asyncio.Task[Exit]]) -> None:
    assert_one_sentence(await bad_starts["malformed token"],
                        "GRIDLINK_BOT_TOKEN does not look like a bot token")


async def test_a_token_telegram_rejects_is_reported(
        bad_starts: dict[str, asyncio.Task[Exit]]) -> None:
    assert_one_sentence(await bad_starts["rejected token"], "rejected GRIDLINK_BOT_TOKEN")


async def test_an_unreachable_database_is_reported(
        bad_starts: dict[str, asyncio.Task[Exit]]) -> None:
    assert_one_sentence(await bad_starts["no database"], "GRIDLINK_DATABASE_URL")


async def test_a_bad_setting_is_named(bad_starts: dict[str, asyncio.Task[Exit]]) -> None:
    assert_one_sentence(await bad_starts["bad mode"], "GRIDLINK_MODE")


@pytest.mark.asyncio(loop_scope="function")
async def test_polling_answers_a_private_start(fake: FakeTelegram, database_url: str) -> None:
    app = await build(make_settings(fake, await at_head(database_url)), FrozenClock(START))
    serving = asyncio.create_task(serve(app))
    try:
        fake.queue_update({"update_id": 1, "message": {
            "message_id": 1, "date": int(time.time()), "from": USER,
            "chat": {"id": USER["id"], "type": "private", "first_name": "Polly"},
            "text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        }})
        deadline = time.monotonic() + 5
        while not fake.sent("sendMessage", USER["id"]) and time.monotonic() < deadline:
            assert not serving.done(), serving.exception()
            await asyncio.sleep(0.05)
        [welcome] = fake.sent("sendMessage", USER["id"])
        assert "Hello! I am GridLink" in welcome.text
        languages = {c.params.get("language_code") for c in fake.sent("setMyCommands")}
        assert languages == {None, "zh", "en"}
    finally:
        if not serving.done():
            await app.dispatcher.stop_polling()
        await serving
        await app.close()
