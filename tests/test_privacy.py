"""Phone, ID and bank-card numbers are found however residents spell them, and nothing else is."""

from __future__ import annotations

import re

import pytest

from storage.privacy import Found, Kind, find_numbers, first_phone, has_number, mask_numbers

MOBILE = "13812345678"

MOBILE_SPELLINGS = [
    "13812345678",
    "138 1234 5678",
    "138  1234  5678",
    "138-1234-5678",
    "138.1234.5678",
    "138/1234/5678",
    "138,1234,5678",
    "138_1234_5678",
    "138–1234–5678",  # en dash
    "138－1234－5678",  # full-width hyphen
    "１３８１２３４５６７８",  # full-width digits
    "138\u200b1234\u200b5678",  # zero-width space
    "138\u20601234\u20605678",  # word joiner
    "138\u00ad1234\u00ad5678",  # soft hyphen
    "138\u200e1234\u200f5678",  # direction marks
    "138\u30001234\u30005678",  # ideographic spaces
    "tel13812345678",
    "Tel:13812345678",
    "手机13812345678",
    "+86 138 1234 5678",
    "+8613812345678",
    "0086-138-1234-5678",
    "一三八一二三四五六七八",
    "幺三八幺二三四五六七八",
    "①③⑧①②③④⑤⑥⑦⑧",
    "¹³⁸¹²³⁴⁵⁶⁷⁸",
    "138123 然后 45678",
    "138123 then 45678",
    "(138) 1234 5678",
    # beyond the usual
    "13812345678zhang",
    "１３８-1234-５６７８",  # full-width and ASCII mixed
    "138 转 1234 5678",
    "1381234和5678",
    "壹叁捌壹贰叁肆伍陆柒捌",
    "⑴⑶⑻⑴⑵⑶⑷⑸⑹⑺⑻",
    "⒈⒊⒏⒈⒉⒊⒋⒌⒍⒎⒏",
    "𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖",  # mathematical bold
    "١٣٨١٢٣٤٥٦٧٨",  # Arabic-Indic
    "1️⃣3️⃣8️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣",  # keycaps
    "138\u00a01234\u00a05678",  # no-break spaces
    "138 - 1234 - 5678",
    "（138）1234－5678",
    "138\ufeff1234\u202a5678\u202c",  # BOM and embedding marks
    "138    12345678",  # four spaces: joined across the gap
]


def _digits_of(text: str) -> str:
    return re.sub(r"\D", "", text, flags=re.ASCII)


def _assert_unreadable(masked: str) -> None:
    assert "12345678" not in _digits_of(masked)
    assert find_numbers(masked) == []


@pytest.mark.parametrize("spelling", MOBILE_SPELLINGS)
def test_every_spelling_of_a_mobile_is_found_and_masked(spelling: str) -> None:
    [found] = find_numbers(spelling)
    assert (found.kind, found.digits) == (Kind.MOBILE, MOBILE)
    masked, any_masked = mask_numbers(spelling)
    assert any_masked
    assert has_number(spelling)
    assert first_phone(spelling) == MOBILE
    _assert_unreadable(masked)


@pytest.mark.parametrize(("text", "masked"), [
    ("13812345678", "138********"),
    ("138 1234 5678", "138********"),
    ("tel:13812345678", "tel:138********"),
    ("Tel13812345678", "Tel138********"),
    ("+86 138 1234 5678", "138********"),
    ("(138) 1234 5678", "138********"),
    ("请打 138 1234 5678 谢谢", "请打 138******** 谢谢"),
    ("138 转 1234 5678", "138********"),
    ("11010519491231002X", "110***************"),
    ("13812345678，请尽快", "138********，请尽快"),
    ("联系我：１３８１２３４５６７８。", "联系我：138********。"),
])
def test_the_span_is_replaced_and_the_rest_kept_as_typed(text: str, masked: str) -> None:
    assert mask_numbers(text) == (masked, True)


def test_a_span_points_at_the_number_as_typed() -> None:
    text = "请打 138 1234 5678 谢谢"
    [found] = find_numbers(text)
    assert text[found.start:found.end] == "138 1234 5678"


def test_a_number_at_the_very_start_and_end_of_a_sentence() -> None:
    text = "13812345678是我的，另一个是13987654321"
    found = find_numbers(text)
    assert [f.digits for f in found] == [MOBILE, "13987654321"]
    assert found[0].start == 0
    assert found[1].end == len(text)
    masked, _ = mask_numbers(text)
    assert masked == "138********是我的，另一个是139********"


@pytest.mark.parametrize("text", [
    "13812345678 13987654321",
    "13812345678、13987654321",
    "138 1234 5678 139 8765 4321",
    "13812345678 和 13987654321",
])
def test_two_numbers_in_one_text_are_both_found(text: str) -> None:
    found = find_numbers(text)
    assert [(f.kind, f.digits) for f in found] == [
        (Kind.MOBILE, MOBILE), (Kind.MOBILE, "13987654321")]
    masked, _ = mask_numbers(text)
    assert "12345678" not in _digits_of(masked)
    assert "87654321" not in _digits_of(masked)
    assert find_numbers(masked) == []


