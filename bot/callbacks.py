"""CallbackData factories: short prefixes, typed fields."""

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from storage.models import Category
from storage.words import MAX_ROW_NUMBER, MAX_TELEGRAM_ID

# A forged or mangled button whose number cannot be a row's or a person's does not match its
# filter, and is answered as a stale button (handlers.errors) instead of failing in the
# database.
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_NUMBER)]
PersonId = Annotated[int, Field(ge=1, le=MAX_TELEGRAM_ID)]
MAX_PAGE = 10_000
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE)]
RowOrPersonId = Annotated[int, Field(ge=0, le=MAX_TELEGRAM_ID)]  # 0: none


class WishAction(StrEnum):
    CLAIM = "c"
    RELEASE = "r"
    DONE = "d"
    WITHDRAW = "w"
    APPROVE = "a"
    REJECT = "x"
    TAKE_ON = "t"
    ADOPT = "p"
    CONTACT = "k"  # staff ask for the contact details privately


class WishCb(CallbackData, prefix="w"):
    action: WishAction
    wish_id: RowId


class RateCb(CallbackData, prefix="r"):
    wish_id: RowId
    score: int


class CommentCb(CallbackData, prefix="rc"):
    wish_id: RowId


class FormStep(StrEnum):
    CATEGORY = "c"
    URGENT = "u"
    SKIP = "s"
    SUBMIT = "ok"
    CANCEL = "no"


class FormCb(CallbackData, prefix="f"):
    step: FormStep
    value: str = ""


class LangCb(CallbackData, prefix="l"):
    locale: str


CATEGORY_ORDER = list(Category)


class PageCb(CallbackData, prefix="pg"):
    page_id: RowId


class VolStep(StrEnum):
    SKIP_PHONE = "sp"
    SKILL = "s"
    SKILLS_DONE = "sd"
    GRID = "g"
    GRIDS_DONE = "gd"
    DAY = "d"
    PERIOD = "p"
    TIMES_DONE = "td"
    AGREE = "ok"
    CANCEL = "no"


class VolFormCb(CallbackData, prefix="vf"):
    step: VolStep
    value: str = ""


class VolAction(StrEnum):
    APPROVE = "a"
    ASK = "q"
    DECLINE = "x"
    ANSWER = "r"


class VolCb(CallbackData, prefix="v"):
    action: VolAction
    person_id: PersonId


class HoursCb(CallbackData, prefix="hw"):
    """The claimer says how long a fulfilled wish took."""

    wish_id: RowId
    minutes: int


class ServiceStep(StrEnum):
    GRID = "g"
    DAY = "d"
    HOURS = "h"


class ServiceFormCb(CallbackData, prefix="sf"):
    step: ServiceStep
    value: str


class ServiceCb(CallbackData, prefix="sv"):
    """A social worker confirms (or not) logged service."""

    entry_id: RowId
    confirm: bool


class RsvpCb(CallbackData, prefix="mr"):
    meeting_id: RowId
    attend: bool


class ActionCb(CallbackData, prefix="ai"):
    """The owner marks an action item done."""

    item_id: RowId


class SubstituteCb(CallbackData, prefix="ms"):
    """Whoever cannot attend names who comes instead."""

    meeting_id: RowId


class ListKind(StrEnum):
    """The lists shown a page at a time (bot.paging)."""

    VOLUNTEERS = "v"
    PEOPLE = "p"
    PLACES = "pl"
    AGENDA = "a"
    MINUTES = "mn"
    MEETINGS = "m"
    ROSTER = "d"
    RISK_WORDS = "r"
    HOURS = "h"
    EVALUATIONS = "ev"  # about: the month, as 202611
    ROUNDS = "vr"  # micro-venture rounds; about: the street when asked in its chat


class ListPageCb(CallbackData, prefix="ls"):
    """‹ Previous / Next › under a long list: which list, which page, and what the list is
    about when the chat does not say it (a series, a person; 0 otherwise)."""

    kind: ListKind
    page: PageNumber
    about: RowOrPersonId = 0


