"""A wish's photos and voice messages, kept by Telegram's file id (the file stays with
Telegram): the resident's, sent in the private wish form, and the claimer's photo of the help
given (服务影像). They are shown only privately (usecases.media)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import MediaKind, MediaPurpose, WishMedia

MAX_IN_FORM = 3  # photos and voice messages a resident may add to one wish
MAX_PROOF = 3  # photos a claimer may add as proof


@dataclass(frozen=True)
class Item:
    kind: MediaKind
    file_id: str


async def add(session: AsyncSession, wish_id: int, items: Iterable[Item], *,
              purpose: MediaPurpose, by: int, now: datetime) -> None:
    session.add_all([WishMedia(wish_id=wish_id, kind=item.kind, purpose=purpose,
                               file_id=item.file_id, added_by=by, added_at=now)
                     for item in items])


async def of_wish(session: AsyncSession, wish_id: int,
                  purpose: MediaPurpose | None = None) -> list[WishMedia]:
    statement = select(WishMedia).where(col(WishMedia.wish_id) == wish_id)
    if purpose is not None:
        statement = statement.where(col(WishMedia.purpose) == purpose)
    return list((await session.exec(statement.order_by(col(WishMedia.id)))).all())
