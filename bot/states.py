"""FSM states, one group per form."""

from aiogram.fsm.state import State, StatesGroup


class WishForm(StatesGroup):
    category = State()
    text = State()
    urgency = State()
    phone = State()
    address = State()
    confirm = State()


class RejectReason(StatesGroup):
    reason = State()


class RatingComment(StatesGroup):
    comment = State()


class AdoptionNote(StatesGroup):
    note = State()


class VolunteerForm(StatesGroup):
    name = State()
    phone = State()
    skills = State()
    other_skill = State()
    grids = State()
    times = State()
    consent = State()


class VolunteerDecision(StatesGroup):
    question = State()
    decline_reason = State()


class VolunteerAnswer(StatesGroup):
    answer = State()


class WishHours(StatesGroup):
    hours = State()


class ServiceForm(StatesGroup):
    grid = State()
    day = State()
    hours = State()
    description = State()


class AbsenceReason(StatesGroup):
    reason = State()


class TopicText(StatesGroup):
    text = State()


class SubstituteName(StatesGroup):
    name = State()


class RelayMessage(StatesGroup):
    text = State()


class ProofPhoto(StatesGroup):
    photo = State()


class RosterForm(StatesGroup):
    """/duty_set alone: the days, the post, then who."""

    days = State()
    post = State()
    person = State()


class MeetingForm(StatesGroup):
    """/meeting_new alone: the rule, the weekday, the time, the length, the title."""

    rule = State()
    nth = State()
    weekday = State()
    time = State()
    length = State()
    title = State()


class StaffReviewForm(StatesGroup):
    """An admin's review of a social worker's month: a score per criterion, then a note."""

    score = State()
    note = State()


class PartnerReviewForm(StatesGroup):
    score = State()
    note = State()


class EvaluationCommentForm(StatesGroup):
    text = State()


class ProgressForm(StatesGroup):
    text = State()
    photos = State()


class FinalEvaluationForm(StatesGroup):
    score = State()
    note = State()


class RoundForm(StatesGroup):
    """/round: a street admin opens a micro-venture round (微创投), privately."""

    street = State()
    theme = State()
    needs = State()
    budget = State()
    cap = State()
    due = State()
    selection = State()
    criteria = State()
    per_org = State()
    confirm = State()


class ProposalForm(StatesGroup):
    """/propose: an organisation's representative proposes a project in a round, privately."""

    round = State()
    organisation = State()
    title = State()
    needs = State()
    plan = State()
    lines = State()
    milestones = State()
    team = State()
    confirm = State()


class ScoreForm(StatesGroup):
    """/score: a reviewer scores a micro-venture proposal, privately."""

    score = State()
    note = State()
    confirm = State()


class SelectForm(StatesGroup):
    """/select: a street admin selects a round's projects, privately."""

    choose = State()
    reason = State()
    others = State()
    confirm = State()


class MatterForm(StatesGroup):
    """A matter for the residents' council: kind, title, question, options, the discussion's
    and the vote's length, the quorum, hidden counts, then Open."""

    kind = State()
    title = State()
    question = State()
    options = State()
    discussion = State()
    vote = State()
    quorum = State()
    hidden = State()
    confirm = State()


class MatterComment(StatesGroup):
    text = State()
