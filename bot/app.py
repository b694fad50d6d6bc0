"""Building the Bot and Dispatcher, and starting them in polling or webhook mode."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.utils.i18n import I18n

from bot import notices
from bot.audience import GroupPrivacy
from bot.clock import Clock, SystemClock
from bot.commands import MenusFollowRoles, PersonalMenus, register_menus
from bot.direct_sends import WithinLimits
from bot.fsm_storage import DatabaseStorage, KeyLocks
from bot.i18n import LocaleMiddleware, make_i18n
from bot.inflight import GridLinkDispatcher, InFlight
from bot.instances import Seat
from bot.jobs import make_scheduler, retention_of
from bot.membership import GridMembership
from bot.messenger import Messenger
from bot.metrics import Tally, Watch
from bot.middlewares import IntakeMiddleware, KeepResponseTypes
from bot.sender import Sender
from bot.settings import Mode, Settings
from bot.shared_limits import SharedLimits
from handlers import routers
from storage.db import Database

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram"


@dataclass
class App:
    settings: Settings
    db: Database
    bot: Bot
    dispatcher: GridLinkDispatcher
    i18n: I18n
    messenger: Messenger
    sender: Sender

    async def close(self) -> None:
        if self.sender.shared is not None:
            await self.sender.shared.close()
        await self.dispatcher.storage.close()
        await self.bot.session.close()
        await self.db.dispose()


def make_bot(settings: Settings) -> Bot:
    api = (TelegramAPIServer.from_base(settings.telegram_api_url)
           if settings.telegram_api_url else PRODUCTION)
    session = AiohttpSession(
        proxy=settings.proxy.get_secret_value() if settings.proxy else None, api=api)
    session.middleware(KeepResponseTypes())
    session.middleware(GroupPrivacy())
    return Bot(settings.bot_token.get_secret_value(), session=session,
               default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def _fsm(settings: Settings, db: Database) -> tuple[BaseStorage, BaseEventIsolation]:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        storage = RedisStorage.from_url(settings.redis_url)
        return storage, storage.create_isolation()
    return DatabaseStorage(db), KeyLocks()


def make_dispatcher(settings: Settings, db: Database, i18n: I18n, clock: Clock,
                    messenger: Messenger, tally: Tally) -> GridLinkDispatcher:
    storage, isolation = _fsm(settings, db)
    dispatcher = GridLinkDispatcher(
        in_flight=InFlight(settings.updates_at_once),
        storage=storage,
        events_isolation=isolation,
        db=db,
        clock=clock,
        settings=settings,
        i18n=i18n,
        messenger=messenger,
        tally=tally,
    )
    dispatcher.update.outer_middleware(IntakeMiddleware(db, clock, settings.admin_ids))
    dispatcher.update.outer_middleware(GridMembership(db, clock))
    LocaleMiddleware(i18n).setup(dispatcher)
    dispatcher.message.outer_middleware(PersonalMenus(db, settings.default_locale))
    dispatcher.update.outer_middleware(MenusFollowRoles(db, settings.default_locale))
    dispatcher.include_routers(*routers())
    return dispatcher


async def build(settings: Settings, clock: Clock | None = None) -> App:
    """Connect and migrate the database and build everything; Telegram is not called yet."""
    db = Database(settings.database_url, updates_at_once=settings.updates_at_once)
    await db.migrate_separately()
    await db.gather_statistics()
    i18n = make_i18n(settings.default_locale)
    bot = make_bot(settings)
    clock = clock or SystemClock()
    messenger = Messenger(bot, db, i18n, settings.default_locale, clock)
    sender = Sender(messenger, on_undeliverable=notices.undeliverable)
    tally = sender.tally  # what /metrics shows of this instance (bot.metrics)
    bot.session.middleware(WithinLimits(sender))
    if settings.redis_url:
        sender.shared = SharedLimits.from_url(settings.redis_url, bot.id)
    db.when_queued(sender.wake)
    dispatcher = make_dispatcher(settings, db, i18n, clock, messenger, tally)
    return App(settings, db, bot, dispatcher, i18n, messenger, sender)


async def prepare_telegram(app: App) -> None:
    """Check the token and register the command menus."""
    await app.bot.get_me()
    await register_menus(app.bot, app.i18n)


def set_aside_startup_objects() -> None:
    """Keep what exists once the app is built (modules, routers, pydantic's validators: about
    240,000 objects that live as long as the process) out of the garbage collector's passes.
    Walking them again at every full collection cost a busy bot about a tenth of its time."""
    gc.collect()
    gc.freeze()


async def serve(app: App) -> None:
    """Raises bot.instances.AnotherInstance when another instance runs without Redis."""
    seat = await Seat.take(app.settings.redis_url, app.db)
    try:
        await _serve_alongside(app)
    finally:
        await seat.leave()


async def _serve_alongside(app: App) -> None:
    await prepare_telegram(app)
    set_aside_startup_objects()
    sending = asyncio.create_task(app.sender.run_forever(), name="outbox-sender")
    tending = asyncio.create_task(app.dispatcher.in_flight.tend_forever(
        app.dispatcher, app.bot, app.db, app.dispatcher["clock"]), name="updates-in-flight")
    scheduler = make_scheduler(app.messenger, sweep_seconds=app.settings.sweep_seconds,
                               retention=retention_of(app.settings))
    scheduler.start()
    try:
        if app.settings.mode is Mode.POLLING:
            await app.bot.delete_webhook(drop_pending_updates=False)
            # No more updates are taken from Telegram while this many are being handled.
            await app.dispatcher.start_polling(
                app.bot, tasks_concurrency_limit=app.settings.updates_at_once)
        else:
            await _serve_webhook(app)
    finally:
        tending.cancel()
        scheduler.shutdown(wait=False)
        app.sender.stop()
        await sending


def make_webhook_app(app: App) -> web.Application:
    """aiogram's request handler: a request without the secret token gets 401 before its body is
    read, a body that is not a Telegram update gets 400, and neither is handled; an update
    Telegram delivers twice is dropped by IntakeMiddleware. A request is answered once one of
    the turns for updates in flight is free (Telegram holds the bot's next updates meanwhile),
    or with 503 when the bot is stopping, so that Telegram delivers it again later."""
    from aiogram.types import Update
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
    from aiohttp import web  # the web server costs memory; polling never needs it

    in_flight = app.dispatcher.in_flight

    class UpdateRequestHandler(SimpleRequestHandler):
        # aiogram answers 500 to a body that is not JSON, and 200 to JSON that is not an
        # update (which then fails in the background, out of sight of the sender). It reads
        # the body again from aiohttp's cache; the second validation costs about 30 µs.
        async def _handle_request_background(self, bot: Bot, request: web.Request
                                             ) -> web.Response:
            try:
                Update.model_validate(await request.json(loads=bot.session.json_loads))
            except ValueError:  # not UTF-8, not JSON, or not an update (ValidationError)
                return web.Response(status=400, text="the body is not a Telegram update")
            if not await in_flight.take_turn():
                return web.Response(status=503, text="stopping; deliver it again later")
            try:
                return await super()._handle_request_background(bot, request)
            except BaseException:
                in_flight.give_back_turn()
                raise

        async def _background_feed_update(self, bot: Bot, update: dict[str, object]) -> None:
            try:
                await super()._background_feed_update(bot, update)
            finally:
                in_flight.give_back_turn()

        async def close(self) -> None:
            # before the Bot API session they answer with
            await in_flight.finish(app.db, app.dispatcher["clock"])
            await super().close()

    web_app = web.Application()
    UpdateRequestHandler(app.dispatcher, app.bot, handle_in_background=True,
                         secret_token=app.settings.webhook_secret_token).register(
        web_app, path=WEBHOOK_PATH)
    setup_application(web_app, app.dispatcher, bot=app.bot)
    Watch(app.db, app.dispatcher["clock"], app.sender.tally).add_to(web_app)
    return web_app


async def _serve_webhook(app: App) -> None:
    from aiohttp import web

    settings = app.settings
    runner = web.AppRunner(make_webhook_app(app))
    await app.bot.set_webhook(f"{(settings.webhook_url or '').rstrip('/')}{WEBHOOK_PATH}",
                              secret_token=settings.webhook_secret_token)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    log.info("webhook listening on %s:%s", settings.host, settings.port)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_ in (signal.SIGTERM, signal.SIGINT):
        with suppress(NotImplementedError):  # no signals on Windows
            loop.add_signal_handler(signal_, stopped.set)
    try:
        await stopped.wait()
    finally:
        await runner.cleanup()  # what is in flight is finished (bot.inflight)
