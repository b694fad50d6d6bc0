"""The words people type after a command, in English and in Chinese, simplified and
traditional: on and off, weekdays and ranges of them, posts, days, times, lengths, and the
keywords of each command (``/minutes 1 出席 @someone``).

Every table of such words is here, so that a command never knows only its English keyword.
Each table maps a canonical word (the English keyword the code uses) to every form that means
it. What is typed is read with ``storage.words.plain`` first (full-width letters, digits and
punctuation as their plain forms) and compared in lower case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta

from storage.models import PlaceKind, Role
from storage.words import plain


def word(typed: str) -> str:
    """What was typed, as the tables hold it: plain forms, no spaces around, lower case."""
    return plain(typed).strip().lower()


def keyword(typed: str, table: Mapping[str, Iterable[str]]) -> str | None:
    """The canonical keyword ``typed`` is a form of, or None."""
    typed = word(typed)
    return next((canonical for canonical, forms in table.items()
                 if typed == canonical or typed in forms), None)


# --- on and off -------------------------------------------------------------------------------

SWITCH: dict[str, frozenset[str]] = {
    "on": frozenset({"on", "yes", "true", "1", "开", "開", "开启", "開啟", "打开", "打開",
                     "启用", "啟用", "是", "要", "好"}),
    "off": frozenset({"off", "no", "false", "0", "关", "關", "关闭", "關閉", "关掉", "關掉",
                      "停用", "否", "不", "不要", "无", "無"}),
}


def switch(typed: str) -> bool | None:
    """On (True), off (False), or neither (None)."""
    found = keyword(typed, SWITCH)
    return None if found is None else found == "on"


# --- numbers ----------------------------------------------------------------------------------

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100}


def number(typed: str) -> int | None:
    """A whole number written in digits or in Chinese numerals below 1,000 ("十二", "二十五",
    "一百零八", "一百二"), or None."""
    text = word(typed)
    if text.isascii() and text.isdecimal():
        return int(text)
    if not text or any(c not in _DIGITS and c not in _UNITS for c in text):
        return None
    if len(text) == 1 and text in _DIGITS:
        return _DIGITS[text]
    total, current, last_unit, zero = 0, None, None, False
    for char in text:
        if char in "零〇" and last_unit is not None:
            zero = True
        elif char in _DIGITS:
            if current is not None:
                return None  # "一二" is no numeral
            current = _DIGITS[char]
        else:
            unit = _UNITS[char]
            if last_unit is not None and unit >= last_unit:
                return None
            total += (1 if current is None else current) * unit
            current, last_unit = None, unit
    if current is not None:  # "一百二" is 120, "一百零二" 102
        total += current * (last_unit // 10 if last_unit and last_unit > 10 and not zero else 1)
    return total


# --- weekdays ---------------------------------------------------------------------------------

_WEEK_PREFIXES = ("周", "週", "星期", "礼拜", "禮拜")
_WEEK_SUFFIXES = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
                  "七": 6, "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_ENGLISH_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ENGLISH_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

WEEKDAY_GROUPS: dict[str, tuple[int, ...]] = {
    "workdays": (0, 1, 2, 3, 4),
    "weekend": (5, 6),
    "daily": (0, 1, 2, 3, 4, 5, 6),
}
WEEKDAY_GROUP_WORDS: dict[str, frozenset[str]] = {
    "workdays": frozenset({"工作日", "平日", "周一至周五", "週一至週五", "weekdays", "workday",
                           "mon-fri"}),
    "weekend": frozenset({"周末", "週末", "双休日", "雙休日", "weekends"}),
    "daily": frozenset({"每天", "每日", "天天", "全周", "全週", "every day", "everyday", "all"}),
}
_RANGE = re.compile(r"^(.+?)\s*(?:-|–|—|~|～|至|到)\s*(.+)$")
_LIST = re.compile(r"\s*[,，、/+]\s*")


def weekday(typed: str) -> int | None:
    """0 (Monday) to 6 (Sunday) from "1"…"7", "周一", "週日", "星期天", "礼拜三", "Mon",
    "friday"; None otherwise."""
    text = word(typed)
    if text in _WEEK_SUFFIXES and text.isdecimal():
        return _WEEK_SUFFIXES[text]
    for prefix in _WEEK_PREFIXES:
        if text.startswith(prefix) and text[len(prefix):] in _WEEK_SUFFIXES:
            return _WEEK_SUFFIXES[text[len(prefix):]]
    if text in _ENGLISH_DAYS:
        return _ENGLISH_DAYS.index(text)
    return _ENGLISH_FULL.index(text) if text in _ENGLISH_FULL else None


def weekdays(typed: str) -> list[int] | None:
    """Several weekdays in order: one ("周一", "3"), a range ("1-5", "周一至周五", "周五到周一"
    goes round the weekend), a list ("1,3,5", "周一、周三"), or a group ("工作日", "周末",
    "每天"); None when any part is not a weekday."""
    text = word(typed)
    group = keyword(text, WEEKDAY_GROUP_WORDS)
    if group is not None:
        return list(WEEKDAY_GROUPS[group])
    days: list[int] = []
    for part in _LIST.split(text):
        found = _weekday_part(part)
        if found is None:
            return None
        days += [day for day in found if day not in days]
    return sorted(days) if days else None


def _weekday_part(part: str) -> list[int] | None:
    single = weekday(part)
    if single is not None:
        return [single]
    group = keyword(part, WEEKDAY_GROUP_WORDS)
    if group is not None:
        return list(WEEKDAY_GROUPS[group])
    ranged = _RANGE.match(part)
    if ranged is None:
        return None
    first, last = weekday(ranged.group(1)), weekday(ranged.group(2))
    if first is None or last is None:
        # "周一至五": the second day keeps the first one's prefix
        prefix = next((p for p in _WEEK_PREFIXES if ranged.group(1).startswith(p)), "")
        last = weekday(prefix + ranged.group(2)) if first is not None and prefix else None
        if first is None or last is None:
            return None
    return [(first + step) % 7 for step in range((last - first) % 7 + 1)]


# --- the duty roster --------------------------------------------------------------------------

POSTS: dict[str, frozenset[str]] = {
    "A": frozenset({"a", "a岗", "a崗", "主岗", "主崗", "甲", "甲岗", "甲崗"}),
    "B": frozenset({"b", "b岗", "b崗", "备岗", "備崗", "备", "備", "乙", "乙岗", "乙崗"}),
}
CLEAR: frozenset[str] = frozenset({"-", "—", "–", "无", "無", "空", "清空", "清除", "none",
                                   "nobody", "clear"})


def post(typed: str) -> str | None:
    """"A" or "B" from "A", "a岗", "主岗", "备岗"…; None otherwise."""
    return keyword(typed, POSTS)


def clears(typed: str) -> bool:
    """Whether the word asks for a post to be left empty ("-", "无", "清空")."""
    return word(typed) in CLEAR


# --- days -------------------------------------------------------------------------------------

_RELATIVE_DAYS: dict[str, int] = {
    "今天": 0, "今日": 0, "today": 0, "明天": 1, "明日": 1, "tomorrow": 1, "后天": 2, "後天": 2,
    "昨天": -1, "昨日": -1, "yesterday": -1, "前天": -2,
}
_FULL_DATE = re.compile(r"^(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})"
                        r"\s*(?:日|号|號)?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})\s*(?:日|号|號)?$")
_NEXT_WEEK = ("下周", "下週", "下星期", "下礼拜", "下禮拜", "next ")
_THIS_WEEK = ("本周", "本週", "这周", "這週", "这星期", "這星期", "this ")


def day(typed: str, today: date, *, ahead: bool = True) -> date | None:
    """A day typed as "2026-11-25", "2026年11月25日", "11月25日", "11/25", "今天", "明天",
    "周五", "下周一"… A day without its year, or a weekday alone, is the next such day from
    ``today`` (``ahead``) or the last one up to ``today`` (not ``ahead``)."""
    text = word(typed)
    if text in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[text])
    full = _FULL_DATE.match(text)
    if full is not None:
        return _date(int(full.group(1)), int(full.group(2)), int(full.group(3)))
    month_day = _MONTH_DAY.match(text)
    if month_day is not None:
        return _without_year(int(month_day.group(1)), int(month_day.group(2)), today, ahead)
    return _weekday_day(text, today, ahead)


def _date(year: int, month: int, day_of_month: int) -> date | None:
    try:
        return date(year, month, day_of_month)
    except ValueError:
        return None


def _without_year(month: int, day_of_month: int, today: date, ahead: bool) -> date | None:
    for year in ((today.year, today.year + 1) if ahead else (today.year, today.year - 1)):
        found = _date(year, month, day_of_month)
        if found is not None and (found >= today if ahead else found <= today):
            return found
    return None


def _weekday_day(text: str, today: date, ahead: bool) -> date | None:
    for prefixes, weeks in ((_NEXT_WEEK, 1), (_THIS_WEEK, 0)):
        prefix = next((p for p in prefixes if text.startswith(p)), None)
        if prefix is not None:
            rest = text[len(prefix):].strip()
            found = weekday(rest) if not rest.isdecimal() else None
            found = weekday("周" + rest) if found is None else found
            if found is None:
                return None
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
            return monday + timedelta(days=found)
    found = weekday(text)
    if found is None or text.isdecimal():  # "3" alone is no day
        return None
    if ahead:
        return today + timedelta(days=(found - today.weekday()) % 7)
    return today - timedelta(days=(today.weekday() - found) % 7)


_YEAR = re.compile(r"^((?:19|20)\d{2})\s*年?$")
_YEAR_MONTH = re.compile(r"^((?:19|20)\d{2})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:月|月份)?$")
_MONTH_ALONE = re.compile(r"^(\d{1,2})\s*(?:月|月份)$")
_DATE_LIKE = re.compile(r"^\d[\d\s\-/.年月日号號份]*$")
_RELATIVE_MONTHS: dict[str, int] = {
    "本月": 0, "这个月": 0, "這個月": 0, "this month": 0,
    "上月": -1, "上个月": -1, "上個月": -1, "last month": -1,
}
_RELATIVE_YEARS: dict[str, int] = {"今年": 0, "this year": 0, "去年": -1, "last year": -1}


def span(typed: str, today: date) -> tuple[date, date] | None:
    """The first and last day of what was typed: a day (as ``day`` reads it, looking back), a
    month ("2026-11", "2026年11月", "11月", "上个月") or a year ("2026", "2026年", "去年"). A
    month without its year is the last such month up to ``today``."""
    text = word(typed)
    if text in _RELATIVE_MONTHS:
        return _month_span(_months_after(today.replace(day=1), _RELATIVE_MONTHS[text]))
    if text in _RELATIVE_YEARS:
        year = today.year + _RELATIVE_YEARS[text]
        return date(year, 1, 1), date(year, 12, 31)
    if (found := _YEAR.match(text)) is not None:
        year = int(found.group(1))
        return date(year, 1, 1), date(year, 12, 31)
    if (found := _YEAR_MONTH.match(text)) is not None:
        first = _date(int(found.group(1)), int(found.group(2)), 1)
        return None if first is None else _month_span(first)
    if (found := _MONTH_ALONE.match(text)) is not None:
        first = _date(today.year, int(found.group(1)), 1)
        if first is not None and first > today:
            first = first.replace(year=today.year - 1)
        return None if first is None else _month_span(first)
    one = day(typed, today, ahead=False)
    return None if one is None else (one, one)


def date_like(typed: str) -> bool:
    """Whether ``typed`` is written as a date, existing or not ("2026-02-30")."""
    return _DATE_LIKE.match(word(typed)) is not None and not word(typed).isdecimal()


def _months_after(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_span(first: date) -> tuple[date, date]:
    return first, _months_after(first, 1) - timedelta(days=1)


# --- times of day and lengths -----------------------------------------------------------------

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_CHINESE_CLOCK = re.compile(r"^(.*?)([零〇一二两兩三四五六七八九十\d]+)\s*(?:点|點|时|時)"
                            r"(?:(半)|整|([零〇一二两兩三四五六七八九十\d]+)\s*(?:分)?)?$")
_ENGLISH_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)$")
_MORNING = ("上午", "早上", "早晨", "凌晨", "清晨", "早")
_NOON = ("中午",)
_AFTERNOON = ("下午", "晚上", "傍晚", "夜里", "夜裡", "夜间", "夜間", "晚")


def clock(typed: str) -> time | None:
    """A time of day: "19:00", "7:30pm", "19点", "晚上7点半", "下午三点十五", "15時30分"."""
    text = word(typed).replace(" ", "")
    plain_clock = _CLOCK.match(text)
    if plain_clock is not None:
        return _time(int(plain_clock.group(1)), int(plain_clock.group(2)))
    english = _ENGLISH_CLOCK.match(text)
    if english is not None:
        hour = int(english.group(1))
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if english.group(3) == "pm" else 0)
        return _time(hour, int(english.group(2) or 0))
    chinese = _CHINESE_CLOCK.match(text)
    if chinese is None:
        return None
    period, hour = chinese.group(1), number(chinese.group(2))
    minute = 30 if chinese.group(3) else number(chinese.group(4)) if chinese.group(4) else 0
    if hour is None or minute is None:
        return None
    if (period in _AFTERNOON and 1 <= hour < 12) or (period in _NOON and hour < 6):
        hour += 12
    elif period and period not in _MORNING + _NOON + _AFTERNOON:
        return None
    return _time(hour, minute)


def _time(hour: int, minute: int) -> time | None:
    return time(hour, minute) if 0 <= hour <= 23 and 0 <= minute <= 59 else None


_NUMERAL = "[\\d零〇一二两兩三四五六七八九十百]+"
_HOURS_LENGTH = re.compile(
    rf"^(?P<hours>[\d.]+|{_NUMERAL})(?:个|個)?(?P<half>半)?(?:h|hr|hrs|hours?|小时|小時|钟头|鐘頭)"
    rf"(?P<half_after>半)?(?P<rest>.*)$")
_MINUTES_LENGTH = re.compile(rf"^(?P<minutes>{_NUMERAL})(?:m|min|mins|minutes?|分钟|分鐘|分)?$")


def length_minutes(typed: str) -> int | None:
    """A length in minutes: "90", "90分钟", "1.5小时", "两小时", "一个半小时", "半小时",
    "1小时30分", "2h"; a bare number counts minutes. None when it is none of these."""
    text = word(typed).replace(" ", "")
    if text in {"半小时", "半小時", "半个小时", "半個小時", "半个钟头", "半個鐘頭"}:
        return 30
    hours = _HOURS_LENGTH.match(text)
    if hours is None:
        minutes = _MINUTES_LENGTH.match(text)
        return number(minutes.group("minutes")) if minutes else None
    whole = _decimal(hours.group("hours"))
    rest = _MINUTES_LENGTH.match(hours.group("rest")) if hours.group("rest") else None
    extra = number(rest.group("minutes")) if rest else 0
    if whole is None or extra is None or (hours.group("rest") and rest is None):
        return None
    half = 30 if hours.group("half") or hours.group("half_after") else 0
    return round(whole * 60) + half + extra


def _decimal(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        whole = number(text)
        return None if whole is None else float(whole)


_UNIT_FACTORS: dict[str, tuple[tuple[tuple[str, ...], int], ...]] = {
    "hours": ((("天", "日", "days", "day", "d"), 24),
              (("个小时", "個小時", "小时", "小時", "hours", "hour", "h"), 1)),
    "minutes": ((("个小时", "個小時", "小时", "小時", "hours", "hour", "h"), 60),
                (("分钟", "分鐘", "分", "minutes", "min"), 1)),
    "days": ((("天", "日", "days", "day", "d"), 1),),
    "count": ((("次", "条", "條", "个", "個", "件"), 1),),
}


def count(typed: str, unit: str = "count") -> int | None:
    """A whole number for a setting, with a unit when one was typed: "48", "48小时", "两天"
    (48, in ``hours``), "15分钟" (in ``minutes``), "3次"."""
    text = word(typed).replace(" ", "")
    for endings, factor in _UNIT_FACTORS.get(unit, ()):
        ending = next((e for e in endings if text.endswith(e)), None)
        if ending is not None:
            value = number(text[:-len(ending)])
            return None if value is None else value * factor
    return number(text)


# --- settings (/set) --------------------------------------------------------------------------

@dataclass(frozen=True)
class SettingWords:
    """The names of a setting: in simplified and in traditional Chinese, the first of each
    shown by /settings."""

    hans: tuple[str, ...]
    hant: tuple[str, ...]


SETTING_WORDS: dict[str, SettingWords] = {
    "verify": SettingWords(("审核", "审核心愿"), ("審核", "審核心願")),
    "grid_deadline_hours": SettingWords(("网格时限",), ("網格時限",)),
    "community_deadline_hours": SettingWords(("社区时限",), ("社區時限",)),
    "confirm_timeout_hours": SettingWords(("确认时限",), ("確認時限",)),
    "claim_reminder_hours": SettingWords(("认领提醒",), ("認領提醒",)),
    "claim_release_hours": SettingWords(("认领时限", "释放时限"), ("認領時限", "釋放時限")),
    "page_ack_minutes": SettingWords(("收到时限",), ("收到時限",)),
    "duty_reminder_time": SettingWords(("早间提醒", "值班提醒时间"), ("早間提醒", "值班提醒時間")),
    "quiet_hours": SettingWords(("免打扰", "免打扰时段"), ("勿擾時段", "勿擾", "免打擾")),
    "working_days": SettingWords(("工作日", "按工作日"), ("工作日", "按工作日")),
    "volunteer_pings_per_day": SettingWords(("推送次数", "每日推送"), ("推送次數", "每日推送")),
    "person_wishes_per_hour": SettingWords(("每人心愿数",), ("每人心願數",)),
    "group_wishes_per_hour": SettingWords(("群心愿数",), ("群組心願數", "群心願數")),
    "person_questions_per_hour": SettingWords(("每人咨询数",), ("每人諮詢數",)),
    "same_text_minutes": SettingWords(("重复间隔",), ("重複間隔",)),
    "greet_new_members": SettingWords(("欢迎新成员", "欢迎"), ("歡迎新成員", "歡迎")),
    "report_time": SettingWords(("报告时间", "定时报告"), ("報告時間", "定時報告")),
    "weekly_report_day": SettingWords(("周报日",), ("週報日", "周報日")),
}


def setting(typed: str, names: Iterable[str]) -> str | None:
    """The setting among ``names`` that ``typed`` names, by its code name or a Chinese one."""
    text = word(typed)
    for name in names:
        forms = SETTING_WORDS.get(name)
        if text == name or (forms is not None and text in {*forms.hans, *forms.hant}):
            return name
    return None


def setting_name(name: str, locale: str) -> str:
    """What /settings calls a setting in ``locale``: its first Chinese name, or its code."""
    forms = SETTING_WORDS.get(name)
    if forms is None or locale == "en":
        return name
    return (forms.hant if locale == "zh_Hant" else forms.hans)[0]


def quiet_hours(typed: str) -> str | None:
    """Quiet hours as the setting holds them ("22:00-07:00", "off") from "22:00-07:00",
    "晚上10点至早上7点", "关"…"""
    if switch(typed) is False:
        return "off"
    found = _RANGE.match(word(typed))
    start = clock(found.group(1)) if found else None
    end = clock(found.group(2)) if found else None
    if start is None or end is None:
        return None
    return f"{start:%H:%M}-{end:%H:%M}"


# --- roles and places -------------------------------------------------------------------------

ROLE_WORDS: dict[str, Role] = {
    "admin": Role.ADMIN, "管理员": Role.ADMIN, "管理員": Role.ADMIN,
    "social_worker": Role.SOCIAL_WORKER, "socialworker": Role.SOCIAL_WORKER,
    "sw": Role.SOCIAL_WORKER, "社工": Role.SOCIAL_WORKER, "网格员": Role.SOCIAL_WORKER,
    "網格員": Role.SOCIAL_WORKER, "社会工作者": Role.SOCIAL_WORKER,
    "社會工作者": Role.SOCIAL_WORKER,
    "cadre": Role.CADRE, "干部": Role.CADRE, "社区干部": Role.CADRE, "幹部": Role.CADRE,
    "社區幹部": Role.CADRE, "政工": Role.CADRE,
    "org_rep": Role.ORG_REP, "org": Role.ORG_REP, "社会组织代表": Role.ORG_REP,
    "社會組織代表": Role.ORG_REP,
    "volunteer": Role.VOLUNTEER, "志愿者": Role.VOLUNTEER, "志願者": Role.VOLUNTEER,
    "志工": Role.VOLUNTEER, "义工": Role.VOLUNTEER, "義工": Role.VOLUNTEER,
    "volunteer_rep": Role.VOLUNTEER_REP, "志愿者代表": Role.VOLUNTEER_REP,
    "志願者代表": Role.VOLUNTEER_REP, "志工代表": Role.VOLUNTEER_REP,
    "义工代表": Role.VOLUNTEER_REP, "義工代表": Role.VOLUNTEER_REP,
}

KIND_WORDS: dict[str, PlaceKind] = {
    "street": PlaceKind.STREET, "街道": PlaceKind.STREET, "街道办": PlaceKind.STREET,
    "街道辦": PlaceKind.STREET,
    "community": PlaceKind.COMMUNITY, "社区": PlaceKind.COMMUNITY, "社區": PlaceKind.COMMUNITY,
    "grid": PlaceKind.GRID, "网格": PlaceKind.GRID, "網格": PlaceKind.GRID,
}


def role(typed: str) -> Role | None:
    return ROLE_WORDS.get(word(typed))


def place_kind(typed: str) -> PlaceKind | None:
    return KIND_WORDS.get(word(typed))


# --- the keywords of each command -------------------------------------------------------------

MINUTES: dict[str, frozenset[str]] = {
    "present": frozenset({"出席", "到会", "到會", "参加", "參加", "在场", "在場"}),
    "absent": frozenset({"缺席", "未到", "没来", "沒來"}),
    "excused": frozenset({"请假", "請假", "excuse"}),
    "note": frozenset({"记录", "記錄", "纪要", "紀要", "notes"}),
    "decide": frozenset({"决定", "決定", "决议", "決議", "decision"}),
    "action": frozenset({"事项", "事項", "督办", "督辦", "待办", "待辦", "督办事项", "督辦事項",
                         "待辦事項"}),
    "send": frozenset({"发送", "發送", "发出", "發出", "发", "發"}),
}

AGENDA: dict[str, frozenset[str]] = {
    "order": frozenset({"排序", "顺序", "順序"}),
    "decline": frozenset({"不采纳", "不採納", "驳回", "駁回", "拒绝", "拒絕"}),
    "merge": frozenset({"合并", "合併"}),
    "confirm": frozenset({"确认", "確認", "定稿"}),
}

# /matter's words: a new matter, one from a micro-wish or a micro-venture proposal.
MATTER: dict[str, frozenset[str]] = {
    "new": frozenset({"新", "新建", "发起", "發起", "议题", "議題"}),
    "wish": frozenset({"心愿", "心願", "微心愿", "微心願"}),
    "proposal": frozenset({"项目", "項目", "提案", "申报", "申報"}),
}

SERIES_CHANGES: dict[str, frozenset[str]] = {
    "where": frozenset({"地点", "地點", "地址", "会场", "會場"}),
    "add": frozenset({"添加", "加入", "增加", "加"}),
    "remove": frozenset({"移除", "删除", "刪除", "去掉"}),
    "roles": frozenset({"角色", "成员角色", "成員角色"}),
    "topics": frozenset({"征集", "徵集", "议题", "議題"}),
    "cutoff": frozenset({"截止",}),
    "notice": frozenset({"通知",}),
    "reminder": frozenset({"提醒",}),
    "pause": frozenset({"暂停", "暫停"}),
    "resume": frozenset({"恢复", "恢復", "继续", "繼續"}),
    "end": frozenset({"结束", "結束", "停止"}),
    "skip": frozenset({"跳过", "跳過", "停开", "停開", "取消"}),
    "move": frozenset({"改期", "调整", "調整", "移到", "挪到"}),
}

RISK_WORDS: dict[str, frozenset[str]] = {
    "add": frozenset({"添加", "加", "增加", "新增", "加入"}),
    "remove": frozenset({"删除", "刪除", "移除", "去掉", "删", "刪"}),
}

EXPORTS: dict[str, frozenset[str]] = {
    "wishes": frozenset({"心愿", "心願", "微心愿", "微心願", "wish"}),
    "hours": frozenset({"时长", "時長", "服务时长", "服務時長", "工时", "工時", "志愿时长",
                        "志願時長", "志工時數", "時數"}),
    "meetings": frozenset({"会议", "會議", "联席会议", "聯席會議", "出席", "meeting"}),
    "actions": frozenset({"事项", "事項", "督办", "督辦", "督办事项", "督辦事項", "action"}),
    "audit": frozenset({"日志", "日誌", "审计", "審計", "操作日志", "操作日誌", "log"}),
    "evaluation": frozenset({"考评", "考評", "考核", "evaluations"}),
    "projects": frozenset({"项目", "項目", "微创投", "微創投", "微创投项目", "微創投項目",
                          "project"}),
}
FILE_FORMATS: dict[str, frozenset[str]] = {
    "xlsx": frozenset({"excel", "表格", "工作簿", "xls"}),
    "csv": frozenset(),
}

MEETING_RULES: dict[str, frozenset[str]] = {
    "weekly": frozenset({"每周", "每週", "每星期", "每礼拜", "每禮拜", "周", "週", "week"}),
    "monthly": frozenset({"每月", "每个月", "每個月", "月", "month"}),
}
_LAST = frozenset({"last", "末", "最后", "最後", "最后一个", "最後一個", "最末"})
_NTH = re.compile(r"^(?:第)?([一二三四1234])(?:个|個)?$")


def nth_in_month(typed: str) -> int | None:
    """1 to 4, or -1 for the last, from "1", "第一个", "第2個", "最后", "last"."""
    text = word(typed)
    if text in _LAST:
        return -1
    found = _NTH.match(text)
    return None if found is None else number(found.group(1))


# --- the monthly evaluation (/evaluation_settings) ----------------------------------------------

EVALUATION_SETTINGS: dict[str, frozenset[str]] = {
    "weights": frozenset({"权重", "權重", "weight"}),
    "scale": frozenset({"分制", "满分", "滿分", "分值"}),
    "criteria": frozenset({"指标", "指標", "考评指标", "考評指標", "标准", "標準", "criterion"}),
}


# --- reports (/report) --------------------------------------------------------------------------

REPORT_PERIODS: dict[str, frozenset[str]] = {
    "week": frozenset({"thisweek", "this week", "周", "週", "本周", "本週", "这周", "這週",
                       "星期", "周报", "週報"}),
    "lastweek": frozenset({"last week", "上周", "上週", "上星期", "上礼拜", "上禮拜"}),
    "month": frozenset({"thismonth", "this month", "月", "本月", "这个月", "這個月", "月报",
                        "月報"}),
    "lastmonth": frozenset({"last month", "上月", "上个月", "上個月"}),
}
