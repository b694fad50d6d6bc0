"""Start-up: every way `python -m bot` can fail ends in one clear sentence; polling works.

A wrong setting is reported before aiogram is imported, but the other failures come after
seconds of imports, so the bad start-ups are all launched at once by a module fixture, and each
test reads the one it is about.
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
from pydantic import ValidationError

from bot.app import build, prepare_telegram, serve
from bot.clock import FrozenClock
from bot.settings import Settings, describe_settings_error
from tests.conftest import at_head, make_settings
from tests.fake_telegram import GOOD_TOKEN, FakeTelegram
from tests.harness import START

# The tests of the start-ups share the module's loop with bad_starts, which runs them.
IN_MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")

ROOT = Path(__file__).resolve().parent.parent
WRONG_TOKEN = "123456:ABC-this-is-not-the-fake-servers-token"
USER = {"id": 4242, "is_bot": False, "first_name": "Polly", "language_code": "en"}
# Only an upper bound for a process that hangs: a busy 2-core machine needs seconds to import
# the bot, several of them at once far more.
PATIENCE = 120
IMPORT_TIME = "import time:"
CLOSED_PORT = 1  # nothing listens there: connections are refused at once


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
        _out, err = await asyncio.wait_for(process.communicate(), timeout=PATIENCE)
    except TimeoutError:
        process.kill()
        await process.wait()
        return Exit(None, f"python -m bot did not stop within {PATIENCE} s")
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
        # Python lists every module it imports on stderr.
        "no token, imports listed": {"PYTHONPROFILEIMPORTTIME": "1"},
        "webhook without secret": {"GRIDLINK_BOT_TOKEN": GOOD_TOKEN, "GRIDLINK_MODE": "webhook",
                                   "GRIDLINK_WEBHOOK_URL": "https://bot.example.org"},
        "admin by name": {"GRIDLINK_BOT_TOKEN": GOOD_TOKEN, "GRIDLINK_ADMIN_IDS": "@me"},
        "telegram out of reach": {"GRIDLINK_BOT_TOKEN": GOOD_TOKEN,
                                  "GRIDLINK_TELEGRAM_API_URL": f"http://127.0.0.1:{CLOSED_PORT}"},
        "proxy out of reach": {"GRIDLINK_BOT_TOKEN": GOOD_TOKEN,
                               "GRIDLINK_TELEGRAM_API_URL": telegram.base_url,
                               "GRIDLINK_PROXY": f"socks5://127.0.0.1:{CLOSED_PORT}"},
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


@IN_MODULE_LOOP
async def test_an_unset_token_is_named(bad_starts: dict[str, asyncio.Task[Exit]]) -> None:
    assert_one_sentence(await bad_starts["no token"], "GRIDLINK_BOT_TOKEN is not set")


@IN_MODULE_LOOP
async def test_a_malformed_token_is_explained(bad_starts: dict[str, asyncio.Task[Exit]]) -> None:
    assert_one_sentence(await bad_starts["malformed token"],
                        "GRIDLINK_BOT_TOKEN does not look like a bot token")


@IN_MODULE_LOOP
async def test_a_token_telegram_rejects_is_reported(
        bad_starts: dict[str, asyncio.Task[Exit]]) -> None:
    assert_one_sentence(await bad_starts["rejected token"], "rejected GRIDLINK_BOT_TOKEN")


@IN_MODULE_LOOP
async def test_an_unreachable_database_is_reported(
        bad_starts: dict[str, asyncio.Task[Exit]]) -> None:
    assert_one_sentence(await bad_starts["no database"], "GRIDLINK_DATABASE_URL")


@IN_MODULE_LOOP
async def test_a_bad_setting_is_named(bad_starts: dict[str, asyncio.Task[Exit]]) -> None:
    assert_one_sentence(await bad_starts["bad mode"], "GRIDLINK_MODE")


@IN_MODULE_LOOP
async def test_a_wrong_setting_is_reported_before_aiogram_is_imported(
        bad_starts: dict[str, asyncio.Task[Exit]]) -> None:
    run = await bad_starts["no token, imports listed"]
    lines = run.stderr.splitlines()
    imported = {line.rsplit("|", 1)[-1].strip() for line in lines if line.startswith(IMPORT_TIME)}
    said = "\n".join(line for line in lines if not line.startswith(IMPORT_TIME))
    assert_one_sentence(Exit(run.code, said), "GRIDLINK_BOT_TOKEN is not set")
    assert {"bot.settings", "pydantic_settings"} <= imported, "the listing is complete"
    heavy = {name for name in imported if name.split(".")[0] in {"aiogram", "aiohttp"}
             or name in {"bot.startup", "bot.app"}}
    assert heavy == set()


@IN_MODULE_LOOP
async def test_a_webhook_without_a_secret_does_not_start(
        bad_starts: dict[str, asyncio.Task[Exit]]) -> None:
    assert_one_sentence(await bad_starts["webhook without secret"],
                        "GRIDLINK_WEBHOOK_SECRET is required when GRIDLINK_MODE is webhook")


@IN_MODULE_LOOP
async def test_an_admin_named_instead_of_numbered_is_explained(
        bad_starts: dict[str, asyncio.Task[Exit]]) -> None:
    assert_one_sentence(await bad_starts["admin by name"],
                        "GRIDLINK_ADMIN_IDS must be Telegram user ids (numbers) separated by "
                        "commas, not '@me'")


@IN_MODULE_LOOP
async def test_an_unreachable_telegram_names_the_proxy_and_api_settings(
        bad_starts: dict[str, asyncio.Task[Exit]]) -> None:
    assert_one_sentence(await bad_starts["telegram out of reach"],
                        "the Bot API server at GRIDLINK_TELEGRAM_API_URL cannot be reached",
                        "set GRIDLINK_PROXY", "README.md, Reaching Telegram")


@IN_MODULE_LOOP
async def test_an_unreachable_proxy_is_named(bad_starts: dict[str, asyncio.Task[Exit]]) -> None:
    assert_one_sentence(await bad_starts["proxy out of reach"],
                        "cannot be reached through the proxy GRIDLINK_PROXY",
                        "GRIDLINK_TELEGRAM_API_URL")


def settings_from_env(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    monkeypatch.setenv("GRIDLINK_BOT_TOKEN", GOOD_TOKEN)
    for name, value in env.items():
        monkeypatch.setenv(f"GRIDLINK_{name.upper()}", value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


def refusal(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    with pytest.raises(ValidationError) as caught:
        settings_from_env(monkeypatch, **env)
    return describe_settings_error(caught.value)


@pytest.mark.parametrize(("typed", "ids"), [
    ("", set()),
    ("12, 34", {12, 34}),
    ("１２３，４５６", {123, 456}),  # full-width, as a Chinese keyboard types them
    ("１２３、 ４５６　", {123, 456}),  # enumeration comma and ideographic space
    ("7,", {7}),
])
def test_admin_ids_are_read_as_typed(monkeypatch: pytest.MonkeyPatch, typed: str,
                                     ids: set[int]) -> None:
    assert settings_from_env(monkeypatch, admin_ids=typed).admin_ids == ids


@pytest.mark.parametrize(("typed", "culprit"), [
    ("@me", "'@me'"), ("12,@me", "'@me'"), ("12 34", "'12 34'"), ("-5", "'-5'"),
])
def test_admin_ids_that_are_not_numbers_are_named(monkeypatch: pytest.MonkeyPatch, typed: str,
                                                  culprit: str) -> None:
    assert refusal(monkeypatch, admin_ids=typed) == (
        "GridLink cannot start: GRIDLINK_ADMIN_IDS must be Telegram user ids (numbers) "
        f"separated by commas, not {culprit}. See README.md, Configuration.")


@pytest.mark.parametrize("token", ["abc", "123456:", ":ABC", "123456:ABC DEF", "１２３:ABC",
                                   "123456:ABC/DEF"])
def test_a_token_of_the_wrong_shape_is_refused(monkeypatch: pytest.MonkeyPatch,
                                               token: str) -> None:
    assert "GRIDLINK_BOT_TOKEN does not look like a bot token" in refusal(
        monkeypatch, bot_token=token)


async def test_polling_answers_a_private_start(fake: FakeTelegram, database_url: str) -> None:
    app = await build(make_settings(fake, await at_head(database_url)), FrozenClock(START))
    serving = asyncio.create_task(serve(app))
    try:
        fake.queue_update({"update_id": 1, "message": {
            "message_id": 1, "date": int(time.time()), "from": USER,
            "chat": {"id": USER["id"], "type": "private", "first_name": "Polly"},
            "text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        }})
        deadline = time.monotonic() + PATIENCE
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


@pytest.mark.parametrize("proxy", ["ftp://127.0.0.1:21", "socks5://127.0.0.1", "127.0.0.1:1080",
                                   "https://proxy.example:443", "socks5://:1080"])
def test_a_proxy_that_is_not_a_proxy_url_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                     proxy: str) -> None:
    assert "GRIDLINK_PROXY must be a proxy URL with its port" in refusal(monkeypatch, proxy=proxy)


def test_a_proxy_password_is_not_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from_env(monkeypatch, proxy="socks5://me:s3cret@127.0.0.1:1080")
    assert "s3cret" not in repr(settings)
    assert refusal(monkeypatch, proxy="ftp://me:s3cret@127.0.0.1:21").count("s3cret") == 0


class ConnectProxy:
    """An HTTP proxy on 127.0.0.1 that tunnels CONNECT requests and notes where they went."""

    def __init__(self) -> None:
        self.tunnels: list[str] = []
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = (await reader.readuntil(b"\r\n\r\n")).decode()
        target = request.split()[1]
        self.tunnels.append(target)
        host, port = target.rsplit(":", 1)
        upstream_reader, upstream_writer = await asyncio.open_connection(host, int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except ConnectionError:
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))


async def test_the_bot_reaches_telegram_through_the_proxy(fake: FakeTelegram,
                                                          database_url: str) -> None:
    proxy = ConnectProxy()
    await proxy.start()
    app = await build(make_settings(fake, await at_head(database_url),
                                    proxy=f"http://127.0.0.1:{proxy.port}"), FrozenClock(START))
    try:
        await prepare_telegram(app)
        assert fake.sent("getMe") and fake.sent("setMyCommands")
        telegram_at = fake.base_url.removeprefix("http://")
        assert proxy.tunnels and set(proxy.tunnels) == {telegram_at}
    finally:
        await app.close()
        await proxy.stop()
