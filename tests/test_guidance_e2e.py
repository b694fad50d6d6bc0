"""Showing the way: the grid group's short help and greeting, each person's own commands
privately, a private chat that never ends in silence, /wish and /ask from a private chat, and
the language a private chat speaks."""

from __future__ import annotations

import time
from typing import Any

import pytest
from babel.messages.pofile import read_po
from sqlmodel import select

from bot.commands import private_commands
from bot.i18n import speaking
from bot.links import Purpose
from storage import people, wishes
from storage.models import Question, WishState
from tests.fake_telegram import BOT_ID, Call
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    RESIDENT,
    WORKER,
    Harness,
    Someone,
    button,
    set_up_grid,
    translate,
)
from tests.test_translations import ROOT

# A resident whose phone runs Telegram in English: the grid's language is theirs.
XIAOLIU = Someone(3101, "小刘", language_code="en", chose_english=False)
AUNT_HK = Someone(3102, "陳姨", language_code="zh-hk")
STRANGER = Someone(3103, "Stranger", language_code="en", chose_english=False)
SECOND_GRID_CHAT = -1004
GROUP_BUTTONS = ["✍️ Post a wish", "📋 My wishes", "❓ Ask a social worker", "🙋 Volunteer"]
MENU = [*GROUP_BUTTONS, "🌐 Language"]
STICKER = {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 512,
           "height": 512, "is_animated": False, "is_video": False}


def said(h: Harness, locale: str, *msgids: str) -> list[str]:
    return [translate(h, locale, msgid) for msgid in msgids]


def labels(call: Call) -> list[str]:
    return [str(b["text"]) for b in call.buttons()]


def group_help(h: Harness, locale: str) -> str:
    return "\n".join(said(h, locale, "I am the helper of this grid:",
                          "✍️ Need a hand? Post a micro-wish, and a volunteer will come.",
                          "❓ A question? Ask the social worker on duty; the answer comes "
                          "privately.",
                          "🙋 Want to help? Become a volunteer."))


async def choose_group_language(h: Harness, chat_id: int, name: str) -> None:
    await h.send(ADMIN, "/lang", chat_id)
    menu = h.fake.last_to(chat_id)
    await h.press(ADMIN, menu, button(menu, name))


async def joined(h: Harness, chat_id: int, *newcomers: dict[str, Any]) -> None:
    await h.feed({"message": {
        "message_id": int(time.time() * 1000) % 1_000_000, "date": int(time.time()),
        "chat": {"id": chat_id, "type": "supergroup", "title": "Group"},
        "from": newcomers[0], "new_chat_members": list(newcomers)}})


# --- point 4: short, role-aware help ----------------------------------------------------------

@pytest.mark.parametrize(("language", "locale"), [
    ("简体中文", "zh_Hans"), ("繁體中文", "zh_Hant"), ("English", "en")])
async def test_a_grid_groups_help_is_four_lines_and_four_buttons(
        harness: Harness, language: str, locale: str) -> None:
    h = harness
    await set_up_grid(h)
    await choose_group_language(h, GRID_CHAT, language)
    h.fake.clear()
    await h.send(XIAOLIU, "/help", GRID_CHAT)
    answer = h.fake.last_to(GRID_CHAT)
    assert answer.text == group_help(h, locale)
    assert len(answer.text.splitlines()) == 4
    assert labels(answer) == said(h, locale, *GROUP_BUTTONS)
    urls = [str(b["url"]) for b in answer.buttons()]
    assert [url.split("start=")[1] for url in urls] == [
        h.start_link(Purpose.WISH_FORM, 3).split()[1], "mine",
        h.start_link(Purpose.ASK, 3).split()[1], h.start_link(Purpose.VOLUNTEER, 3).split()[1]]
    assert h.fake.sent("sendMessage", XIAOLIU.id) == []  # a resident has nothing more
    if locale == "zh_Hant":
        assert "志工" in answer.text and "志工" in labels(answer)[3]


