"""How many taps the core loop takes: a new resident from the grid group to a posted card, and
a volunteer from the card to the resident's contact. Each message typed and each button pressed
counts one; opening a bot's link counts one, and its Start one more for someone who never
opened a private chat with the bot (Telegram sends /start by itself to the others)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.fake_telegram import Call
from tests.harness import (
    GRID_CHAT,
    VOLUNTEER,
    Harness,
    Someone,
    button,
    set_up_grid,
    translate,
    url_button,
)

NEWCOMER = Someone(3001, "小刘", language_code="en", username="xiaoliu", chose_english=False)


@dataclass
class Taps:
    h: Harness
    count: int = 0
    started: set[int] = field(default_factory=set)

    async def type(self, who: Someone, text: str, chat_id: int | None = None) -> None:
        self.count += 1
        await self.h.send(who, text, chat_id)

    async def press(self, who: Someone, call: Call, label: str) -> None:
        self.count += 1
        await self.h.press(who, call, button(call, label))

    async def open_link(self, who: Someone, call: Call, label: str | None = None) -> None:
        """Open a link button of the bot's (the first, or the one whose text has ``label``)."""
        url = url_button(call) if label is None else next(
            str(b["url"]) for b in call.buttons() if "url" in b and label in b["text"])
        self.count += 1
        if who.id not in self.started:
            self.count += 1  # Start
            self.started.add(who.id)
            self.h.fake.unreachable.discard(who.id)
        payload = url.split("start=", 1)[1]
        await self.h.send(who, f"/start {payload}")

    def last(self, who: Someone | int) -> Call:
        return self.h.fake.last_to(who if isinstance(who, int) else who.id)


async def fill_the_form(t: Taps, who: Someone) -> None:
    """The form's own steps (someone else's to shorten): kind, words, urgency, no phone, no
    address, Submit."""
    h = t.h
    await t.press(who, t.last(who), translate(h, "zh_Hans", "Elderly care"))
    await t.type(who, "帮我去超市买米和油")
    await t.press(who, t.last(who), translate(h, "zh_Hans", "Not urgent"))
    await t.press(who, t.last(who), translate(h, "zh_Hans", "Skip"))
    await t.press(who, t.last(who), translate(h, "zh_Hans", "Skip"))
    await t.press(who, t.last(who), translate(h, "zh_Hans", "Submit"))


def posted(h: Harness) -> Call:
    return [c for c in h.fake.sent("sendMessage", GRID_CHAT) if c.buttons()
            and "帮我去超市买米和油" in c.text][-1]


async def test_a_newcomer_posts_a_wish_from_the_greeting(harness: Harness) -> None:
    """Joining the grid group: the greeting's "Post a wish" button, Start, the form."""
    h = harness
    await set_up_grid(h)
    h.fake.unreachable.add(NEWCOMER.id)
    await h.feed({"message": {"message_id": 1, "date": 0, "from": NEWCOMER.user(),
                              "chat": {"id": GRID_CHAT, "type": "supergroup", "title": "G"},
                              "new_chat_members": [NEWCOMER.user()]}})
    t = Taps(h)
    await t.open_link(NEWCOMER, t.last(GRID_CHAT), translate(h, "zh_Hans", "✍️ Post a wish"))
    await fill_the_form(t, NEWCOMER)
    assert posted(h)
    assert t.count == 8  # before: 9 (/wish typed in the group, the form's link, Start, form)


async def test_a_known_resident_posts_from_the_private_chat(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(NEWCOMER, "/help", GRID_CHAT)
    await h.send(NEWCOMER, "/start")
    t = Taps(h, started={NEWCOMER.id})
    await t.type(NEWCOMER, "/wish")
    await fill_the_form(t, NEWCOMER)
    assert posted(h)
    assert t.count == 7  # before: told to go back to the group, then 9 more


async def test_a_volunteer_claims_in_one_tap(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(NEWCOMER, "/wish 帮我去超市买米和油", GRID_CHAT)
    t = Taps(h, started={VOLUNTEER.id})
    await t.press(VOLUNTEER, posted(h), "🙋")
    assert "帮我去超市买米和油" in t.last(VOLUNTEER).text
    assert t.count == 1
