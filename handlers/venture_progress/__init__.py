"""Micro-venture projects under way and the round's final evaluation (评估验收), privately,
one small router per part:

- ``progress``: /progress and a milestone's reminder buttons, /project
- ``evaluation``: /evaluate_round, /finish_round, the residents' answers, the reviewers' final
  scores
"""

from aiogram import Router

from handlers.venture_progress import evaluation, progress


def router() -> Router:
    router = Router(name=__name__)
    router.include_routers(progress.router(), evaluation.router())
    return router
