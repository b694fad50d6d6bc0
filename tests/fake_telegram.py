"""A fake Telegram Bot API server on 127.0.0.1 that records every call.

The real Bot (aiogram's aiohttp session) talks to it over HTTP. Tests feed updates to the
real Dispatcher, or queue them for getUpdates, and then read what the bot sent.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

BOT_ID = 7000000001
BOT_USERNAME = "gridlink_test_bot"
GOOD_TOKEN = f"{BOT_ID}:TEST-token-for-the-fake-server"
# Telegram's limits on what a request may carry; beyond them it answers 400.
TEXT_LIMIT = 4096  # characters of a message's text, after its HTML is read
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes
BUTTON_LIMIT = 100


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    result: Any = None

    @property
    def message_id(self) -> int:
        if isinstance(self.result, dict):
            return int(self.result["message_id"])
        return int(self.params["message_id"])

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    def upload(self, field: str) -> Upload:
        """A file the bot sent with the request (a chart, a workbook), not by file id."""
        value = self.params.get(field)
        assert isinstance(value, Upload), f"{self.method} sent no file in {field!r}: {value!r}"
        return value

    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class FakeTelegram:
    token: str = GOOD_TOKEN
    calls: list[Call] = field(default_factory=list)
    # Every call since the start, which clear() keeps: the privacy tripwire reads it.
    history: list[Call] = field(default_factory=list)
    # Private chats of users who never pressed Start (or blocked the bot): 403.
    unreachable: set[int] = field(default_factory=set)
    # Chats where the bot may not delete messages.
    no_delete: set[int] = field(default_factory=set)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    # Methods that fail with a server error the next N times they are called.
    failing: dict[str, int] = field(default_factory=dict)
    # When set, sendMessage beyond these limits is answered 429.
    limits: RateLimits | None = None
    # The next N sendMessage requests are answered 429 (retry after 1 s), whatever the limits.
    too_many: int = 0
    # While set and not yet let go, sendMessage requests wait here (Telegram slow to answer);
    # ``holding`` is set once one waits.
    hold: asyncio.Event | None = None
    holding: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _updates: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    _runner: web.AppRunner | None = None
    base_url: str = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("POST", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def queue_update(self, update: dict[str, Any]) -> None:
        self._updates.put_nowait(update)

    def pending_updates(self) -> int:
        """Queued updates the bot has not asked for yet."""
        return self._updates.qsize()

    # --- reading what happened ------------------------------------------------------------

    def sent(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls
                if (method is None or c.method == method)
                and (chat_id is None or c.chat_id == chat_id)]

    def texts_to(self, chat_id: int) -> list[str]:
        return [c.text for c in self.calls if c.chat_id == chat_id
                and c.method in {"sendMessage", "editMessageText"}]

    def last_to(self, chat_id: int) -> Call:
        return self.sent("sendMessage", chat_id)[-1]

    def alerts(self) -> list[str]:
        return [str(c.params.get("text", "")) for c in self.sent("answerCallbackQuery")]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        return self.messages[(chat_id, message_id)]

    def clear(self) -> None:
        self.calls.clear()

    # --- the server ---------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await _params(request)
        call = Call(method, params)
        if method != "getUpdates":
            self.calls.append(call)
            self.history.append(call)
        handler = getattr(self, f"_m_{method}", None)
        if self.failing.get(method):
            self.failing[method] -= 1
            result: Any = Refusal(500, "Internal Server Error")
        elif method == "sendMessage" and self.too_many > 0:
            self.too_many -= 1
            result = Refusal(429, "Too Many Requests: retry after 1", 1)
        elif (too_large := _beyond_limits(method, params)) is not None:
            result = too_large
        else:
            result = True if handler is None else await handler(params)
        if isinstance(result, Refusal):
            call.result = result
            body: dict[str, Any] = {"ok": False, "error_code": result.code,
                                    "description": result.description}
            if result.retry_after is not None:
                body["parameters"] = {"retry_after": result.retry_after}
            return web.json_response(body, status=result.code)
        call.result = result
        return web.json_response({"ok": True, "result": result})

    async def _m_getMe(self, _params: dict[str, Any]) -> Any:
        return _ok({"id": BOT_ID, "is_bot": True, "first_name": "GridLink",
                    "username": BOT_USERNAME, "can_join_groups": True,
                    "can_read_all_group_messages": False, "supports_inline_queries": False})

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        deadline = time.monotonic() + min(float(params.get("timeout", 0) or 0), 1.0)
        updates: list[dict[str, Any]] = []
        while not updates:
            while not self._updates.empty():
                updates.append(self._updates.get_nowait())
            if updates or time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.02)
        return _ok(updates)

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        if self.hold is not None:
            self.holding.set()
            await self.hold.wait()
        chat_id = int(params["chat_id"])
        if chat_id in self.unreachable:
            return _error(403, "Forbidden: bot can't initiate conversation with a user")
        if self.limits is not None and (refusal := self.limits.check(chat_id)) is not None:
            return refusal
        message_id = next(self._ids)
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup",
                     **({"first_name": "User"} if chat_id > 0 else {"title": "Group"})},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "GridLink",
                     "username": BOT_USERNAME},
            "text": params.get("text", ""),
        }
        if (params.get("reply_markup") or {}).get("inline_keyboard"):
            message["reply_markup"] = params["reply_markup"]  # only inline keyboards come back
        self.messages[(chat_id, message_id)] = message
        return _ok(message)

    async def _m_sendPhoto(self, params: dict[str, Any]) -> Any:
        return await self._media_message(params, "photo", [{
            "file_id": _file_id(params.get("photo")), "file_unique_id": "p",
            "width": 90, "height": 90}])

    async def _m_sendDocument(self, params: dict[str, Any]) -> Any:
        document = params.get("document")
        name = document.filename if isinstance(document, Upload) else "file"
        return await self._media_message(params, "document", {
            "file_id": _file_id(document), "file_unique_id": "d", "file_name": name})

    async def _m_sendVoice(self, params: dict[str, Any]) -> Any:
        return await self._media_message(params, "voice", {
            "file_id": str(params.get("voice", "")), "file_unique_id": "v", "duration": 1})

    async def _media_message(self, params: dict[str, Any], kind: str, media: Any) -> Any:
        """A photo or voice message the bot sends by file id, with its caption."""
        chat_id = int(params["chat_id"])
        if chat_id in self.unreachable:
            return _error(403, "Forbidden: bot can't initiate conversation with a user")
        message_id = next(self._ids)
        message = {"message_id": message_id, "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                   kind: media, "caption": params.get("caption", "")}
        self.messages[(chat_id, message_id)] = message
        return _ok(message)

    async def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        new_markup = params.get("reply_markup")
        if message.get("text") == params.get("text") and message.get("reply_markup") == new_markup:
            return _error(400, "Bad Request: message is not modified: specified new message "
                               "content and reply markup are exactly the same")
        message["text"] = params.get("text", "")
        message.pop("reply_markup", None)
        if new_markup:
            message["reply_markup"] = new_markup
        return _ok(message)

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return _ok(message)

    async def _m_deleteMessage(self, params: dict[str, Any]) -> Any:
        if int(params["chat_id"]) in self.no_delete:
            return _error(400, "Bad Request: message can't be deleted")
        return _ok(True)


@dataclass(frozen=True)
class Upload:
    """A file uploaded with a request (multipart/form-data), as Telegram would receive it."""

    filename: str
    content_type: str
    data: bytes


def _file_id(value: Any) -> str:
    if isinstance(value, Upload):
        return f"uploaded-{value.filename}-{len(value.data)}"
    return str(value or "")


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        return dict(await request.json())
    form = await request.post()
    params: dict[str, Any] = {}
    for key, value in form.items():
        if isinstance(value, web.FileField):
            params[key] = Upload(value.filename, value.content_type, value.file.read())
            continue
        text = value if isinstance(value, str) else str(value)
        if text[:1] in "{[":
            try:
                params[key] = json.loads(text)
                continue
            except ValueError:
                pass
        params[key] = text
    return _attached(params)


def _attached(params: dict[str, Any]) -> dict[str, Any]:
    """aiogram names an uploaded file "attach://<part>" and sends it in that part."""
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            part = value.removeprefix("attach://")
            if isinstance(params.get(part), Upload):
                params[key] = params.pop(part)
    return params


@dataclass(frozen=True)
class Refusal:
    code: int
    description: str
    retry_after: int | None = None


@dataclass
class RateLimits:
    """Telegram's limits, optionally scaled up for benchmarks: 429 with retry_after beyond them."""

    per_second: int = 30
    per_chat_per_second: int = 1
    per_group_per_minute: int = 20
    retry_after: int = 1
    sent: list[tuple[float, int]] = field(default_factory=list)
    refused: int = 0

    def check(self, chat_id: int) -> Refusal | None:
        now = time.monotonic()
        recent = [(t, c) for t, c in self.sent if now - t < 60]
        self.sent = recent
        last_second = [c for t, c in recent if now - t < 1]
        over = (
            len(last_second) >= self.per_second
            or last_second.count(chat_id) >= self.per_chat_per_second
            or (chat_id < 0 and sum(1 for _t, c in recent if c == chat_id)
                >= self.per_group_per_minute)
        )
        if over:
            self.refused += 1
            return Refusal(429, f"Too Many Requests: retry after {self.retry_after}",
                           self.retry_after)
        self.sent.append((now, chat_id))
        return None


