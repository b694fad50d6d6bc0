"""A micro-venture round's selection (评审立项), privately: /round_reviewers (a street admin
names reviewers and removes them), /score (a reviewer scores each proposal, 1 to 5 per
criterion, with a note), /select (a street admin chooses the projects within the budget, with
a reason for each, and confirms: the result is announced).

Every button carries the round (and the proposal) it is about, and is asked of the use case
again when pressed: a button of another round, of a proposal of another round, or pressed by
someone who does not review the round changes nothing and says why.
"""

from aiogram import Router
from aiogram.filters import Command

from bot.filters import in_group
from handlers.venture_selection import reviewers, scoring, selecting
from handlers.venture_selection.words import private_only

COMMANDS = ("score", "select")


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(private_only, Command(*COMMANDS), in_group)
    router.include_routers(reviewers.router(), scoring.router(), selecting.router())
    return router
