"""Risk early warning (风险预警): what in a wish pages the duty worker at once.

A social worker does not raise an alarm on a word: "独居" (living alone) describes many
ordinary wishes ("独居老人家里的热水器坏了"). They raise it on a situation, a person at risk
and a harm told together ("楼下王奶奶独居，今天摔倒了起不来"), or on a phrase that is an
emergency by itself (unconscious, self-harm, fire). So does this matcher:

- A **pair**: a sign of who (an elder, a child, a disabled person, someone living alone, a
  neighbour) and a sign of what (a fall, cannot get up, missing, no food; unwell only for
  someone alone) in the same sentence or the one before it; a fall with cannot-get-up; gas
  with a smell or a leak.
- An **alarm**: a phrase that is enough alone (昏迷, 叫不醒, 不想活, 着火了, 断粮…).
- A sign is not counted where the words around it say it is not happening now: a precaution
  or a worry ("防止摔倒", "容易迷路", "担心她会摔倒"), a negation ("没摔倒"), the past
  ("上个月摔倒过"), or, for some signs, a thing that is not a person ("猫走丢了",
  "手机摔坏了", "燃气灶打不着火了").
- A community adds its own words with ``/riskwords`` (each is an alarm) and may switch off a
  built-in one.

The lists hold Simplified and Traditional Chinese (Taiwan and Hong Kong usage: 瓦斯, 煤氣,
長者, 阿嬤) and English; every list is checked against any text, since residents write in
either script. ``tests/test_risk.py`` holds the realistic wish texts they are measured on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from storage.models import Category


class Sign(StrEnum):
    # who
    ELDER = "elder"
    CHILD = "child"
    DISABLED = "disabled"
    PERSON = "person"  # someone, not by age: a neighbour, a mother, a pregnant woman
    ALONE = "alone"
    # what
    FALL = "fall"
    CANNOT_GET_UP = "cannot_get_up"
    UNWELL = "unwell"
    NO_FOOD = "no_food"
    MISSING = "missing"
    GAS = "gas"
    LEAK = "leak"
    # enough alone
    UNCONSCIOUS = "unconscious"
    SELF_HARM = "self_harm"
    FIRE = "fire"
    STARVING = "starving"
    VIOLENCE = "violence"


# In the order a wish's reason names them (tuples, so that it is the same every time).
WHO = (Sign.ELDER, Sign.CHILD, Sign.DISABLED, Sign.ALONE, Sign.PERSON)
ALARMS = (Sign.UNCONSCIOUS, Sign.SELF_HARM, Sign.FIRE, Sign.STARVING, Sign.VIOLENCE)
# Two signs that together make a risk: (any of these) × (any of those).
PAIRS: tuple[tuple[tuple[Sign, ...], tuple[Sign, ...]], ...] = (
    (WHO, (Sign.FALL, Sign.CANNOT_GET_UP, Sign.MISSING, Sign.NO_FOOD)),
    ((Sign.FALL,), (Sign.CANNOT_GET_UP,)),
    ((Sign.ALONE,), (Sign.UNWELL,)),
    ((Sign.GAS,), (Sign.LEAK,)),
)
# Signs of something happening now, which a worry, a habit or the past cancels.
SITUATIONS = frozenset({Sign.FALL, Sign.CANNOT_GET_UP, Sign.UNWELL, Sign.NO_FOOD,
                        Sign.MISSING, Sign.UNCONSCIOUS, Sign.FIRE, Sign.STARVING})
CATEGORY_OF = {Sign.ELDER: Category.ELDERLY, Sign.CHILD: Category.CHILDREN,
               Sign.DISABLED: Category.DISABILITY, Sign.GAS: Category.DAILY_LIFE,
               Sign.FIRE: Category.DAILY_LIFE, Sign.STARVING: Category.DAILY_LIFE}

LANGUAGES = ("zh_Hans", "zh_Hant", "en")

SIGNS: dict[str, dict[Sign, tuple[str, ...]]] = {
    "zh_Hans": {
        Sign.ELDER: ("老人", "老年人", "长者", "奶奶", "爷爷", "大爷", "老太太", "老太", "老伯",
                     "阿婆", "外婆", "外公", "姥姥", "姥爷", "老伴", "老母亲", "老父亲", "高龄",
                     "七十多", "八十多", "九十多", "老年痴呆", "失智", "阿尔茨海默"),
        Sign.CHILD: ("孩子", "小孩", "儿童", "小朋友", "婴儿", "宝宝", "孙子", "孙女"),
        Sign.DISABLED: ("残疾", "残障", "瘫痪", "轮椅", "盲人", "视障", "聋哑"),
        Sign.PERSON: ("邻居", "隔壁", "对门", "楼上", "楼下", "有人", "家人", "我妈", "我爸",
                      "妈妈", "爸爸", "母亲", "父亲", "丈夫", "老公", "妻子", "儿子", "女儿",
                      "孕妇", "阿姨", "叔叔", "大姐", "大哥"),
        Sign.ALONE: ("独居", "一个人住", "一个人在家", "独自在家", "独自一人", "家里没人",
                     "身边没人", "没人照顾", "无人照顾", "子女不在身边", "孤寡", "空巢"),
        Sign.FALL: ("摔倒", "跌倒", "摔了一跤", "跌了一跤", "摔跤", "跌跤", "摔伤", "跌伤",
                    "滑倒", "绊倒", "摔下", "跌下", "倒在地上", "倒地"),
        Sign.CANNOT_GET_UP: ("起不来", "爬不起来", "站不起来"),
        Sign.UNWELL: ("生病", "病了", "病倒", "发烧", "高烧", "不舒服", "头晕", "呕吐", "胸闷",
                      "胸口疼", "胸口痛", "喘不上气", "喘不过气", "呼吸困难", "难受", "头很晕",
                      "头好晕", "站不稳"),
        Sign.NO_FOOD: ("没吃饭", "没吃东西", "没东西吃", "没有吃的", "饿着"),
        Sign.MISSING: ("走失", "走丢", "迷路", "找不到家", "找不到回家", "人不见了", "失踪",
                       "没回家", "没有回家", "还没回来", "一直没回来", "几天没回来",
                       "几天没出门", "几天没下楼", "几天没见", "几天没露面", "敲门没人应",
                       "敲门没人开", "敲门没反应", "电话没人接", "电话也没人接",
                       "没见她出门", "没见他出门"),
        Sign.GAS: ("煤气", "燃气", "天然气", "液化气"),
        Sign.LEAK: ("味", "泄漏", "泄露", "漏气", "漏了"),
        Sign.UNCONSCIOUS: ("昏迷", "晕倒", "昏倒", "晕过去", "昏过去", "不省人事", "叫不醒",
                           "叫都不醒", "叫也不醒", "没有呼吸", "没呼吸", "抽搐", "口吐白沫",
                           "中风", "心脏病发作"),
        Sign.SELF_HARM: ("自杀", "轻生", "不想活", "活不下去", "想死", "寻死", "割腕", "想跳楼",
                         "要跳楼", "想不开", "结束生命", "结束自己的生命", "喝农药"),
        Sign.FIRE: ("着火了", "起火", "失火", "冒烟", "烧起来", "发生火灾"),
        Sign.STARVING: ("断粮", "挨饿", "没饭吃", "没有饭吃", "吃不上饭", "几天没吃",
                        "饿了好几天", "饿了几天", "饿了两天"),
        Sign.VIOLENCE: ("家暴", "被打伤", "虐待"),
    },
    "zh_Hant": {
        Sign.ELDER: ("老人", "老年人", "長者", "奶奶", "爺爺", "阿嬤", "阿公", "阿婆", "婆婆",
                     "伯伯", "老太太", "外婆", "外公", "老伴", "老母親", "老父親", "高齡",
                     "七十多", "八十多", "九十多", "失智", "老人癡呆", "阿茲海默"),
        Sign.CHILD: ("孩子", "小孩", "兒童", "小朋友", "嬰兒", "寶寶", "孫子", "孫女"),
        Sign.DISABLED: ("殘疾", "殘障", "身障", "癱瘓", "輪椅", "視障", "聾啞"),
        Sign.PERSON: ("鄰居", "隔壁", "對門", "樓上", "樓下", "有人", "家人", "我媽", "我爸",
                      "媽媽", "爸爸", "母親", "父親", "丈夫", "老公", "太太", "兒子", "女兒",
                      "孕婦", "阿姨", "叔叔"),
        Sign.ALONE: ("獨居", "一個人住", "一個人在家", "獨自在家", "獨自一人", "家裡沒人",
                     "家裏沒人", "身邊沒人", "沒人照顧", "無人照顧", "子女不在身邊", "孤寡",
                     "空巢"),
        Sign.FALL: ("摔倒", "跌倒", "摔了一跤", "跌了一跤", "摔跤", "跌跤", "摔傷", "跌傷",
                    "滑倒", "絆倒", "摔下", "跌下", "倒在地上", "倒地"),
        Sign.CANNOT_GET_UP: ("起不來", "爬不起來", "站不起來"),
        Sign.UNWELL: ("生病", "病了", "病倒", "發燒", "高燒", "不舒服", "頭暈", "嘔吐", "胸悶",
                      "胸口痛", "胸口疼", "喘不過氣", "喘不上氣", "呼吸困難", "難受", "頭很暈",
                      "頭好暈", "站不穩"),
        Sign.NO_FOOD: ("沒吃飯", "沒吃東西", "沒東西吃", "沒有吃的", "餓著"),
        Sign.MISSING: ("走失", "走丟", "迷路", "找不到家", "找不到回家", "人不見了", "失蹤",
                       "沒回家", "沒有回家", "還沒回來", "一直沒回來", "幾天沒回來",
                       "幾天沒出門", "幾天沒下樓", "幾天沒見", "幾天沒露面", "敲門沒人應",
                       "敲門沒人開", "敲門沒反應", "電話沒人接", "電話也沒人接",
                       "沒見她出門", "沒見他出門"),
        Sign.GAS: ("瓦斯", "煤氣", "燃氣", "天然氣", "液化氣"),
        Sign.LEAK: ("味", "外洩", "洩漏", "洩露", "漏氣"),
        Sign.UNCONSCIOUS: ("昏迷", "暈倒", "昏倒", "暈過去", "昏過去", "不省人事", "叫不醒",
                           "叫都不醒", "叫也不醒", "沒有呼吸", "沒呼吸", "抽搐", "口吐白沫",
                           "中風", "心臟病發"),
        Sign.SELF_HARM: ("自殺", "輕生", "不想活", "活不下去", "想死", "尋死", "割腕", "想跳樓",
                         "要跳樓", "想不開", "結束生命", "結束自己的生命", "喝農藥"),
        Sign.FIRE: ("著火了", "着火了", "起火", "失火", "冒煙", "燒起來", "發生火災"),
        Sign.STARVING: ("斷糧", "挨餓", "沒飯吃", "沒有飯吃", "吃不上飯", "幾天沒吃",
                        "餓了好幾天", "餓了幾天", "餓了兩天"),
        Sign.VIOLENCE: ("家暴", "被打傷", "虐待"),
    },
    "en": {
        Sign.ELDER: ("elderly", "old man", "old woman", "old lady", "old people", "senior",
                     "pensioner", "grandma", "grandpa", "granny", "grandmother", "grandfather",
                     "grandad", "in her eighties", "in his eighties", "in her nineties",
                     "in his nineties", "dementia", "alzheimer's"),
        Sign.CHILD: ("child", "children", "kid", "kids", "boy", "girl", "baby", "toddler"),
        Sign.DISABLED: ("disabled", "wheelchair", "blind", "deaf", "paralysed", "paralyzed"),
        Sign.PERSON: ("neighbour", "neighbor", "someone", "somebody", "my mother", "my father",
                      "my mum", "my mom", "my dad", "my wife", "my husband", "my son",
                      "my daughter", "pregnant"),
        Sign.ALONE: ("alone", "lives on her own", "lives on his own", "by herself",
                     "by himself", "nobody to look after", "no one to look after",
                     "no family nearby"),
        Sign.FALL: ("fell", "fallen", "a fall", "slipped", "tripped"),
        Sign.CANNOT_GET_UP: ("can't get up", "cannot get up", "can not get up",
                             "unable to get up", "couldn't get up", "could not get up",
                             "can't stand up", "cannot stand up"),
        Sign.UNWELL: ("unwell", "sick", "ill", "fever", "high temperature", "vomiting",
                      "throwing up", "dizzy", "chest pain", "can't breathe", "cannot breathe",
                      "short of breath"),
        Sign.NO_FOOD: ("no food", "nothing to eat", "hasn't eaten", "has not eaten",
                       "haven't eaten", "not eaten"),
        Sign.MISSING: ("is missing", "went missing", "gone missing", "got lost", "is lost",
                       "wandered off", "hasn't come home", "has not come home",
                       "hasn't come back", "has not come back", "not come back",
                       "hasn't been seen", "has not been seen", "haven't seen her",
                       "can't find her way home", "can't find his way home",
                       "cannot find her way home", "cannot find his way home",
                       "haven't seen him", "no answer at the door", "not answering the door",
                       "doesn't answer the door", "not answering her phone",
                       "not answering his phone"),
        Sign.GAS: ("gas",),
        Sign.LEAK: ("smell", "smells", "leak", "leaking"),
        Sign.UNCONSCIOUS: ("unconscious", "passed out", "fainted", "collapsed",
                           "not breathing", "won't wake up", "will not wake up",
                           "can't wake", "cannot wake", "unresponsive", "seizure",
                           "had a stroke", "having a stroke", "heart attack"),
        Sign.SELF_HARM: ("suicide", "suicidal", "kill myself", "kill herself", "kill himself",
                         "end my life", "end her life", "end his life", "take my own life",
                         "self-harm", "self harm", "hurt myself", "don't want to live",
                         "do not want to live", "doesn't want to live", "want to die",
                         "wants to die"),
        Sign.FIRE: ("on fire", "caught fire", "a fire in", "fire broke out", "smoke coming",
                    "full of smoke", "smell of smoke", "smell smoke", "smell of burning"),
        Sign.STARVING: ("no food for", "not eaten for days", "hasn't eaten for",
                        "has not eaten for", "haven't eaten for", "nothing to eat for",
                        "starving"),
        Sign.VIOLENCE: ("domestic violence", "beaten up", "beats her", "beats him"),
    },
}


@dataclass(frozen=True)
class Cues:
    """Words around a sign that say it is not happening now."""

    negation: tuple[str, ...]  # right before it: 没摔倒, 防跌倒, didn't fall
    precaution: tuple[str, ...]  # shortly before it: 防止她摔倒, in case she falls
    worry: tuple[str, ...]  # shortly before a situation: 担心, 容易, 经常; worried, often
    past: tuple[str, ...]  # anywhere in its clause, for a situation: 上个月, last month
    after_past: tuple[str, ...]  # right after it: 摔倒过
    not_a_person: dict[Sign, tuple[str, ...]]  # around it: 猫走丢了, fell asleep


CUES: dict[str, Cues] = {
    "zh": Cues(
        negation=("没有", "沒有", "没", "沒", "未", "不会", "不會", "并未", "並未", "防"),
        precaution=("防止", "预防", "預防", "防范", "防範", "避免", "以免", "以防"),
        worry=("担心", "擔心", "害怕", "怕", "万一", "萬一", "容易", "经常", "經常", "常常",
               "总是", "總是", "差点", "差點", "险些", "險些", "如果", "要是"),
        past=("上个月", "上個月", "上周", "上週", "上星期", "去年", "前年", "以前", "之前",
              "曾经", "曾經", "前段时间", "前段時間", "个月前", "個月前", "年前"),
        after_past=("过", "過"),
        not_a_person={
            Sign.MISSING: ("猫", "貓", "狗", "宠物", "寵物", "鹦鹉", "鸚鵡", "钥匙", "鑰匙",
                           "手机", "手機", "钱包", "錢包", "眼镜", "眼鏡", "快递", "包裹"),
            Sign.FALL: ("手机", "手機", "碗", "杯子", "花盆"),
            Sign.FIRE: ("打不着", "点不着", "打不著", "點不著"),
        }),
    "en": Cues(
        negation=("not", "didn't", "did not", "never", "no longer", "hasn't", "has not"),
        precaution=("prevent", "prevention", "avoid", "in case", "awareness", "proof"),
        worry=("worried", "worry", "afraid", "might", "could", "may", "often", "always",
               "keeps", "tends to", "nearly", "almost", "prone to", "risk of", "if"),
        past=("last month", "last week", "last year", "years ago", "months ago", "used to",
              "earlier this year", "recovering", "recovered"),
        after_past=(),
        not_a_person={
            Sign.MISSING: ("cat", "dog", "pet", "parrot", "keys", "phone", "wallet",
                           "glasses", "parcel"),
            Sign.FALL: ("asleep", "in love", "behind", "apart", "through", "phone", "prices",
                        "prevention"),
            Sign.LEAK: ("bill", "meter"),
        }),
}
# A precaution, worry or negation counts only this close before a sign (characters in Chinese,
# words in English), so that "没注意，摔倒了" is still a fall.
NEAR = {"zh": 6, "en": 4}
RIGHT_BEFORE = {"zh": 2, "en": 2}

# "两天没出门", "3天没下楼", "好几天沒出門": any number of days reads as 几/幾, so that one
# phrase in the lists covers them all.
_DAYS = (re.compile(r"[0-9两二三四五六七八九十好多几]+天没"), "几天没")
_DAYS_HANT = (re.compile(r"[0-9兩二三四五六七八九十好多幾]+天沒"), "幾天沒")
_SENTENCE_END = re.compile(r"[。！？!?；;\n…]+|\.(?=\s|$)")
_CLAUSE_END = re.compile(r"[，,、：:]|\bbut\b|\band then\b")
_LATIN = re.compile(r"[a-z]")


@dataclass(frozen=True)
class Risk:
    """Why a wish is a risk: the words that made it one, and the kind of help it is."""

    words: tuple[str, ...]
    category: Category | None = None


@dataclass(frozen=True)
class _Term:
    text: str
    sign: Sign
    language: str
    pattern: re.Pattern[str] | None  # English: whole words; Chinese: None, a plain substring


@dataclass(frozen=True)
class _Found:
    term: _Term
    start: int
    end: int


@dataclass(frozen=True)
class Lexicon:
    terms: tuple[_Term, ...]
    own: tuple[str, ...]

    def find(self, text: str) -> Risk | None:
        """The risk ``text`` tells of, or None."""
        folded = fold(text)
        own = next((word for word in self.own if fold(word) and fold(word) in folded), None)
        if own is not None:
            return Risk((own,), _category(self, folded))
        sentences = [s for s in _SENTENCE_END.split(_days(folded)) if s.strip()]
        signs_before: dict[Sign, list[str]] = {}
        for sentence in sentences:
            signs = _signs_in(self, sentence)
            alarm = next((w for sign in ALARMS for w in signs.get(sign, ())), None)
            if alarm is not None:
                return Risk((alarm,), _category(self, folded))
            paired = _paired(signs, signs_before)
            if paired is not None:
                return Risk(paired, _category(self, folded))
            signs_before = signs
        return None


def fold(text: str) -> str:
    """What the matcher reads: NFKC (full-width letters and punctuation as plain ones), lower
    case, one kind of apostrophe."""
    return unicodedata.normalize("NFKC", text).lower().replace("’", "'")


def _days(text: str) -> str:
    for pattern, days in (_DAYS, _DAYS_HANT):
        text = pattern.sub(days, text)
    return text


def _occurrences(term: _Term, sentence: str) -> Iterable[tuple[int, int]]:
    if term.pattern is not None:
        return ((m.start(), m.end()) for m in term.pattern.finditer(sentence))
    found, start = [], sentence.find(term.text)
    while start >= 0:
        found.append((start, start + len(term.text)))
        start = sentence.find(term.text, start + 1)
    return found


def _signs_in(lexicon: Lexicon, sentence: str) -> dict[Sign, list[str]]:
    signs: dict[Sign, list[str]] = {}
    for term in lexicon.terms:
        for start, end in _occurrences(term, sentence):
            if _counts(_Found(term, start, end), sentence):
                signs.setdefault(term.sign, []).append(term.text)
                break
    return signs


def _paired(signs: dict[Sign, list[str]],
            before: dict[Sign, list[str]]) -> tuple[str, ...] | None:
    """Two signs of a pair in this sentence, or one here and one in the sentence before."""
    for first, second in PAIRS:
        for one, other in ((signs, signs), (before, signs), (signs, before)):
            a = next((w for sign in first for w in one.get(sign, ())), None)
            b = next((w for sign in second for w in other.get(sign, ())), None)
            if a is not None and b is not None and a != b:
                return a, b
    return None


def _script(language: str) -> str:
    return "en" if language == "en" else "zh"


def _clause(sentence: str, start: int, end: int) -> tuple[str, str]:
    """The words of the clause before the sign, and the whole clause."""
    left = max((m.end() for m in _CLAUSE_END.finditer(sentence, 0, start)), default=0)
    right = next((m.start() for m in _CLAUSE_END.finditer(sentence, end)), len(sentence))
    return sentence[left:start], sentence[left:right]


def _close_before(before: str, cues: Sequence[str], script: str, reach: int) -> bool:
    if script == "en":
        window = " ".join(before.split()[-reach:])
        return any(_has(cue, window, script) for cue in cues)
    return any(cue in before[-(reach + len(cue)):] for cue in cues)


def _counts(found: _Found, sentence: str) -> bool:
    """Whether a sign found in a sentence tells of something happening now."""
    sign = found.term.sign
    if sign in WHO or sign is Sign.GAS:
        return True
    script = _script(found.term.language)
    cues = CUES[script]
    before, clause = _clause(sentence, found.start, found.end)
    around = _around(sentence, found, before, script)
    if any(_has(word, around, script) for word in cues.not_a_person.get(sign, ())):
        return False
    if _close_before(before, cues.negation, script, RIGHT_BEFORE[script]):
        return False
    if _close_before(before, cues.precaution, script, NEAR[script]):
        return False
    if sign not in SITUATIONS:
        return True
    if _close_before(before, cues.worry, script, NEAR[script]):
        return False
    after = sentence[found.end:found.end + 1]
    return not (any(_has(word, clause, script) for word in cues.past)
                or after in cues.after_past)


def _around(sentence: str, found: _Found, before: str, script: str) -> str:
    """The sign with a few words before and after it, in its clause."""
    _before, clause = _clause(sentence, found.start, found.end)
    after = clause[len(before) + found.end - found.start:]
    if script == "en":
        return " ".join([*before.split()[-NEAR[script]:], found.term.text,
                         *after.split()[:RIGHT_BEFORE[script]]])
    return before[-NEAR[script]:] + found.term.text + after[:RIGHT_BEFORE[script]]


def _has(word: str, text: str, script: str) -> bool:
    if script == "en":
        return re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text) is not None
    return word in text


def _category(lexicon: Lexicon, folded: str) -> Category | None:
    """The kind of help: from the first elder, child or disabled person named, else from
    the kind of danger (gas, fire, no food: daily life)."""
    named = sorted((start, CATEGORY_OF[term.sign]) for term in lexicon.terms
                   if term.sign in CATEGORY_OF
                   for start, _end in _occurrences(term, folded))
    people = [category for _start, category in named if category is not Category.DAILY_LIFE]
    return (people or [category for _start, category in named] or [None])[0]


def _term(text: str, sign: Sign, language: str) -> _Term:
    folded = fold(text)
    pattern = (re.compile(rf"(?<![a-z']){re.escape(folded)}(?![a-z])")
               if _LATIN.search(folded) else None)
    return _Term(folded, sign, language, pattern)


@lru_cache(maxsize=256)
def lexicon(own: tuple[str, ...] = (), off: tuple[str, ...] = ()) -> Lexicon:
    """The built-in signs without those switched ``off``, and a community's ``own`` words."""
    switched_off = {fold(word) for word in off}
    terms = tuple(_term(text, sign, language)
                  for language in LANGUAGES
                  for sign, texts in SIGNS[language].items()
                  for text in texts if fold(text) not in switched_off)
    return Lexicon(terms, tuple(word for word in own if fold(word) not in switched_off))


