"""The words people type after a command, in both Chinese scripts and in English."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot import words_zh
from storage.settings import SETTING_NAMES

WEDNESDAY = date(2026, 11, 25)


@pytest.mark.parametrize(("typed", "on"), [
    ("on", True), ("开", True), ("開", True), ("开启", True), ("開啟", True), ("打开", True),
    ("ＯＮ", True), ("off", False), ("关", False), ("關", False), ("关闭", False),
    ("關閉", False), ("停用", False), ("也许", None), ("", None),
])
def test_on_and_off(typed: str, on: bool | None) -> None:
    assert words_zh.switch(typed) is on


@pytest.mark.parametrize(("typed", "value"), [
    ("12", 12), ("１２", 12), ("五", 5), ("十", 10), ("十二", 12), ("二十五", 25), ("两", 2),
    ("一百零八", 108), ("一百二", 120), ("一二", None), ("十十", None), ("abc", None),
])
def test_numbers_in_digits_and_numerals(typed: str, value: int | None) -> None:
    assert words_zh.number(typed) == value


@pytest.mark.parametrize(("typed", "days"), [
    ("3", [2]), ("周一", [0]), ("週日", [6]), ("星期天", [6]), ("礼拜三", [2]), ("禮拜六", [5]),
    ("Fri", [4]), ("sunday", [6]), ("1-5", [0, 1, 2, 3, 4]), ("１－５", [0, 1, 2, 3, 4]),
    ("周一至周五", [0, 1, 2, 3, 4]), ("周一至五", [0, 1, 2, 3, 4]), ("週一到週三", [0, 1, 2]),
    ("周五到周一", [0, 4, 5, 6]), ("1,3,5", [0, 2, 4]), ("周一、周三", [0, 2]),
    ("工作日", [0, 1, 2, 3, 4]), ("周末", [5, 6]), ("週末", [5, 6]), ("每天", list(range(7))),
    ("8", None), ("周八", None), ("七", None), ("周一至周八", None), ("A", None),
])
def test_weekdays_ranges_and_groups(typed: str, days: list[int] | None) -> None:
    assert words_zh.weekdays(typed) == days


@pytest.mark.parametrize(("typed", "post"), [
    ("A", "A"), ("a", "A"), ("Ａ", "A"), ("A岗", "A"), ("主岗", "A"), ("B", "B"), ("備崗", "B"),
    ("备岗", "B"), ("C", None),
])
def test_posts(typed: str, post: str | None) -> None:
    assert words_zh.post(typed) == post


@pytest.mark.parametrize(("typed", "ahead", "behind"), [
    ("2026-12-01", date(2026, 12, 1), date(2026, 12, 1)),
    ("２０２６－１２－０１", date(2026, 12, 1), date(2026, 12, 1)),
    ("2026年12月1日", date(2026, 12, 1), date(2026, 12, 1)),
    ("12月1号", date(2026, 12, 1), date(2025, 12, 1)),
    ("11/20", date(2027, 11, 20), date(2026, 11, 20)),
    ("今天", WEDNESDAY, WEDNESDAY), ("明天", date(2026, 11, 26), date(2026, 11, 26)),
    ("昨天", date(2026, 11, 24), date(2026, 11, 24)),
    ("周五", date(2026, 11, 27), date(2026, 11, 20)), ("周三", WEDNESDAY, WEDNESDAY),
    ("下周一", date(2026, 11, 30), date(2026, 11, 30)),
    ("下星期五", date(2026, 12, 4), date(2026, 12, 4)),
    ("2026-02-30", None, None), ("3", None, None), ("下周", None, None),
])
def test_days_as_people_write_them(typed: str, ahead: date | None, behind: date | None) -> None:
    assert words_zh.day(typed, WEDNESDAY) == ahead
    assert words_zh.day(typed, WEDNESDAY, ahead=False) == behind


@pytest.mark.parametrize(("typed", "at"), [
    ("19:00", time(19)), ("１９：３０", time(19, 30)), ("7:30pm", time(19, 30)),
    ("19点", time(19)), ("晚上7点半", time(19, 30)), ("下午三点十五", time(15, 15)),
    ("15時30分", time(15, 30)), ("上午9点", time(9)), ("中午1点", time(13)),
    ("7点整", time(7)), ("25:00", None), ("明天", None), ("七点八点", None),
])
def test_times_of_day(typed: str, at: time | None) -> None:
    assert words_zh.clock(typed) == at


@pytest.mark.parametrize(("typed", "minutes"), [
    ("90", 90), ("90分钟", 90), ("90分鐘", 90), ("1.5小时", 90), ("两小时", 120),
    ("一个半小时", 90), ("一個半小時", 90), ("半小时", 30), ("1小时30分", 90), ("2h", 120),
    ("两个钟头", 120), ("abc", None), ("", None),
])
def test_lengths(typed: str, minutes: int | None) -> None:
    assert words_zh.length_minutes(typed) == minutes


@pytest.mark.parametrize(("typed", "unit", "value"), [
    ("48", "hours", 48), ("48小时", "hours", 48), ("两天", "hours", 48), ("3天", "count", None),
    ("15分钟", "minutes", 15), ("1小时", "minutes", 60), ("3次", "count", 3),
])
def test_setting_numbers_with_their_units(typed: str, unit: str, value: int | None) -> None:
    assert words_zh.count(typed, unit) == value


def test_every_setting_has_a_name_in_each_script_and_no_name_is_shared() -> None:
    """A setting added to storage.settings needs its Chinese names in
    bot.words_zh.SETTING_WORDS, where /set reads them and /settings shows them."""
    assert set(SETTING_NAMES) <= set(words_zh.SETTING_WORDS)
    names = [(name, form) for name, forms in words_zh.SETTING_WORDS.items()
             for form in {*forms.hans, *forms.hant}]
    assert len({form for _name, form in names}) == len(names), "a name for two settings"
    for name in SETTING_NAMES:
        assert words_zh.setting(words_zh.setting_name(name, "zh_Hans"), SETTING_NAMES) == name
        assert words_zh.setting(words_zh.setting_name(name, "zh_Hant"), SETTING_NAMES) == name
        assert words_zh.setting_name(name, "en") == name


@pytest.mark.parametrize(("typed", "quiet"), [
    ("22:00-07:00", "22:00-07:00"), ("晚上10点至早上7点", "22:00-07:00"),
    ("22点到7点", "22:00-07:00"), ("关", "off"), ("晚上十点", None),
])
def test_quiet_hours(typed: str, quiet: str | None) -> None:
    assert words_zh.quiet_hours(typed) == quiet


def test_each_command_keyword_means_one_thing() -> None:
    for table in (words_zh.MINUTES, words_zh.AGENDA, words_zh.SERIES_CHANGES,
                  words_zh.RISK_WORDS, words_zh.MEETING_RULES, words_zh.SWITCH,
                  words_zh.POSTS):
        forms = [form for found in table.values() for form in found]
        assert len(forms) == len(set(forms)), table
        for canonical in table:
            assert words_zh.keyword(canonical, table) == canonical
    assert words_zh.keyword("請假", words_zh.MINUTES) == "excused"
    assert words_zh.keyword("决议", words_zh.MINUTES) == "decide"


@pytest.mark.parametrize(("typed", "nth"), [
    ("1", 1), ("第一个", 1), ("第2個", 2), ("最后", -1), ("最後一個", -1), ("last", -1),
    ("5", None), ("第五个", None),
])
def test_which_weekday_of_the_month(typed: str, nth: int | None) -> None:
    assert words_zh.nth_in_month(typed) == nth
