"""One Router per flow; the order here is the order updates try them."""

from aiogram import Router

from handlers import (
    admin,
    chat_events,
    chatter,
    common,
    council,
    data_rights,
    duty,
    errors,
    evaluation,
    exports,
    guidance,
    hours,
    meetings,
    private,
    reaching,
    reports,
    roster_form,
    venture_progress,
    venture_selection,
    ventures,
    volunteers,
    wish_form,
    wishes,
)


def routers() -> list[Router]:
    # chat_events first: it answers anonymous admins before any command handler runs;
    # chatter next: people talking to each other in a group skip all the flows;
    # common next, so /cancel and /help work in the middle of any form;
    # the wish flow next, as most of what a grid's people do is posting and claiming wishes
    # (the flows' commands, states and buttons are all their own, so their order is free);
    # reaching.held_router before any /start: held messages go out, then /start goes on;
    # roster_form before duty: /duty_set alone opens the form, with words it is duty's;
    # private.fallback_router next to last: a private message nothing took gets an answer;
    # errors.fallback last: it answers buttons that nothing else understood.
    return [chat_events.router(), chatter.router(), common.router(), reaching.held_router(),
            guidance.router(),
            private.router(), wish_form.router(),
            wishes.router(), reaching.router(), volunteers.router(), hours.router(),
            meetings.router(), evaluation.router(), council.router(), ventures.router(),
            venture_progress.router(),
            venture_selection.router(),
            exports.router(), reports.router(),
            data_rights.router(),
            admin.router(), roster_form.router(), duty.router(), common.welcome_router(),
            private.fallback_router(), errors.router()]