async def test_staff_get_their_own_commands_privately(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(WORKER, "/help", GRID_CHAT)
    answer = h.fake.last_to(GRID_CHAT)
    assert answer.text == group_help(h, "zh_Hans") + "\n" + translate(
        h, "zh_Hans", "I sent you your own commands privately.")
    mine = h.fake.last_to(WORKER.id)
    assert "<b>For social workers</b>" in mine.text and "<b>For admins</b>" not in mine.text
    assert "/bind" not in answer.text

    h.fake.unreachable.add(ADMIN.id)  # never opened a private chat
    await h.send(ADMIN, "/help", GRID_CHAT)
    answer = h.fake.last_to(GRID_CHAT)
    assert answer.text == group_help(h, "zh_Hans")
    assert labels(answer)[-1] == translate(h, "zh_Hans", "📖 All commands")
    assert str(answer.buttons()[-1]["url"]).endswith("start=help")
    h.fake.unreachable.discard(ADMIN.id)
    await h.send(ADMIN, "/start help")
    full = h.fake.last_to(ADMIN.id)
    assert "<b>For admins</b>" in full.text and "/bind street|community|grid" in full.text


async def test_private_help_lists_what_the_person_may_do(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(RESIDENT, "/help")
    resident = h.fake.last_to(RESIDENT.id)
    assert "<b>For everyone</b>" in resident.text
    assert "<b>For social workers</b>" not in resident.text and "/bind" not in resident.text
    assert labels(resident) == MENU
    await h.send(ADMIN, "/help")
    assert "<b>For admins</b>" in h.fake.last_to(ADMIN.id).text


async def test_new_members_of_a_grid_group_are_greeted_once(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    bot = {"id": BOT_ID + 1, "is_bot": True, "first_name": "Other bot"}
    await joined(h, GRID_CHAT, XIAOLIU.user(), bot)
    greeting = h.fake.last_to(GRID_CHAT)
    assert greeting.text == translate(h, "zh_Hans", "Welcome, {names}!",
                                      names="小刘") + "\n" + group_help(h, "zh_Hans")
    assert labels(greeting) == said(h, "zh_Hans", *GROUP_BUTTONS)

    h.fake.clear()
    await joined(h, GRID_CHAT, XIAOLIU.user())  # left and came back
    await joined(h, COMMUNITY_CHAT, STRANGER.user())  # not a grid group
    assert h.fake.sent("sendMessage") == []

    await h.send(ADMIN, "/set greet_new_members off", GRID_CHAT)
    h.fake.clear()
    await joined(h, GRID_CHAT, STRANGER.user())
    assert h.fake.sent("sendMessage") == []


# --- point 3: no dead ends ---------------------------------------------------------------------

@pytest.mark.parametrize(("message", "msgid"), [
    ({"text": "你好"}, "Hello! I am GridLink, the helper of your community. What would you like "
                      "to do? /help lists all my commands."),
    ({"sticker": STICKER},
     "Hello! I am GridLink, the helper of your community. What would you like to do? /help "
     "lists all my commands."),
    ({"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}},
     "I cannot listen to voice messages here. What would you like to do? To post a "
     "micro-wish, tap “Post a wish”."),
])
async def test_whatever_is_sent_privately_gets_an_answer_with_buttons(
        harness: Harness, message: dict[str, Any], msgid: str) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(STRANGER, message.pop("text", ""), **message)
    answer = h.fake.last_to(STRANGER.id)
    assert answer.text == translate(h, "en", msgid)
    assert labels(answer) == MENU


async def test_commands_sent_privately_say_where_they_work(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    for command, where in [("/duty", "your grid group or your community's chat"),
                           ("/topic 加装电梯", "the chat of the place whose joint meeting it is"),
                           ("/volunteers", "the grid group or the community's chat"),
                           ("/meetings", "the chat of the place whose joint meetings they are")]:
        await h.send(STRANGER, command)
        name = command.split()[0][1:]
        assert h.fake.last_to(STRANGER.id).text == translate(
            h, "en", "/{command} works in a group chat: please send it in {where}.",
            command=name, where=translate(h, "en", where))
    await h.send(STRANGER, "/frobnicate")
    unknown = h.fake.last_to(STRANGER.id)
    assert unknown.text == translate(h, "en", "I do not know the command {command}. Here is "
                                     "what I can do; /help lists all my commands.",
                                     command="/frobnicate")
    assert labels(unknown) == MENU


async def test_a_known_resident_posts_a_wish_privately_in_their_grids_language(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(XIAOLIU, "/start")
    await h.send(XIAOLIU, "/wish 帮我去超市买米")
    assert h.fake.last_to(XIAOLIU.id).text == translate(
        h, "en", "I do not know your grid yet. Please send /wish or /ask once in your grid's "
        "group (or tap a button of mine there); after that you can also do it here.")

    await h.send(XIAOLIU, "/help", GRID_CHAT)  # now seen in the grid: it speaks Chinese
    await h.send(XIAOLIU, "/wish 帮我去超市买米")
    assert h.fake.last_to(XIAOLIU.id).text == translate(
        h, "zh_Hans", "Thank you! Your micro-wish #{id} is posted in your grid group. "
        "/mywishes shows how it is going.", id=1)
    assert "帮我去超市买米" in h.fake.last_to(GRID_CHAT).text
    wish = await wishes.get(h.db, 1)
    assert wish is not None and (wish.grid_id, wish.state) == (3, WishState.OPEN)

    await h.send(XIAOLIU, "/wish")  # no words: the form, for the grid
    form = h.fake.last_to(XIAOLIU.id)
    assert "第三网格" in form.text
    assert translate(h, "zh_Hans", "Elderly care") in labels(form)


async def test_with_two_grids_the_resident_chooses_with_buttons(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, "/bind grid 2 第四网格", SECOND_GRID_CHAT)
    await h.send(XIAOLIU, "/help", GRID_CHAT)
    await h.send(XIAOLIU, "/help", SECOND_GRID_CHAT)
    await h.send(XIAOLIU, "/start")
    await h.send(XIAOLIU, "/ask 下周几点停水？")
    choice = h.fake.last_to(XIAOLIU.id)
    assert choice.text == translate(h, "zh_Hans", "Which grid's social worker on duty should "
                                    "answer?")
    assert labels(choice) == ["第三网格", "第四网格", translate(h, "zh_Hans", "Cancel")]
    await h.press_text(XIAOLIU, choice, "第三网格")
    assert h.fake.last_to(XIAOLIU.id).text == translate(
        h, "zh_Hans", "Your question is with the social worker on duty. I will send you the "
        "answer here.")
    async with h.db.transaction() as session:
        [question] = (await session.exec(select(Question))).all()
    assert (question.resident_id, question.text) == (XIAOLIU.id, "下周几点停水？")


async def test_the_menu_and_the_groups_ask_button_lead_somewhere(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(XIAOLIU, "/help", GRID_CHAT)
    await h.send(XIAOLIU, "你好")
    menu = h.fake.last_to(XIAOLIU.id)
    await h.press_text(XIAOLIU, menu, translate(h, "zh_Hans", "📋 My wishes"))
    assert h.fake.last_to(XIAOLIU.id).text == translate(
        h, "zh_Hans", "You have no micro-wishes yet. Send /wish in your grid group to post one.")
    await h.send(XIAOLIU, h.start_link(Purpose.ASK, 3))  # the group help's ask button
    prompt = h.fake.last_to(XIAOLIU.id)
    assert labels(prompt) == [translate(h, "zh_Hans", "Cancel")]
    await h.send(XIAOLIU, "", sticker=STICKER)  # not words: asked again, nothing sent
    again = h.fake.last_to(XIAOLIU.id)
    assert again.text == translate(h, "zh_Hans", "Please answer the question above, or tap "
                                   "Cancel to stop.")
    assert labels(again) == [translate(h, "zh_Hans", "Cancel")]
    await h.send(XIAOLIU, "楼道灯坏了找谁？")
    assert h.fake.last_to(XIAOLIU.id).text == translate(
        h, "zh_Hans", "Your question is with the social worker on duty. I will send you the "
        "answer here.")


# --- point 9: languages ------------------------------------------------------------------------

async def test_a_private_chat_speaks_choice_then_chinese_then_grid_then_telegram(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    hello = ("Hello! I am GridLink, the helper of your community. What would you like to do? "
             "/help lists all my commands.")
    await h.send(STRANGER, "hi")  # no grid: Telegram's English
    assert h.fake.last_to(STRANGER.id).text == translate(h, "en", hello)
    await h.send(AUNT_HK, "hi", )  # Traditional Chinese app
    assert h.fake.last_to(AUNT_HK.id).text == translate(h, "zh_Hant", hello)
    await h.send(AUNT_HK, "/help", GRID_CHAT)  # a Simplified grid does not change that
    await h.send(AUNT_HK, "hi")
    assert h.fake.last_to(AUNT_HK.id).text == translate(h, "zh_Hant", hello)

    await choose_group_language(h, GRID_CHAT, "繁體中文")
    await h.send(XIAOLIU, "/help", GRID_CHAT)  # an English app in a Traditional grid
    await h.send(XIAOLIU, "hi")
    assert h.fake.last_to(XIAOLIU.id).text == translate(h, "zh_Hant", hello)
    await h.send(XIAOLIU, "/lang")
    await h.press_text(XIAOLIU, h.fake.last_to(XIAOLIU.id), "English")  # their choice wins
    await h.send(XIAOLIU, "hi")
    assert h.fake.last_to(XIAOLIU.id).text == translate(h, "en", hello)
    assert (await people.get(h.db, XIAOLIU.id)).locale == "en"


async def test_traditional_readers_get_a_traditional_menu_of_their_own(
        harness: Harness) -> None:
    h = harness
    await h.send(AUNT_HK, "/start")
    [menu] = [c for c in h.fake.sent("setMyCommands") if c.params.get("scope")]
    assert menu.params["scope"] == {"type": "chat", "chat_id": AUNT_HK.id}
    with speaking(h.app.i18n, "zh_Hant"):
        wanted = [c.description for c in private_commands()]
    assert [c["description"] for c in menu.params["commands"]] == wanted
    assert (await people.get(h.db, AUNT_HK.id)).menu_locale == "zh_Hant"
    h.fake.clear()
    await h.send(AUNT_HK, "你好")  # set once
    await h.send(STRANGER, "/start")  # the "en" menu is already English: nothing to set
    assert h.fake.sent("setMyCommands") == []


def test_traditional_chinese_says_zhigong_for_volunteer() -> None:
    """GLOSSARY: 志工 in zh_Hant, never 志願者 or 義工 in what the bot says."""
    with (ROOT / "locales/zh_Hant/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po)
    wrong = [m.id for m in catalog if m.id and any(w in str(m.string) for w in ("志願者", "義工"))]
    assert wrong == []
