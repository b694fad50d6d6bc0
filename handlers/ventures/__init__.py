"""Micro-venture rounds (微创投), opening and proposals: the round form (/round), the proposal
form (/propose), and the lists (/rounds, /my_proposals, a round's proposals for reviewers)."""

from aiogram import Router

from handlers.ventures import lists, proposal_form, round_form


def router() -> Router:
    router = Router(name=__name__)
    router.include_routers(round_form.router(), proposal_form.router(), lists.router())
    return router
