"""Keeping residents' phone and ID numbers out of group chats."""

import re

# Seven or more digits, possibly split by spaces or dashes, with an optional +86 or a final X
# (the check character of a resident ID card): phones, landlines and ID numbers alike.
_NUMBER = re.compile(r"(?<![\dA-Za-z])(?:\+?86[\s-]?)?\d(?:[\s-]?\d){6,}[Xx]?(?![\dA-Za-z])")
KEEP = 3


def _mask(match: re.Match[str]) -> str:
    kept = 0
    out = []
    for char in match.group(0):
        if char.isdigit() or char in "Xx":
            out.append(char if kept < KEEP else "*")
            kept += 1
        else:
            out.append(char)
    return "".join(out)


def mask_numbers(text: str) -> tuple[str, bool]:
    """The text with long numbers masked after their first digits, and whether any were."""
    masked, count = _NUMBER.subn(_mask, text)
    return masked, count > 0
