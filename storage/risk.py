"""Risk early warning (风险预警): words in a wish that page the duty worker at once."""

from __future__ import annotations

# Residents write in either script or in English, so the defaults hold all three.
DEFAULT_RISK_WORDS = (
    "摔倒", "跌倒", "摔跤", "晕倒", "昏倒", "昏迷", "没饭吃", "没有饭吃", "断粮", "挨饿",
    "独居", "一个人在家", "走失", "自杀", "轻生", "不想活", "煤气", "燃气泄漏", "着火", "失火",
    "暈倒", "昏倒", "沒飯吃", "沒有飯吃", "斷糧", "獨居", "一個人在家", "走失", "輕生", "不想活",
    "煤氣", "燃氣洩漏", "著火",
    "fell", "fallen", "a fall", "no food", "alone", "unconscious", "fainted", "suicide",
    "missing", "gas leak", "fire",
)


def words_of(configured: list[str] | None) -> tuple[str, ...]:
    return DEFAULT_RISK_WORDS if configured is None else tuple(configured)


def risk_word(text: str, words: tuple[str, ...]) -> str | None:
    """The first risk word found in ``text`` (case-insensitive), or None."""
    lowered = text.lower()
    return next((word for word in words if word.lower() in lowered), None)
