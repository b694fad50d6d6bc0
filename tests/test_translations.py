"""Every string a user sees exists in zh_Hans, zh_Hant and en, fully translated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, from_language_code, resolve
from bot.settings import LOCALES

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
CJK = re.compile(r"[\u4e00-\u9fff]")


def messages_in_code() -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "handlers", "usecases"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords={"_": None, "gettext": None}
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def catalog(locale: str) -> Catalog:
    with open(LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po", encoding="utf-8") as po:
        return read_po(po)


@pytest.fixture(scope="module")
def in_code() -> set[str]:
    return messages_in_code()


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_in_the_code_is_translated(locale: str, in_code: set[str]) -> None:
    entries = {m.id: m for m in catalog(locale) if m.id}
    missing = sorted(in_code - set(entries))
    assert not missing, f"{locale} lacks {missing[:5]} (run `make catalogs`)"
    untranslated = sorted(m for m in in_code if not entries[m].string)
    assert not untranslated, f"{locale} leaves {untranslated[:5]} untranslated"
    fuzzy = sorted(m for m in in_code if entries[m].fuzzy)
    assert not fuzzy, f"{locale} marks {fuzzy[:5]} fuzzy"


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_every_placeholder(locale: str, in_code: set[str]) -> None:
    entries = {m.id: m for m in catalog(locale) if m.id}
    broken = [m for m in in_code
              if set(PLACEHOLDER.findall(m)) != set(PLACEHOLDER.findall(str(entries[m].string)))]
    assert not broken, f"{locale}: placeholders differ in {broken[:3]}"


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_chinese_catalogs_are_written_in_chinese(locale: str, in_code: set[str]) -> None:
    entries = {m.id: m for m in catalog(locale) if m.id}
    latin_only = [m for m in in_code if re.search(r"[A-Za-z]{3}", re.sub(r"/\w+|\{\w+\}|<[^>]*>",
                                                                         "", m))
                  and not CJK.search(str(entries[m].string))]
    assert not latin_only, f"{locale} still reads English: {latin_only[:3]}"


def test_traditional_is_not_a_copy_of_simplified(in_code: set[str]) -> None:
    hans = {m.id: m.string for m in catalog("zh_Hans") if m.id}
    hant = {m.id: m.string for m in catalog("zh_Hant") if m.id}
    same = [m for m in in_code if CJK.search(str(hans[m])) and hans[m] == hant[m]]
    assert len(same) < len(in_code) // 10, f"identical in both scripts: {same[:5]}"


@pytest.mark.parametrize(("code", "locale"), [
    ("zh-hans", "zh_Hans"), ("zh-CN", "zh_Hans"), ("zh-sg", "zh_Hans"), ("zh", "zh_Hans"),
    ("zh-hant", "zh_Hant"), ("zh-TW", "zh_Hant"), ("zh-hk", "zh_Hant"), ("zh-mo", "zh_Hant"),
    ("en", "en"), ("en-GB", "en"), ("en-us", "en"), ("fr", None), ("", None), (None, None),
])
def test_telegram_language_codes_map_to_our_locales(code: str | None, locale: str | None) -> None:
    assert from_language_code(code) == locale


def test_the_chat_setting_wins_then_the_person_then_telegram() -> None:
    assert resolve(chat_locale="en", person_locale="zh_Hant", language_code="zh-cn",
                   default="zh_Hans") == "en"
    assert resolve(chat_locale=None, person_locale="zh_Hant", language_code="en",
                   default="zh_Hans") == "zh_Hant"
    assert resolve(chat_locale=None, person_locale=None, language_code="zh-hk",
                   default="zh_Hans") == "zh_Hant"
    assert resolve(chat_locale=None, person_locale=None, language_code="de",
                   default="zh_Hans") == "zh_Hans"