def test_a_mobile_and_a_local_number_side_by_side() -> None:
    found = find_numbers("13812345678 62345678")
    assert [(f.kind, f.digits) for f in found] == [
        (Kind.MOBILE, MOBILE), (Kind.NUMBER, "62345678")]


def test_two_long_numbers_around_a_word_keep_the_word() -> None:
    assert mask_numbers("12345678 和 87654321") == ("123***** 和 876*****", True)


def test_a_phone_written_as_a_sum_is_still_a_phone() -> None:
    assert mask_numbers("13812345678.00") == ("138********.00", True)


def test_a_room_number_next_to_a_mobile_stays_readable() -> None:
    assert mask_numbers("房号1102 13812345678") == ("房号1102 138********", True)


@pytest.mark.parametrize(("text", "digits"), [
    ("010-62345678", "01062345678"),
    ("(021) 6234 5678", "02162345678"),
    ("0755-8888 6666", "075588886666"),
    ("座机：０１０－６２３４５６７８", "01062345678"),
])
def test_landlines_keep_their_area_code(text: str, digits: str) -> None:
    [found] = find_numbers(text)
    assert (found.kind, found.digits) == (Kind.LANDLINE, digits)
    assert first_phone(text) == digits
    _assert_unreadable(mask_numbers(text)[0])


@pytest.mark.parametrize(("text", "digits"), [
    ("11010519491231002X", "11010519491231002X"),
    ("11010519491231002x", "11010519491231002X"),
    ("110105 19491231 002X", "11010519491231002X"),
    ("110105-19491231-002 X", "11010519491231002X"),
    ("110105194912310021", "110105194912310021"),
    ("身份证号11010519491231002X，谢谢", "11010519491231002X"),
    ("110105491231002", "110105491231002"),  # the old 15-digit card
])
def test_id_numbers(text: str, digits: str) -> None:
    [found] = find_numbers(text)
    assert (found.kind, found.digits) == (Kind.ID_NUMBER, digits)
    masked, _ = mask_numbers(text)
    assert "X" not in masked.upper()
    assert "19491231" not in _digits_of(masked)
    assert first_phone(text) is None


def test_a_bank_card() -> None:
    text = "6222 0212 3456 7890 123"
    [found] = find_numbers(text)
    assert (found.kind, found.digits) == (Kind.BANK_CARD, "6222021234567890123")
    assert mask_numbers(text) == ("622****************", True)


@pytest.mark.parametrize("text", [
    "1234567",
    "订单 12 345 678",
    "6234 5678",
])
def test_other_long_numbers_are_masked_too(text: str) -> None:
    [found] = find_numbers(text)
    assert found.kind is Kind.NUMBER
    assert first_phone(text) is None


@pytest.mark.parametrize("text", [
    "",
    "第3网格需要帮忙",
    "#123",
    "3 kg 大米",
    "100元",
    "1,000元",
    "1,000,000元",
    "12345.50元",
    "350.5",
    "14:30-16:00",
    "9:00至11:00",
    "9:00-11:00",
    "2026",
    "2026-12-02",
    "2026/12/2",
    "2026.12.02~2026.12.05",
    "2026-12-02~2026-12-05",
    "2026.12.2-12.5",
    "2026-12-02 14:30",
    "2026-12-02 2026-12-09 2026-12-16",
    "14:30 16:00 18:30",
    "2026年12月2日下午3点",
    "二〇二六年十二月二日",
    "3栋2单元1102室",
    "12号楼",
    "一个人在家",
    "三四个人",
    "我78岁了",
    "Tel: 请私聊",
    "1102\n1103\n1104",
])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert mask_numbers(text) == (text, False)
    assert not has_number(text)
    assert first_phone(text) is None


def test_a_date_next_to_a_number_does_not_hide_the_number() -> None:
    text = "2026-12-02 14:30 打13812345678"
    assert mask_numbers(text) == ("2026-12-02 14:30 打138********", True)


def test_first_phone_takes_the_first_mobile_or_landline() -> None:
    assert first_phone("请打13812345678或者010-62345678") == MOBILE
    assert first_phone("座机010-62345678，手机13812345678") == "01062345678"
    assert first_phone("身份证11010519491231002X") is None
    assert first_phone("身份证11010519491231002X 手机 13812345678") == MOBILE
    assert first_phone("没有号码") is None


def test_found_is_a_frozen_value() -> None:
    found = Found(Kind.MOBILE, MOBILE, 0, 11)
    with pytest.raises(AttributeError):
        found.digits = "x"  # type: ignore[misc]
    assert Kind.MOBILE == "mobile"


def test_a_long_message_is_scanned_quickly() -> None:
    text = ("居民反映 3栋2单元1102室 漏水，2026-12-02 14:30 上门，联系 138 1234 5678。" * 40)
    found = find_numbers(text)
    assert len(found) == 40
    assert all(f.digits == MOBILE for f in found)