def built_in(word: str) -> bool:
    folded = fold(word)
    return any(fold(text) == folded for signs in SIGNS.values()
               for texts in signs.values() for text in texts)


class Change(StrEnum):
    ADDED = "added"  # to the community's own words
    SWITCHED_ON = "switched_on"  # a built-in sign it had switched off
    REMOVED = "removed"  # from its own words
    SWITCHED_OFF = "switched_off"  # a built-in sign, here
    ALREADY = "already"  # nothing to change
    UNKNOWN = "unknown"  # neither its own word nor a built-in sign


@dataclass(frozen=True)
class WordChange:
    """What ``/riskwords add|remove`` changes: one setting (``risk_words`` or
    ``risk_words_off``) and its new value."""

    change: Change
    setting: str = ""
    value: tuple[str, ...] = ()


def adding(word: str, own: Sequence[str], off: Sequence[str]) -> WordChange:
    """A word of the community's own (enough alone), or a built-in sign switched on again."""
    if word in off:
        return WordChange(Change.SWITCHED_ON, "risk_words_off",
                          tuple(w for w in off if w != word))
    if word in own:
        return WordChange(Change.ALREADY)
    return WordChange(Change.ADDED, "risk_words", (*own, word))


def removing(word: str, own: Sequence[str], off: Sequence[str]) -> WordChange:
    """One of the community's own words removed, or a built-in sign switched off here."""
    if word in own:
        return WordChange(Change.REMOVED, "risk_words", tuple(w for w in own if w != word))
    if word in off:
        return WordChange(Change.ALREADY)
    if built_in(word):
        return WordChange(Change.SWITCHED_OFF, "risk_words_off", (*off, word))
    return WordChange(Change.UNKNOWN)


def of_settings(risk_words: Sequence[str] | None,
                risk_words_off: Sequence[str] | None) -> Lexicon:
    """The lexicon of a place's settings: its own words, and the built-in signs it keeps."""
    return lexicon(tuple(risk_words or ()), tuple(risk_words_off or ()))


def reason(found: Risk | None) -> str | None:
    """What a wish keeps of why it is a risk alert (``Wish.risk``)."""
    return " · ".join(found.words)[:200] if found is not None else None
