"""/report end to end: the words and the chart in each language, privately when asked in a
grid's group, refused to whoever is not staff; the scheduled reports, once per period."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import matplotlib.image
import numpy as np

from bot.jobs import sweep_once
from storage import people, places
from storage.models import Role
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    NEIGHBOUR,
    RESIDENT,
    START,
    STREET_CHAT,
    VOLUNTEER,
    WORKER,
    Harness,
    set_up_grid,
    translate,
)
from tests.test_reports import _claimed_and_fulfilled, _wish


async def seed_weeks(h: Harness, weeks: int = 8) -> None:
    """Over the 8 weeks up to START's: the week n weeks before gets 8 - n wishes, of which
    the first half is claimed, fulfilled and rated solved a day later; ``weeks``: only the
    last ones."""
    grid = await places.by_chat(h.db, GRID_CHAT)
    assert grid is not None and grid.id is not None
    for weeks_ago in range(weeks):
        monday = START - timedelta(weeks=weeks_ago, days=2)  # START is a Wednesday
        for n in range(8 - weeks_ago):
            wish = await _wish(h.db, grid.id, monday + timedelta(minutes=n), f"帮忙{n}")
            if n < (8 - weeks_ago) // 2:
                at = monday + timedelta(minutes=n)
                await _claimed_and_fulfilled(h.db, wish, at + timedelta(hours=1),
                                             at + timedelta(hours=3), 5, at + timedelta(days=1))


def read_png(data: bytes) -> np.ndarray:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = matplotlib.image.imread(io.BytesIO(data), format="png")
    assert image.shape[0] > 300 and image.shape[1] > 600
    return image


async def test_a_report_in_each_language_with_its_chart(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await seed_weeks(h)
    for locale in ("zh_Hans", "zh_Hant", "en"):
        await people.set_locale(h.db, WORKER.id, locale)
        h.fake.clear()
        await h.send(WORKER, "/report 本周")  # privately: the community they serve
        photo = h.fake.sent("sendPhoto", WORKER.id)[-1]
        caption = str(photo.params["caption"])
        title = translate(h, locale, "Weekly report of {place}, {period}").split("{")[0]
        assert title.split(",")[0].split("，")[0] in caption
        assert "幸福社区" in caption
        submitted = translate(h, locale, "submitted")
        assert submitted in translate(h, locale, "Micro-wishes: submitted {submitted}, posted "
                                      "{posted}, claimed {claimed}, fulfilled {fulfilled}, "
                                      "confirmed {confirmed}, withdrawn {withdrawn}, rejected "
                                      "{rejected}")
        # This week: 8 submitted, 4 claimed (2 the week before: 7 and 3).
        for now, before in ((8, 7), (4, 3)):
            assert translate(h, locale, "{now} ({before})", now=now, before=before) in caption
        read_png(photo.upload("photo").data)


async def test_a_grid_group_gets_the_report_privately(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(WORKER, "/report month", GRID_CHAT)
    assert h.fake.sent("sendPhoto", WORKER.id)
    assert h.fake.last_to(GRID_CHAT).text == translate(
        h, "zh_Hans", "I sent you the report privately: figures for staff are not posted in "
        "this group.")
    assert not h.fake.sent("sendPhoto", GRID_CHAT)
    h.fake.unreachable.add(WORKER.id)  # blocked the bot
    await h.send(WORKER, "/report", GRID_CHAT)
    assert h.fake.last_to(GRID_CHAT).text == translate(
        h, "zh_Hans", "I could not send you the report privately: please start a private "
        "chat with me first, then ask again.")
    h.fake.unreachable.discard(WORKER.id)
    # A report of a place the chat is not above goes privately too.
    street = await places.by_chat(h.db, STREET_CHAT)
    assert street is not None
    await h.send(ADMIN, f"/report #{street.id}", COMMUNITY_CHAT)
    assert h.fake.sent("sendPhoto", ADMIN.id) and not h.fake.sent("sendPhoto", COMMUNITY_CHAT)
    await h.send(WORKER, "/report 上月", COMMUNITY_CHAT)
    assert "幸福社区月报，2026年10月" in str(
        h.fake.sent("sendPhoto", COMMUNITY_CHAT)[-1].params.get("caption"))
    await h.send(WORKER, "/report week #999")
    assert "There is no place #999" in h.fake.last_to(WORKER.id).text
    await h.send(WORKER, "/report 上周 没有这个地方")
    assert "There is no place called “没有这个地方”" in h.fake.last_to(WORKER.id).text

    assert street.id is not None
    await people.grant(h.db, person_id=WORKER.id, place_id=street.id, role=Role.CADRE,
                       by=ADMIN.id, now=h.clock.now())
    await h.send(WORKER, "/report last month")
    assert h.fake.last_to(WORKER.id).text == translate(
        h, "en", "Which place? Please add its number: {places}.",
        places=f"#{street.id} 阳光街道, #{street.id + 1} 幸福社区")
    await h.send(WORKER, f"/report last month #{street.id}")
    assert "Monthly report of 阳光街道, October 2026" in str(
        h.fake.sent("sendPhoto", WORKER.id)[-1].params.get("caption"))


async def test_whoever_is_not_staff_is_refused(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    community = await places.by_chat(h.db, COMMUNITY_CHAT)
    assert community is not None and community.id is not None
    refusal = translate(h, "zh_Hans", "Only the staff of a place (admins, social workers and "
                        "cadres) can see its reports.")
    for who in (RESIDENT, VOLUNTEER):
        await h.send(who, "/report", COMMUNITY_CHAT)
        assert refusal in h.fake.last_to(COMMUNITY_CHAT).text
    await h.send(NEIGHBOUR, "/start")
    for role in (Role.ORG_REP, Role.VOLUNTEER_REP, Role.VOLUNTEER):
        await people.grant(h.db, person_id=NEIGHBOUR.id, place_id=community.id, role=role,
                           by=WORKER.id, now=h.clock.now())
        await h.send(NEIGHBOUR, "/report month", COMMUNITY_CHAT)
        assert refusal in h.fake.last_to(COMMUNITY_CHAT).text
        await h.send(NEIGHBOUR, f"/report month #{community.id}")
        assert refusal in h.fake.last_to(NEIGHBOUR.id).text
    assert not h.fake.sent("sendPhoto")


async def sweep_at(h: Harness, moment: datetime) -> None:
    h.clock.advance(moment - h.clock.now())
    await sweep_once(h.app.messenger)
    await h.app.sender.drain()


def captions(h: Harness, chat_id: int) -> list[str]:
    return [str(call.params.get("caption")) for call in h.fake.sent("sendPhoto", chat_id)]


async def test_scheduled_reports_are_posted_once_per_period(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await seed_weeks(h, weeks=2)
    await sweep_at(h, datetime(2026, 11, 30, 0, 59, tzinfo=UTC))  # Monday 08:59 in Shanghai
    assert not h.fake.sent("sendPhoto")
    await sweep_at(h, datetime(2026, 11, 30, 1, 0, tzinfo=UTC))  # 09:00
    await sweep_at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    [weekly] = captions(h, COMMUNITY_CHAT)
    assert weekly.startswith("📊 <b>幸福社区周报，11月23日–11月29日</b>")
    assert "提交8（7）" in weekly
    assert not h.fake.sent("sendPhoto", STREET_CHAT)
    read_png(h.fake.sent("sendPhoto", COMMUNITY_CHAT)[-1].upload("photo").data)

    await h.send(ADMIN, "/set 报告时间 关", COMMUNITY_CHAT)
    await h.send(ADMIN, "/set weekly_report_day 2", STREET_CHAT)
    await sweep_at(h, datetime(2026, 12, 1, 1, 0, tzinfo=UTC))  # Tuesday 1 December, 09:00
    [monthly] = captions(h, STREET_CHAT)
    assert monthly.startswith("📊 <b>阳光街道月报，2026年11月</b>")
    assert "括号内为上月数据。" in monthly
    assert len(captions(h, COMMUNITY_CHAT)) == 1, "the community switched its reports off"
    await sweep_at(h, datetime(2026, 12, 3, 1, 0, tzinfo=UTC))
    await sweep_at(h, datetime(2026, 12, 8, 1, 0, tzinfo=UTC))
    assert (len(captions(h, STREET_CHAT)), len(captions(h, COMMUNITY_CHAT))) == (1, 1)
