"""The risk words against wishes as residents write them: every miss and every false alarm
fails, in each language."""

from __future__ import annotations

import pytest

from storage import risk
from storage.models import Category

# (text, a social worker would want the duty worker paged at once)
ZH_HANS = [
    ("楼下王奶奶独居，今天摔倒了起不来", True),
    ("302的李大爷一个人住，早上在卫生间摔倒了，喊了半天才有人听见", True),
    ("我妈八十多岁了，刚才在家跌倒，现在爬不起来，我在外地赶不回去", True),
    ("隔壁独居的张阿婆好几天没出门了，敲门也没人应", True),
    ("对门的老人两天没吃饭了，家里什么吃的都没有", True),
    ("有位老人走失了，穿蓝色外套，说话有点糊涂", True),
    ("我爷爷有老年痴呆，早上出门到现在还没回来", True),
    ("楼道里一股很浓的煤气味，不知道是哪家漏气了", True),
    ("3栋2单元闻到燃气泄漏的味道，敲门没人应", True),
    ("我一个人在家，发高烧，头晕得起不来床", True),
    ("邻居大姐最近总说不想活了，我很担心她", True),
    ("独居的刘爷爷今天说胸口疼，喘不上气", True),
    ("楼上好像着火了，一直在冒烟，家里只有孩子", True),
    ("5号楼的孙奶奶晕倒在楼梯口，叫不醒", True),
    ("我失业三个月了，家里已经断粮，孩子也跟着挨饿", True),
    ("8岁的孩子放学到现在还没回家，电话手表也打不通", True),
    ("坐轮椅的陈叔叔从床上摔下来了，自己起不来", True),
    ("独居的赵奶奶吃坏了肚子，一直呕吐", True),
    ("我真的撑不下去了，想结束自己的生命", True),
    ("空巢老人周爷爷病倒了，子女都在外地，没人照顾", True),
    ("楼下老太太在小区门口迷路了，找不到家", True),
    ("厨房的燃气灶关不上，一直在漏气", True),
    ("外婆刚才突然说不出话，半边身子动不了，像是中风了", True),
    ("有个老人倒在公园路边，怎么叫都不醒", True),
    ("王大爷独居。今天早上他在楼道里摔倒了。", True),
    ("三楼的独居老太太摔在厨房地上了，自己爬不起来", True),
    ("我爸一个人在家，刚才打电话说头很晕，站都站不稳", True),
    ("楼下的老爷爷已经三天没下楼了，打电话也没人接", True),
    ("我女儿说不想上学了，还说活着没意思，想死", True),
    ("单元门口有股很大的天然气味道", True),
    ("小区里有个老奶奶找不到回家的路，一直在哭", True),
    ("邻居家孩子一个人在家，大人两天没回来了，孩子说饿", True),
    ("隔壁爷爷在阳台上晕过去了", True),
    ("我们这栋楼电瓶车着火了，楼道里全是烟", True),
    ("独居的吴阿姨发烧三天了，一直没人照顾", True),
    ("独居老人家里的热水器坏了，想请人帮忙看看", False),
    ("想给独居的奶奶家里装个扶手，防止她晚上起夜摔倒", False),
    ("楼道灯坏了好几天，晚上老人走路容易摔倒", False),
    ("我家的猫走丢了，橘色的，有看到的邻居请告诉我", False),
    ("奶奶的手机摔坏了，想找人帮忙修一下", False),
    ("燃气灶打不着火了，想请师傅来修", False),
    ("想请志愿者每周陪独居的李爷爷聊聊天", False),
    ("孩子的数学作业不会做，想找大学生志愿者辅导", False),
    ("社区的燃气费在哪里交？家里老人不会用手机缴费", False),
    ("奶奶腿脚不方便，想请人每周帮忙买一次菜", False),
    ("上个月爷爷摔倒骨折了，现在恢复得不错，想借一个轮椅", False),
    ("帮孤寡老人打扫卫生，有没有志愿者愿意一起", False),
    ("我家老人想学用智能手机视频通话", False),
    ("想为小区的独居老人办一次防跌倒讲座", False),
    ("家里水管漏水了，楼下邻居说天花板在滴水", False),
    ("独自在家的王奶奶想找人陪她去医院复查眼睛", False),
    ("孩子放学后没人接，想找志愿者帮忙接一下", False),
    ("我妈的老花镜不见了，能不能帮忙配一副", False),
    ("想给瘫痪在床的大伯申请一张护理床", False),
    ("小区什么时候消防演习？家里有老人想提前知道", False),
    ("奶奶有点感冒，想请人帮忙买点药送过来", False),
    ("我一个人住，想找人周末一起去公园散步", False),
    ("能不能帮忙问问煤气罐在哪里可以换", False),
    ("孩子迷上了手机游戏，想请社工和他聊聊", False),
    ("爷爷担心自己会摔倒，想在卫生间装个防滑垫", False),
    ("老人经常迷路，想给他办一个防走失手环", False),
    ("家里孩子生病了，想请人帮忙去药店买退烧药", False),
    ("帮独居老人换个灯泡", False),
    ("社区能不能组织独居老人体检", False),
    ("奶奶想要一本大字版的书", False),
    ("想请人帮忙给老人家的燃气灶换个开关", False),
    ("孩子走路不小心摔了一下，膝盖擦破皮，想问社区有没有创可贴", False),
    ("楼下的垃圾桶满了，味道很大", False),
    ("爷爷的降压药吃完了，想请人去医院帮忙开药", False),
    ("谁家的小狗一直在楼道里叫，好像走丢了", False),
]