class _Visible(HTMLParser):
    """The text a reader sees once Telegram has read the HTML: tags gone, entities read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible_length(text: str, parse_mode: str | None) -> int:
    """Characters as Telegram counts them, in UTF-16 code units (an emoji counts two), which
    is never fewer than Telegram counts, whichever way it counts an emoji."""
    if (parse_mode or "").upper() == "HTML":
        reader = _Visible()
        reader.feed(text)
        reader.close()
        text = "".join(reader.parts)
    return len(text.encode("utf-16-le")) // 2


def _beyond_limits(method: str, params: dict[str, Any]) -> Refusal | None:
    parse_mode = params.get("parse_mode")
    if method in {"sendMessage", "editMessageText"} and visible_length(
            str(params.get("text", "")), parse_mode) > TEXT_LIMIT:
        return _error(400, "Bad Request: message is too long")
    caption = params.get("caption")
    if caption is not None and visible_length(str(caption), parse_mode) > CAPTION_LIMIT:
        return _error(400, "Bad Request: message caption is too long")
    markup = params.get("reply_markup")
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    buttons = [button for row in rows for button in row]
    if len(buttons) > BUTTON_LIMIT:
        return _error(400, "Bad Request: BUTTONS_TOO_MUCH")
    if any(len(str(button.get("callback_data", "")).encode()) > CALLBACK_DATA_LIMIT
           for button in buttons):
        return _error(400, "Bad Request: BUTTON_DATA_INVALID")
    return None


def _ok(result: Any) -> Any:
    return result


def _error(code: int, description: str) -> Refusal:
    return Refusal(code, description)
