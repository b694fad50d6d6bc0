"""a community's risk words are its own words only: the first version's single words, which a
community that ever changed its list still held, are left out (the built-in signs replace them)

Revision ID: 8c4e2a7f1b90
Revises: 3f8a61c2d9e7
Create Date: 2026-12-02 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8c4e2a7f1b90"
down_revision: str | None = "3f8a61c2d9e7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The first version's list, as a community's setting held it whole after /riskwords add.
FIRST_WORDS = frozenset({
    "摔倒", "跌倒", "摔跤", "晕倒", "昏倒", "昏迷", "没饭吃", "没有饭吃", "断粮", "挨饿",
    "独居", "一个人在家", "走失", "自杀", "轻生", "不想活", "煤气", "燃气泄漏", "着火", "失火",
    "暈倒", "沒飯吃", "沒有飯吃", "斷糧", "獨居", "一個人在家", "輕生", "煤氣", "燃氣洩漏",
    "著火", "fell", "fallen", "a fall", "no food", "alone", "unconscious", "fainted",
    "suicide", "missing", "gas leak", "fire",
})
PLACE = sa.table("place", sa.column("id", sa.Integer()), sa.column("settings", sa.JSON()))


def upgrade() -> None:
    connection = op.get_bind()
    for place_id, settings in connection.execute(sa.select(PLACE.c.id, PLACE.c.settings)).all():
        words = (settings or {}).get("risk_words")
        if not isinstance(words, list):
            continue
        own = [word for word in words if word not in FIRST_WORDS]
        kept = {name: value for name, value in settings.items() if name != "risk_words"}
        connection.execute(sa.update(PLACE).where(PLACE.c.id == place_id).values(
            settings={**kept, "risk_words": own} if own else kept))


def downgrade() -> None:
    """The first version's words are not put back: a community's own words stay, and the
    first version reads them as its whole list."""