ZH_HANT = [
    ("樓下王奶奶獨居，今天摔倒了起不來", True),
    ("隔壁的阿嬤一個人住，早上在浴室跌倒，爬不起來", True),
    ("對門獨居的陳伯伯好幾天沒出門了，敲門也沒人應", True),
    ("我爸八十多歲，剛才在客廳摔倒，站不起來", True),
    ("樓梯間有很重的瓦斯味，不知道是哪一戶外洩", True),
    ("廚房的瓦斯爐一直在漏氣，關不掉", True),
    ("有位長者在公園走失了，穿灰色外套，講話不太清楚", True),
    ("我阿公有失智，中午出門到現在還沒回來", True),
    ("鄰居阿姨最近常說活不下去了，我很怕她想不開", True),
    ("獨居的李婆婆發高燒，一直嘔吐", True),
    ("樓上那戶好像著火了，窗戶在冒煙", True),
    ("5樓的林奶奶昏倒在電梯口，叫不醒", True),
    ("我們家已經斷糧兩天了，孩子一直在挨餓", True),
    ("對門的老人兩天沒吃飯了，家裡什麼吃的都沒有", True),
    ("我一個人在家，胸口痛，喘不過氣", True),
    ("坐輪椅的張叔叔從床上摔下來，自己起不來", True),
    ("十歲的孩子放學到現在還沒回家，電話也打不通", True),
    ("外婆突然說不出話，半邊身體不能動，好像是中風", True),
    ("有人在社區門口倒在地上，怎麼叫都不醒", True),
    ("我真的不想活了，想結束自己的生命", True),
    ("空巢的吳爺爺病倒了，子女都在國外，沒人照顧", True),
    ("樓下老太太在市場附近迷路了，找不到回家的路", True),
    ("劉伯伯獨居。今天早上他在樓梯摔倒了。", True),
    ("三樓的獨居阿嬤在廚房跌倒，自己爬不起來", True),
    ("我爸一個人在家，剛才說頭很暈，站都站不穩", True),
    ("樓下的老伯伯已經三天沒下樓了，電話也沒人接", True),
    ("我女兒說活著沒意思，想死", True),
    ("大樓門口有很重的瓦斯味", True),
    ("社區裡有個老婆婆找不到回家的路，一直在哭", True),
    ("隔壁爺爺在陽台上暈過去了", True),
    ("樓下機車起火了，樓梯間都是煙", True),
    ("獨居長者家裡的熱水器壞了，想請人幫忙看看", False),
    ("想幫獨居的阿嬤在浴室裝扶手，防止她晚上摔倒", False),
    ("樓梯燈壞了很多天，晚上老人家走路容易跌倒", False),
    ("我家的貓走丟了，橘色的，有看到的鄰居請告訴我", False),
    ("阿公的手機摔壞了，想找人幫忙修理", False),
    ("瓦斯爐打不著火了，想請師傅來修", False),
    ("想請志工每週陪獨居的王爺爺聊聊天", False),
    ("孩子的數學作業不會寫，想找大學生志工輔導", False),
    ("瓦斯費要去哪裡繳？家裡長輩不會用手機付款", False),
    ("奶奶腿腳不方便，想請人每週幫忙買一次菜", False),
    ("上個月爺爺跌倒骨折了，現在恢復得不錯，想借一台輪椅", False),
    ("幫孤寡老人打掃環境，有沒有志工願意一起", False),
    ("家裡的長輩想學用智慧型手機視訊", False),
    ("想替社區的獨居長者辦一場防跌倒講座", False),
    ("家裡水管漏水，樓下鄰居說天花板在滴水", False),
    ("阿嬤有點感冒，想請人幫忙買藥送過來", False),
    ("我一個人住，想找人週末一起去公園散步", False),
    ("社區什麼時候消防演習？家裡有老人想先知道", False),
    ("爺爺擔心自己會摔倒，想在浴室鋪防滑墊", False),
    ("老人家經常迷路，想幫他申請防走失手環", False),
    ("我媽的老花眼鏡不見了，能不能幫忙配一副", False),
    ("想替癱瘓在床的伯伯申請一張照護床", False),
    ("孩子發燒了，想請人幫忙去藥局買退燒藥", False),
    ("能不能幫忙問一下桶裝瓦斯要去哪裡換", False),
    ("幫獨居長者換燈泡", False),
    ("社區能不能辦獨居長者健康檢查", False),
    ("奶奶想要一本大字版的書", False),
    ("樓下的垃圾桶滿了，味道很重", False),
    ("爺爺的血壓藥吃完了，想請人去醫院幫忙拿藥", False),
    ("誰家的小狗一直在樓梯間叫，好像走丟了", False),
]