class RelayCb(CallbackData, prefix="rl"):
    """💬 Message the resident / the volunteer, and Reply: write through the bot on a claim's
    conversation (usecases.relay)."""

    claim_id: RowId


class MediaCb(CallbackData, prefix="md"):
    """Show a wish's photos and voice messages privately to whoever may see them."""

    wish_id: RowId


class ProofCb(CallbackData, prefix="pf"):
    """The claimer adds a photo of the help given (服务影像)."""

    wish_id: RowId


class RosterStep(StrEnum):
    DAY = "d"  # a weekday, on or off
    DAYS = "g"  # a group of days: workdays, weekend, every day
    DAYS_DONE = "n"
    POST = "p"
    PERSON = "w"
    CLEAR = "x"  # nobody on the post
    CANCEL = "no"


class RosterCb(CallbackData, prefix="rf"):
    """A button of the roster form (/duty_set alone)."""

    step: RosterStep
    value: str = ""


class MeetingStep(StrEnum):
    RULE = "r"
    NTH = "n"
    WEEKDAY = "d"
    TIME = "t"
    LENGTH = "l"
    TITLE = "ti"
    CANCEL = "no"


class MeetingFormCb(CallbackData, prefix="mf"):
    """A button of the form for a new meeting series (/meeting_new alone)."""

    step: MeetingStep
    value: str = ""


class EvalStep(StrEnum):
    STAFF_WORKER = "w"  # the social worker an admin reviews
    PARTNER_WORKER = "pw"  # the social worker a partner rates
    SCORE = "s"
    SKIP_NOTE = "n"
    CANCEL = "x"
    COMMENT = "c"  # the person evaluated comments on their month
    CLOSE = "cl"  # a street admin asks to close a month
    CONFIRM_CLOSE = "cc"


class EvalCb(CallbackData, prefix="ev"):
    """A button of the monthly evaluation: the social worker, street and month it is about,
    where the step needs them ("2026-11"), and a score."""

    step: EvalStep
    person: RowOrPersonId = 0
    street: Annotated[int, Field(ge=0, le=MAX_ROW_NUMBER)] = 0
    month: Annotated[str, Field(max_length=7)] = ""
    value: Annotated[str, Field(max_length=5)] = ""  # a criterion and its score: "0.4"


RowNumber = Annotated[int, Field(ge=0, le=MAX_ROW_NUMBER)]  # 0: none


class ProgressStep(StrEnum):
    PROJECT = "p"  # the project reported on
    MILESTONE = "m"  # the milestone it is about (0: the project as a whole)
    REPORT = "r"  # a reminder's Report progress: the project and milestone at once
    DONE = "d"  # a reminder's Mark done
    SEND = "s"
    SEND_DONE = "sd"  # send, and mark the milestone done
    CANCEL = "x"


class ProgressCb(CallbackData, prefix="vpg"):
    """A button of a micro-venture project's progress report (/progress, a reminder)."""

    step: ProgressStep
    proposal: RowNumber = 0
    milestone: RowNumber = 0


class RoundStep(StrEnum):
    EVALUATE = "e"  # a street admin confirms /evaluate_round
    FINISH = "f"  # and /finish_round
    CANCEL = "x"


class RoundCb(CallbackData, prefix="vrd"):
    step: RoundStep
    round: RowNumber = 0


class ProjectRateCb(CallbackData, prefix="vrt"):
    """A resident's answer: was the need their wish stood for solved by the project?"""

    rating: RowId
    score: int


class FinalStep(StrEnum):
    BEGIN = "b"
    SCORE = "s"
    SKIP_NOTE = "n"
    CANCEL = "x"


class FinalCb(CallbackData, prefix="vfe"):
    """A button of a reviewer's final evaluation (评估验收) of a project."""

    step: FinalStep
    proposal: RowNumber = 0
    value: Annotated[str, Field(max_length=5)] = ""  # a criterion's index and score: "0.4"