EN = [
    ("Mrs Wang downstairs lives alone and fell today, she can't get up", True),
    ("My grandmother fell in the bathroom this morning and cannot get up", True),
    ("The old man next door lives alone and is very ill, he can't breathe properly", True),
    ("Haven't seen the elderly lady in 302 for three days, no answer at the door", True),
    ("My neighbour is in her eighties and hasn't eaten for two days", True),
    ("An old man with dementia went missing from the park this afternoon, grey coat", True),
    ("My grandpa has Alzheimer's and hasn't come home since this morning", True),
    ("There is a strong smell of gas on the third floor stairs", True),
    ("Gas is leaking from the cooker and we cannot turn it off", True),
    ("I live alone and have a high fever, I'm too dizzy to stand", True),
    ("My friend keeps saying she wants to die and has stopped eating", True),
    ("The flat upstairs caught fire, there is smoke everywhere", True),
    ("Grandma Sun collapsed near the lift and we can't wake her", True),
    ("We have had no food for three days and the children are hungry", True),
    ("My 8-year-old boy has not come home from school and is not answering his phone", True),
    ("The disabled man in 5B slipped in the shower and could not get up", True),
    ("I don't want to live any more, I am thinking of suicide", True),
    ("Mr Li is alone and unwell, his children are abroad", True),
    ("An elderly woman got lost near the market and cannot find her way home", True),
    ("Someone fainted in the courtyard and is unconscious", True),
    ("My husband beats me, it is domestic violence", True),
    ("The old lady next door has fallen on the stairs, please come", True),
    ("Grandpa Zhou lives alone. This morning he fell in the kitchen.", True),
    ("The old lady on the third floor fell in her kitchen and can't get up by herself", True),
    ("My dad is home alone and says he feels very dizzy and sick", True),
    ("The elderly man downstairs hasn't been seen for three days and his phone rings out", True),
    ("My daughter says life is pointless and she wants to kill herself", True),
    ("There's a strong gas smell at the entrance of building 4", True),
    ("An old woman in the courtyard can't find her way home and is crying", True),
    ("Grandpa next door passed out on his balcony", True),
    ("An e-bike caught fire in our stairwell, it's full of smoke", True),
    ("The water heater of an elderly man who lives alone is broken", False),
    ("Could someone fit a handrail for my grandmother who lives alone, to prevent falls", False),
    ("The stairwell light has been broken for days, old people might fall", False),
    ("Our cat is missing, orange and white, please tell me if you see her", False),
    ("Grandpa's phone fell and the screen is broken, can someone fix it", False),
    ("The gas stove will not light, we need a repair", False),
    ("Could a volunteer chat with Mr Li, who lives alone, once a week", False),
    ("My son needs help with maths homework, is there a tutor", False),
    ("Where do I pay the gas bill? My parents are elderly and cannot use the app", False),
    ("Grandma has bad knees and needs someone to do her shopping weekly", False),
    ("Grandpa fell last month and broke his hip, he is recovering and needs a wheelchair",
     False),
    ("Looking for volunteers to help clean the homes of elderly people", False),
    ("My mother would like to learn video calls on her smartphone", False),
    ("Let's organise a fall prevention talk for seniors who live alone", False),
    ("Water is leaking from my ceiling, the neighbour upstairs says the pipe broke", False),
    ("My grandmother has a cold, could someone bring her some medicine", False),
    ("I live alone and would like company for a walk in the park at weekends", False),
    ("When is the fire drill? My elderly father wants to know in advance", False),
    ("My grandfather is worried he might slip in the bath, can someone lay a mat", False),
    ("My dad often gets lost, we want a GPS tracker for him", False),
    ("My mother lost her glasses, can someone help her get new ones", False),
    ("The fire extinguisher in our building has expired", False),
    ("My child has a fever, could someone pick up medicine from the pharmacy", False),
    ("The kids fell asleep on the bus, could someone help carry the shopping", False),
    ("Please help an elderly neighbour who lives alone change a light bulb", False),
    ("Can the community organise health checks for seniors living alone", False),
    ("Grandma would like a large-print book", False),
    ("The bins downstairs are full and smell terrible", False),
    ("Grandpa ran out of blood pressure pills, can someone collect them", False),
    ("Somebody's puppy is barking in the stairwell, it seems lost", False),
]

SETS = {"zh_Hans": ZH_HANS, "zh_Hant": ZH_HANT, "en": EN}


def wrong_answers(texts: list[tuple[str, bool]]) -> tuple[list[str], list[str]]:
    """The misses and the false alarms of the built-in signs on ``texts``."""
    found = risk.lexicon()
    misses = [text for text, at_risk in texts if at_risk and found.find(text) is None]
    false_alarms = [text for text, at_risk in texts if not at_risk and found.find(text)]
    return misses, false_alarms


@pytest.mark.parametrize("language", SETS)
def test_the_risk_words_miss_nothing_and_raise_no_false_alarm(language: str) -> None:
    texts = SETS[language]
    assert len(texts) >= 45
    assert sum(at_risk for _text, at_risk in texts) >= 20
    assert sum(not at_risk for _text, at_risk in texts) >= 20
    misses, false_alarms = wrong_answers(texts)
    assert (misses, false_alarms) == ([], [])


# The first version: any of these words in a wish was a risk alert.
FIRST_WORDS = (
    "摔倒", "跌倒", "摔跤", "晕倒", "昏倒", "昏迷", "没饭吃", "没有饭吃", "断粮", "挨饿",
    "独居", "一个人在家", "走失", "自杀", "轻生", "不想活", "煤气", "燃气泄漏", "着火", "失火",
    "暈倒", "沒飯吃", "沒有飯吃", "斷糧", "獨居", "一個人在家", "輕生", "煤氣", "燃氣洩漏",
    "著火", "fell", "fallen", "a fall", "no food", "alone", "unconscious", "fainted",
    "suicide", "missing", "gas leak", "fire",
)


def single_words(text: str) -> bool:
    return any(word in risk.fold(text) for word in FIRST_WORDS)


def test_the_first_version_single_words_missed_and_raised_false_alarms() -> None:
    """The set measures what it claims: single words were wrong on it in both ways."""

    texts = ZH_HANS + ZH_HANT + EN
    assert [text for text, at_risk in texts if not at_risk and single_words(text)]
    assert [text for text, at_risk in texts if at_risk and not single_words(text)]


def test_a_risk_says_why_and_what_kind_of_help() -> None:
    found = risk.lexicon().find("楼下王奶奶独居，今天摔倒了起不来")
    assert found is not None
    assert found.category is Category.ELDERLY
    assert set(found.words) <= {"奶奶", "独居", "楼下", "摔倒", "起不来"} and len(found.words) == 2
    assert risk.lexicon().find("楼道里一股很浓的煤气味").category is Category.DAILY_LIFE
    assert risk.lexicon().find("8岁的孩子放学到现在还没回家").category is Category.CHILDREN
    assert risk.lexicon().find("我真的不想活了").category is None


def test_a_community_adds_its_own_words_and_switches_off_built_in_ones() -> None:
    own = risk.lexicon(own=("漏水",))
    assert own.find("家里水管漏水了").words == ("漏水",)
    off = risk.lexicon(off=("冒烟",))
    assert off.find("楼上一直在冒烟") is None
    assert off.find("楼上着火了") is not None
    assert risk.built_in("冒烟") and not risk.built_in("漏水")


def test_adding_and_removing_change_one_setting() -> None:
    added = risk.adding("漏水", [], [])
    assert (added.change, added.setting, added.value) == (risk.Change.ADDED, "risk_words",
                                                          ("漏水",))
    assert risk.adding("漏水", ["漏水"], []).change is risk.Change.ALREADY
    off = risk.removing("冒烟", [], [])
    assert (off.change, off.setting, off.value) == (risk.Change.SWITCHED_OFF,
                                                    "risk_words_off", ("冒烟",))
    on = risk.adding("冒烟", [], ["冒烟"])
    assert (on.change, on.setting, on.value) == (risk.Change.SWITCHED_ON, "risk_words_off", ())
    removed = risk.removing("漏水", ["漏水", "停电"], [])
    assert (removed.change, removed.value) == (risk.Change.REMOVED, ("停电",))
    assert risk.removing("停水", [], []).change is risk.Change.UNKNOWN