class VentureStep(StrEnum):
    """A button of the round form (/round) or the proposal form (/propose)."""

    CHOOSE = "c"  # the street, or the round proposed in
    NEED = "n"  # a need on or off
    PAGE = "p"  # another page of needs
    DONE = "d"  # the needs, budget lines or milestones chosen
    DEFAULT = "df"  # the default criteria, or one proposal per organisation
    KEEP = "k"  # a proposal's part as it was
    AGAIN = "a"  # the budget lines or milestones typed anew
    PART = "e"  # change one part of a proposal from its summary
    CONFIRM = "ok"
    BACK = "b"
    CANCEL = "x"


class VentureFormCb(CallbackData, prefix="vof"):
    step: VentureStep
    value: Annotated[str, Field(max_length=20)] = ""


class VentureAction(StrEnum):
    PROPOSE = "p"  # a round's announcement: propose in it
    EDIT = "e"  # a representative's proposal: change it
    WITHDRAW = "w"
    PROPOSALS = "l"  # a round's proposals, for its reviewers
    READ = "r"  # a proposal in full, for its reviewers and its representative


class VentureCb(CallbackData, prefix="vop"):
    action: VentureAction
    round: Annotated[int, Field(ge=0, le=MAX_ROW_NUMBER)] = 0
    proposal: Annotated[int, Field(ge=0, le=MAX_ROW_NUMBER)] = 0


class ScoreStep(StrEnum):
    """A button of a reviewer's scoring of a round's proposals (/score)."""

    LIST = "l"  # the round's proposals and scores
    OPEN = "o"  # score one proposal
    SCORE = "s"
    SKIP_NOTE = "n"
    SAVE = "ok"
    CANCEL = "x"


class ScoreCb(CallbackData, prefix="vsc"):
    step: ScoreStep
    round: Annotated[int, Field(ge=0, le=MAX_ROW_NUMBER)] = 0
    proposal: Annotated[int, Field(ge=0, le=MAX_ROW_NUMBER)] = 0
    value: Annotated[str, Field(max_length=5)] = ""  # a criterion's index and score: "0.4"


class SelectStep(StrEnum):
    """A button of a street admin's selection of a round's projects (/select)."""

    BEGIN = "b"  # select although not every reviewer has scored
    TOGGLE = "t"
    NEXT = "n"  # the projects chosen: on to the reasons
    EACH = "e"  # a reason for each proposal not chosen
    SKIP = "k"  # no reason (for the proposals not chosen)
    CONFIRM = "ok"
    CANCEL = "x"


class SelectCb(CallbackData, prefix="vsl"):
    step: SelectStep
    round: Annotated[int, Field(ge=0, le=MAX_ROW_NUMBER)] = 0
    proposal: Annotated[int, Field(ge=0, le=MAX_ROW_NUMBER)] = 0


class ReviewerCb(CallbackData, prefix="vrv"):
    """Remove a named reviewer from a round (/round_reviewers)."""

    round: RowId
    person: PersonId


class MatterVoteCb(CallbackData, prefix="cv"):
    """A resident's vote on a matter of the residents' council: the option's index."""

    matter_id: RowId
    choice: Annotated[int, Field(ge=0, le=4)]


class MatterAction(StrEnum):
    CLOSE = "c"  # the opener closes the vote early: asks to confirm
    CLOSE_SURE = "cs"
    TOPIC = "t"  # a decided matter becomes a topic of the next joint meeting


class MatterCb(CallbackData, prefix="cm"):
    action: MatterAction
    matter_id: RowId


class MatterStep(StrEnum):
    KIND = "k"
    OPTIONS = "o"  # for, against, abstain
    DISCUSSION = "d"
    VOTE = "v"
    QUORUM = "q"
    HIDDEN = "h"
    OPEN = "ok"
    CANCEL = "no"


class MatterFormCb(CallbackData, prefix="cf"):
    step: MatterStep
    value: str = ""


class MatterWishCb(CallbackData, prefix="cw"):
    """A community card's button: put the wish to the residents' council."""

    wish_id: RowId
