"""Near-duplicate clues: normalization, scores on realistic reports, MinHash/LSH, grouping, and benchmarks.

The benchmarks run with ``pytest tests/clues/test_similarity.py --benchmark-only -m bench -s`` (about 6
minutes on 2 slow cores: 100,000 subjects, a million clues; TANHUA_BENCH_SUBJECTS=N for fewer).
"""

import hashlib
import itertools
import os
import random
import subprocess
import sys
import time

import opencc
import pytest

from tanhua.clues import similarity
from tanhua.clues.similarity import (
    THRESHOLD,
    MinHasher,
    candidates,
    group,
    index_keys,
    jaccard,
    normalize,
    score,
    set_score,
    shingles,
    similar,
)

# Realistic reports. Each subject's clues share its name, post and unit, as real ones do.
TEXTS = {
    # 城厢区柳桥镇党委书记李庆庆: one untendered road contract reported three times, other matters.
    "road_letter": "群众来信反映：城厢区柳桥镇党委书记李庆庆利用职务便利，将柳桥镇2023年通村道路硬化工程（合同金额约"
    "380万元）未经公开招标，直接交由其妻弟王建军实际控制的清河市建安路桥工程有限公司承建，工程质量差，部分路段"
    "通车不到半年即出现开裂。",
    "road_hotline": "市民来电反映，柳桥镇党委书记李庆庆的妻弟王建军承包了镇里的通村道路硬化工程，没有经过招标，金额"
    "三百八十万左右，路修好不到半年就开裂了。",
    "road_inspection": "区委第二巡察组巡察柳桥镇时发现，2023年通村道路硬化工程380万元未履行公开招标程序，由镇党委"
    "书记李庆庆妻弟王建军的建安路桥公司直接承建。",
    "poverty": "反映城厢区柳桥镇党委书记李庆庆在2022年脱贫攻坚成效考核中，授意镇扶贫办在柳桥村虚报贫困户收入，"
    "伪造入户走访记录和帮扶台账，应付上级检查。",
    "li_wedding": "群众举报，城厢区柳桥镇党委书记李庆庆为女儿举办婚宴，收受镇内多名工程老板和村干部礼金，共计8万余元。",
    "li_wedding_letter": "实名举报信：城厢区柳桥镇党委书记李庆庆于2024年10月2日在柳桥镇金湖山庄为女儿李婷举办婚宴，共摆"
    "酒席32桌，宴请对象除亲友外，还有在柳桥镇承揽工程的老板王建军、刘文斌等人以及全镇13个村的村干部。据了解，王建军"
    "送礼金2万元，刘文斌送礼金1万元，各村干部每人送礼金1000至2000元不等，李庆庆全部收下，总数在8万元以上。此事在镇里"
    "影响很坏，干部群众议论纷纷。",
    "li_wedding_call": "12345热线：市民来电称柳桥镇李书记女儿结婚，收了老板和村干部不少礼金。",
    "water_project": "反映城厢区柳桥镇党委书记李庆庆插手柳桥村自来水管网改造工程，指定其大学同学刘文斌的公司承建，"
    "工程款120万元，未经公开招标。",
    # 清河市交通运输局局长赵志刚: a public car at weekends (phone, spot check), a wedding (twice), fuel cards.
    "car_phone": "12345热线来电：清河市交通运输局局长赵志刚经常在周末开单位的公车（车牌苏E·3M215）回沙溪县老家，"
    "还带家人去水库钓鱼，希望有关部门查处。",
    "car_check": "市纪委监委在节假日公车使用专项检查中发现，清河市交通运输局局长赵志刚于5月18日（星期六）驾驶公务"
    "用车苏E3M215前往沙溪县老家，无派车审批记录，属公车私用。",
    "wedding_letter": "群众举报，清河市交通运输局局长赵志刚为儿子操办婚宴，宴请60余桌，收受辖区内运输企业老板礼金共计"
    "十余万元。",
    "wedding_hotline": "反映市交通运输局局长赵志刚借儿子结婚之机大操大办，在清河大酒店摆了60多桌酒席，多名运输企业"
    "老板送了礼金，合计十几万元。",
    "fuel_card": "清河市交通运输局局长赵志刚长期使用单位公务加油卡为自家私家车加油，一年多来累计加油金额2万余元。",
    # 沙溪县教育局副局长陈玉梅: two different 四风 matters, the first one reported twice.
    "allowance": "举报沙溪县教育局副局长陈玉梅2023年以“课题研究费”名义违规向局机关干部发放津贴补贴，共计23万元。",
    "allowance_again": "沙溪县教育局副局长陈玉梅以课题研究费的名义给局机关干部发钱，2023年共发了23万元，属于违规发放"
    "津贴补贴。",
    "banquet": "反映沙溪县教育局副局长陈玉梅多次在县城“渔家乐”饭店用公款宴请，费用以会议费名义在局里报销。",
    "training_gift": "沙溪县教育局副局长陈玉梅违规接受县城一家培训机构负责人的宴请，并收受购物卡5000元。",
    # 城厢街道办事处主任孙浩: a paid side job, the second report in Traditional characters.
    "sideline": "反映城厢街道办事处主任孙浩违规在辖区私营企业兼职取酬，每月从清河市华盛物流有限公司领取“顾问费”"
    "8000元，至今已两年多。",
    "sideline_traditional": "據群眾反映，城廂街道辦事處主任孫浩在轄區私營企業違規兼職取酬，每月從清河市華盛物流有限公司"
    "領取「顧問費」8000元，已持續兩年多。",
    # 清河市财政局, a clue naming only the unit: festival gifts (twice), office space.
    "mooncakes": "反映清河市财政局2023年中秋节前用公款购买月饼和购物卡，发放给全局干部职工，每人价值约1500元。",
    "mooncakes_again": "清河市财政局中秋节给全局干部职工发购物卡和月饼，每人1500元左右，钱是从单位公用经费里出的。",
    "offices": "反映清河市财政局在办公楼装修改造中超标准配置办公用房，局领导办公室面积均超过规定标准。",
    # 柳桥镇柳桥村党支部书记周德明: subsistence allowances for relatives (twice), land compensation.
    "dibao": "柳桥镇柳桥村党支部书记周德明优亲厚友，将其弟弟、弟媳等不符合条件的亲属纳入低保，每月领取低保金。",
    "dibao_again": "反映柳桥村党支部书记周德明给自己的弟弟和弟媳违规办理低保，他们家有车有房，根本不符合低保条件。",
    "land": "柳桥镇柳桥村党支部书记周德明在土地征收中虚报青苗补偿面积，套取征地补偿款约12万元。",
}

# What the caller knows of each subject: name, post, unit and the unit's short name.
SUBJECTS = {
    "li": ("李庆庆", "党委书记", "城厢区柳桥镇", "柳桥镇"),
    "zhao": ("赵志刚", "局长", "清河市交通运输局", "市交通运输局"),
    "chen": ("陈玉梅", "副局长", "沙溪县教育局", "县教育局"),
    "sun": ("孙浩", "主任", "城厢街道办事处", "城厢街道"),
    "finance": ("清河市财政局", "市财政局"),
    "zhou": ("周德明", "党支部书记", "柳桥镇柳桥村", "柳桥村"),
}
SUBJECT_OF = {
    "li": [
        "road_letter", "road_hotline", "road_inspection", "poverty",
        "li_wedding", "li_wedding_letter", "li_wedding_call", "water_project",
    ],
    "zhao": ["car_phone", "car_check", "wedding_letter", "wedding_hotline", "fuel_card"],
    "chen": ["allowance", "allowance_again", "banquet", "training_gift"],
    "sun": ["sideline", "sideline_traditional"],
    "finance": ["mooncakes", "mooncakes_again", "offices"],
    "zhou": ["dibao", "dibao_again", "land"],
}
SUBJECT = {name: subject for subject, names in SUBJECT_OF.items() for name in names}

SIMILAR = [
    ("road_letter", "road_hotline"),  # a detailed letter and a brief call
    ("road_letter", "road_inspection"),
    ("road_hotline", "road_inspection"),
    ("li_wedding", "li_wedding_letter"),  # a short report and a long letter with every detail
    ("li_wedding_call", "li_wedding"),
    ("car_phone", "car_check"),  # a call and a spot-check finding
    ("wedding_letter", "wedding_hotline"),
    ("allowance", "allowance_again"),
    ("sideline", "sideline_traditional"),  # Traditional characters
    ("mooncakes", "mooncakes_again"),  # a clue naming only a unit
    ("dibao", "dibao_again"),
]
DIFFERENT = [
    ("road_letter", "poverty"),  # same official, same village
    ("road_hotline", "poverty"),
    ("road_inspection", "poverty"),
    ("road_letter", "li_wedding"),
    ("road_hotline", "water_project"),
    ("poverty", "li_wedding"),
    ("road_letter", "li_wedding_letter"),  # the contractor of the road is among the wedding's guests
    ("water_project", "li_wedding_letter"),
    ("li_wedding_call", "road_hotline"),
    ("car_phone", "wedding_letter"),  # a public car against gifts at a wedding
    ("car_check", "wedding_hotline"),
    ("car_phone", "wedding_hotline"),
    ("car_phone", "fuel_card"),
    ("car_check", "fuel_card"),
    ("allowance", "banquet"),  # two different 四风 matters
    ("allowance_again", "banquet"),
    ("banquet", "training_gift"),
    ("allowance", "training_gift"),
    ("mooncakes", "offices"),
    ("mooncakes_again", "offices"),
    ("dibao", "land"),
    ("dibao_again", "land"),
]
# The same kind of matter twice (two untendered projects of one town): bigrams cannot tell them apart.
SAME_KIND = [("road_letter", "water_project"), ("road_inspection", "water_project")]


def pair_score(a, b, use_ignore=True):
    return score(TEXTS[a], TEXTS[b], ignore=SUBJECTS[SUBJECT[a]] if use_ignore else ())


# normalize, shingles, scores


def test_normalize():
    assert normalize("群眾來信反映：城廂區柳橋鎮黨委書記李慶慶，存在問題！") == "城厢区柳桥镇党委书记李庆庆"
    assert normalize("Ｅ３Ｍ２１５ 号车，金额 1,500 元。") == "e3m215号车金额1500元"
    assert normalize("⑴据反映，有人在“渔家乐”打牌  ……\n") == "1在渔家乐打牌"
    assert normalize("2023年5月18日") == "2023年5月18日"
    # How the matter arrived, and the request that ends a hotline record, say nothing of the matter.
    assert normalize("市民来电反映：路灯不亮。希望有关部门调查处理！") == "路灯不亮"
    assert normalize("巡察发现，经查，台账系伪造，请求查处。") == "台账系伪造"


def test_normalize_ignores_the_subject_whole_before_the_filler():
    ignore = ("李慶慶", "党委书记", "城厢区柳桥镇", "柳桥镇")
    assert normalize("城厢区柳桥镇党委书记李庆庆的妻弟承包工程", ignore=ignore) == "的妻弟承包工程"
    # A unit whose name contains a filler word goes as a whole.
    assert normalize("县委群众工作部部长反映", ignore=["县委群众工作部"]) == "部长"
    assert normalize("部长", ignore=["", "  "]) == "部长"
    assert normalize("李庆庆的庆功宴", ignore="李庆庆") == "的庆功宴"  # a string is one term


def test_shingles():
    assert shingles("公车私用") == {"公车", "车私", "私用"}
    assert shingles("公车私用", n=3) == {"公车私", "车私用"}
    assert shingles("车") == {"车"}
    assert shingles("反映问题。") == frozenset()


def test_jaccard_containment_and_set_score():
    a, b = frozenset("abcd"), frozenset("cdef")
    assert jaccard(a, b) == 2 / 6 and similarity.containment(a, b) == 2 / 4
    assert jaccard(frozenset(), frozenset()) == 0.0 and set_score(a, frozenset()) == 0.0
    assert set_score(a, a) == 1.0  # identical short texts, despite the containment floor
    long = frozenset(range(40))
    # The mean of Jaccard and containment; a short text inside a long one counts 10 shingles for the latter.
    assert set_score(frozenset(range(4)), long) == (4 / 40 + 4 / 10) / 2
    assert set_score(frozenset(range(20)), long) == (20 / 40 + 1) / 2


# Calibration on the examples


@pytest.mark.parametrize(("a", "b"), SIMILAR)
def test_reworded_reports_of_one_matter_are_similar(a, b):
    assert similar(TEXTS[a], TEXTS[b], ignore=SUBJECTS[SUBJECT[a]]), pair_score(a, b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_matters_about_the_same_subject_are_not(a, b):
    assert not similar(TEXTS[a], TEXTS[b], ignore=SUBJECTS[SUBJECT[a]]), pair_score(a, b)


def test_ignoring_the_subject_separates_the_matters():
    with_ignore = [pair_score(a, b) for a, b in SIMILAR], [pair_score(a, b) for a, b in DIFFERENT]
    without = [pair_score(a, b, False) for a, b in SIMILAR], [pair_score(a, b, False) for a, b in DIFFERENT]
    # Without it the shared name, post and unit lift most different matters over the threshold, and
    # to where reworded ones are...
    assert sum(value >= THRESHOLD for value in without[1]) > len(DIFFERENT) / 2
    assert min(without[0]) - max(without[1]) < 0.05
    # ...with it, a gap of twice with the threshold in it (nearer the reworded ones, see THRESHOLD).
    assert max(with_ignore[1]) < THRESHOLD - 0.05 and min(with_ignore[0]) >= THRESHOLD
    assert min(with_ignore[0]) / max(with_ignore[1]) > 2


def test_containment_finds_summaries_that_jaccard_misses():
    # A long letter shares most of a short report but little of itself with it: Jaccard alone would need a
    # threshold under 0.1, where it joins different matters (on generated clues its best is 0.1).
    a, b = (shingles(TEXTS[name], ignore=SUBJECTS["li"]) for name in ("li_wedding", "li_wedding_letter"))
    assert jaccard(a, b) < 0.09 and set_score(a, b) >= THRESHOLD + 0.05


def test_traditional_text_equals_its_simplified_original():
    traditional = opencc.OpenCC("s2t").convert(TEXTS["road_letter"])
    assert traditional != TEXTS["road_letter"]
    assert score(traditional, TEXTS["road_letter"]) == 1.0


def test_same_kind_of_matter_is_a_known_limit():
    # Documented, not wanted: two untendered projects of one town read as one matter.
    assert all(pair_score(a, b) >= THRESHOLD for a, b in SAME_KIND)


# MinHash and LSH

EXPECTED_TEXT = "城厢区柳桥镇党委书记李庆庆违规收受礼金"


def test_signature_is_fixed():
    # Fixed values: a change of hashing must be noticed, since stored band keys would stop matching.
    signature = MinHasher().signature(EXPECTED_TEXT)
    assert len(signature) == 64
    assert signature[:3] == (52398756393283853, 44855326538444772, 93611260162668322)
    assert MinHasher.band_keys(signature)[:2] == ["000d717e2de4af9b8c", "0122f7f8f467ee5402"]
    assert similarity.VERSION == 1


def test_signature_is_the_same_in_another_process():
    code = f"from tanhua.clues.similarity import index_keys; print(index_keys({EXPECTED_TEXT!r}))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == str(index_keys(EXPECTED_TEXT))


def test_signature_is_the_minimum_of_each_permutation():
    # The packed lane-wise minimum against the plain definition.
    hasher = MinHasher(num_perm=16, seed=7)
    prime = (1 << 61) - 1
    for text in TEXTS.values():
        hashed = [int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little") for s in shingles(text)]
        expected = tuple(min((a * x + b) % prime for x in hashed) for a, b in hasher._params)
        assert hasher.signature(text) == expected


def test_seed_and_size_change_the_signature():
    assert MinHasher(seed=2).signature(EXPECTED_TEXT) != MinHasher().signature(EXPECTED_TEXT)
    assert len(MinHasher(num_perm=128).signature(EXPECTED_TEXT)) == 128


def test_similarity_estimates_jaccard():
    hasher = MinHasher(num_perm=256)
    for a, b in SIMILAR + DIFFERENT:
        ignore = SUBJECTS[SUBJECT[a]]
        exact = jaccard(shingles(TEXTS[a], ignore=ignore), shingles(TEXTS[b], ignore=ignore))
        estimate = hasher.similarity(hasher.signature(TEXTS[a], ignore), hasher.signature(TEXTS[b], ignore))
        assert abs(estimate - exact) < 0.12, (a, b)


def test_band_keys():
    signature = MinHasher().signature(EXPECTED_TEXT)
    keys = MinHasher.band_keys(signature)
    assert len(keys) == 32 and len(set(keys)) == 32
    assert all(len(key) == 18 and key.startswith(f"{band:02x}") for band, key in enumerate(keys))
    assert [len(k) for k in MinHasher.band_keys(signature, bands=16)] == [34] * 16
    assert MinHasher.band_keys(MinHasher().signature("反映问题")) == []
    with pytest.raises(ValueError):
        MinHasher.band_keys(signature, bands=65)


def keys_of(name):
    return set(index_keys(TEXTS[name], ignore=SUBJECTS[SUBJECT[name]]))


def test_band_keys_are_shared_by_similar_pairs_and_seldom_by_different_ones():
    # Reworded reports often have a Jaccard near 0.1, where two texts share a key one time in four.
    shared = [a for a, b in SIMILAR if keys_of(a) & keys_of(b)]
    assert len(shared) >= len(SIMILAR) / 2
    # Jaccard of 0.3 or more: always a candidate.
    for a, b in SIMILAR:
        ignore = SUBJECTS[SUBJECT[a]]
        if jaccard(shingles(TEXTS[a], ignore=ignore), shingles(TEXTS[b], ignore=ignore)) >= 0.3:
            assert keys_of(a) & keys_of(b), (a, b)
    assert sum(bool(keys_of(a) & keys_of(b)) for a, b in DIFFERENT) <= 1


def test_candidates_from_an_index():
    index = {}
    for name in SUBJECT_OF["li"]:
        if name != "road_hotline":
            for key in keys_of(name):
                index.setdefault(key, []).append(name)
    found = candidates(keys_of("road_letter") | keys_of("road_inspection"), index)
    assert {"road_letter", "road_inspection"} <= found
    confirmed = {name for name in found if pair_score("road_letter", name) >= THRESHOLD}
    assert {"road_letter", "road_inspection"} <= confirmed and "poverty" not in confirmed
    assert candidates([], index) == set()


def test_matches_scores_a_new_clue_against_its_subject():
    others = [(name, TEXTS[name]) for name in SUBJECT_OF["li"] if name != "road_letter"]
    found = similarity.matches(TEXTS["road_letter"], others, ignore=SUBJECTS["li"])
    assert [key for key, _ in found] == ["road_inspection", "road_hotline", "water_project"]
    assert found[0][1] > found[1][1] > found[2][1] >= THRESHOLD
    assert similarity.matches(TEXTS["poverty"], others[:2], ignore=SUBJECTS["li"]) == []


# Grouping

EXPECTED_GROUPS = [
    ["road_letter", "road_hotline", "road_inspection", "water_project"],  # the known limit joins them
    ["li_wedding", "li_wedding_letter", "li_wedding_call"],
    ["car_phone", "car_check"],
    ["wedding_letter", "wedding_hotline"],
    ["allowance", "allowance_again"],
    ["sideline", "sideline_traditional"],
    ["mooncakes", "mooncakes_again"],
    ["dibao", "dibao_again"],
]


def example_items():
    return [(name, SUBJECT[name], text, SUBJECTS[SUBJECT[name]]) for name, text in TEXTS.items()]


def test_group_the_examples():
    assert group(example_items()) == EXPECTED_GROUPS


def test_group_by_band_keys_finds_a_subset():
    found = group(example_items(), exact_limit=0)
    assert all(any(set(g) <= set(expected) for expected in EXPECTED_GROUPS) for g in found)
    assert ["sideline", "sideline_traditional"] in found and ["allowance", "allowance_again"] in found


def test_group_order_follows_the_items():
    items = example_items()[::-1]
    position = {item[0]: i for i, item in enumerate(items)}
    expected = sorted((sorted(g, key=position.get) for g in EXPECTED_GROUPS), key=lambda g: position[g[0]])
    assert group(items) == expected != EXPECTED_GROUPS


def test_group_never_mixes_subjects():
    text = TEXTS["road_letter"]
    items = [(1, "李庆庆", text), (2, "王建军", text), (3, "李庆庆", text + "请求查处。"), (4, "刘文斌", text)]
    assert group(items) == [[1, 3]]
    assert group(items, exact_limit=0) == [[1, 3]]


def test_group_without_ignore_takes_three_tuples():
    items = [("a", 1, TEXTS["sideline"]), ("b", 1, TEXTS["sideline_traditional"]), ("c", 1, "反映问题")]
    assert group(items) == [["a", "b"]]
    assert group([]) == []


# Generated data: subjects with several matters, some reported more than once in other words.

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志海波宁庆斌浩宇凯峰琳雪梅晓东云飞春燕"
COUNTIES = ["城厢区", "沙溪县", "清河区", "柳江县", "石门县", "桃源区", "青山县", "白水县"]
TOWNS = ["柳桥镇", "石桥镇", "新塘镇", "龙泉镇", "安乐乡", "双河镇", "东湖街道", "西关街道", "永丰镇", "长乐镇"]
VILLAGES = ["柳桥村", "石桥村", "新塘村", "龙泉村", "安乐村", "双河村", "东湖村", "永丰村", "长乐村", "白石村"]
BUREAUS = [
    "教育局", "财政局", "交通运输局", "自然资源局", "住房和城乡建设局", "卫生健康局", "农业农村局", "水利局", "民政局",
]
PROJECTS = [
    "通村道路硬化工程", "自来水管网改造工程", "农贸市场改造项目", "河道清淤工程", "村部办公楼新建工程", "路灯亮化工程",
]
FIRMS = [a + b for a in ("建安", "宏达", "华盛", "鑫源", "恒通", "金鼎", "利民", "盛世", "永兴", "瑞丰", "天成", "众和")
         for b in ("路桥", "建筑", "物流", "商贸", "置业", "劳务")]
RELATIVES = ["妻弟", "弟弟", "侄子", "表哥", "女婿", "妹夫"]
HOTELS = ["清河大酒店", "渔家乐饭店", "金湖山庄", "迎宾楼", "聚福楼", "好再来酒楼", "望江阁", "银河宾馆", "湘味轩"]
ITEMS = ["课题研究费", "加班补贴", "考核奖励", "专项工作经费", "值班补助"]
OPENINGS = ["群众来信反映：", "据反映，", "市民来电反映，", "12345热线来电：", "有人举报，", "", ""]
CLOSINGS = ["", "", "希望有关部门调查处理。", "请求查处。", "群众意见很大。"]

# Each kind of matter in three wordings: a detailed letter, a brief call, an inspection finding.
MATTERS = [
    (
        (
            "{s}利用职务便利，将{year}年{project}（合同金额约{amount}万元）未经公开招标，直接交由其{relative}{other}"
            "实际控制的清河市{firm}有限公司承建，工程质量差。"
        ),
        "{s}的{relative}{other}承包了{project}，没有经过招标，金额{amount}万元左右，质量很差。",
        "巡察发现，{year}年{project}{amount}万元未履行公开招标程序，由{s}{relative}{other}的{firm}公司直接承建。",
    ),
    (
        "{s}经常在周末开单位的公车（车牌苏E{plate}）回{place}老家，还带家人出去游玩。",
        "{s}长期公车私用，周末和节假日驾驶公务用车苏E{plate}接送家人、回{place}老家，从不登记。",
        (
            "公车使用专项检查发现，{s}于{month}月{day}日（星期六）驾驶公务用车苏E{plate}前往{place}老家，无派车审批记录，"
            "属公车私用。"
        ),
    ),
    (
        "{s}为{child}操办婚宴，宴请{tables}余桌，收受管理服务对象礼金共计{amount}万余元。",
        "{s}借{child}结婚之机大操大办，在{hotel}摆了{tables}多桌酒席，很多老板送了礼金，合计{amount}万多元。",
        "经查，{s}在{child}婚礼中违规邀请管理服务对象{tables}余桌，收受礼金{amount}万余元。",
    ),
    (
        (
            "{s}在{year}年脱贫攻坚成效考核中，授意工作人员在{village}虚报贫困户收入，伪造入户走访记录和帮扶台账，应付上级"
            "检查。"
        ),
        "{village}的贫困户收入是编出来的，{s}叫人伪造走访记录和帮扶台账应付检查。",
        "巡察发现，{village}{year}年帮扶台账和入户走访记录系补做伪造，贫困户收入数据虚报，系{s}授意。",
    ),
    (
        "{s}{year}年以“{item}”名义违规向机关干部发放津贴补贴，共计{amount}万元。",
        "{s}以{item}的名义给干部发钱，{year}年共发了{amount}万元，属于违规发放津贴补贴。",
        "审计发现，{year}年{s}批准以{item}名义发放津贴补贴{amount}万元，无文件依据。",
    ),
    (
        "{s}多次在{hotel}用公款宴请，费用以会议费名义报销。",
        "{s}经常在{hotel}大吃大喝，都是公家出钱，拿会议费的发票报账。",
        "检查发现，{s}{year}年在{hotel}公款宴请{times}次，费用以会议费名义列支报销。",
    ),
    (
        "{s}违规在清河市{firm}有限公司兼职取酬，每月领取“顾问费”{fee}元，至今已两年多。",
        "{s}在{firm}公司挂名当顾问，每个月拿{fee}元，已经两年多了。",
        "经核查，{s}自{year}年起在清河市{firm}有限公司兼任顾问，每月领取报酬{fee}元。",
    ),
    (
        "{s}优亲厚友，将其{relative}等不符合条件的亲属纳入低保，每月领取低保金。",
        "{s}给自己的{relative}违规办理低保，他们家有车有房，根本不符合低保条件。",
        "抽查发现，{s}的{relative}家庭有车有房，不符合低保条件却长期享受低保。",
    ),
    (
        "{s}在{village}土地征收中虚报青苗补偿面积，套取征地补偿款约{amount}万元。",
        "{village}征地的时候{s}多报了青苗面积，骗了{amount}万元左右的补偿款。",
        "审计发现，{village}土地征收青苗补偿面积虚增，{s}经手多领补偿款{amount}万元。",
    ),
    (
        "{s}办公室面积{area}平方米，超过规定标准，且配有休息室。",
        "{s}的办公室很大，有{area}多平方米，里面还有休息室，明显超标。",
        "检查发现，{s}办公用房面积{area}平方米，超出标准，违规设置休息室。",
    ),
    (
        "{s}经常在{place}的茶楼打麻将赌博，每场输赢上万元。",
        "{s}下班后经常到{place}茶楼打牌赌钱，输赢很大。",
        "经查，{s}多次在{place}茶楼参与赌博，单次输赢数千元。",
    ),
    (
        "{s}春节期间收受辖区企业老板送的购物卡和土特产，价值{fee}元。",
        "过年的时候好几个老板给{s}送购物卡和土特产，值{fee}元。",
        "经查，{s}春节前后收受{firm}公司等企业负责人所送购物卡，价值{fee}元。",
    ),
]
UNIT_MATTERS = [4, 5, 9, 11]  # the kinds that a clue naming only a unit can be about


def make_subject(rng, number):
    """Return (subject id, ignore terms, ways the clues name the subject, whether it is a unit)."""
    county, town, village = rng.choice(COUNTIES), rng.choice(TOWNS), rng.choice(VILLAGES)
    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
    kind = rng.random()
    if kind < 0.1:  # a unit
        unit = county + rng.choice(BUREAUS)
        short = "县" + unit[len(county) :] if county.endswith("县") else unit
        return number, (unit, short), [unit, short, unit + "领导班子"], True
    if kind < 0.45:
        posts = ("党工委书记", "主任", "副主任") if town.endswith("街道") else ("党委书记", "镇长", "副镇长")
        post, unit, short = rng.choice(posts), county + town, town
    elif kind < 0.75:
        post, unit, short = "党支部书记", town + village, village
    else:
        bureau = rng.choice(BUREAUS)
        post, unit, short = rng.choice(("局长", "副局长")), county + bureau, bureau
    names = [unit + post + name, short + post + name, name + "（" + short + post + "）"]
    return number, (name, post, unit, short), names, False


def make_facts(rng):
    return {
        "year": rng.choice((2021, 2022, 2023, 2024)),
        "project": rng.choice(PROJECTS),
        "amount": rng.randint(3, 900),
        "relative": rng.choice(RELATIVES),
        "other": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
        "firm": rng.choice(FIRMS),
        "plate": f"{rng.choice('ABCDEFGHJK')}{rng.randint(1000, 99999)}",
        "place": rng.choice(TOWNS),
        "month": rng.randint(1, 12),
        "day": rng.randint(1, 28),
        "child": rng.choice(("儿子", "女儿")),
        "tables": rng.randint(20, 80),
        "hotel": rng.choice(HOTELS),
        "village": rng.choice(VILLAGES),
        "item": rng.choice(ITEMS),
        "times": rng.randint(3, 30),
        "fee": rng.randint(20, 300) * 100,
        "area": rng.randint(30, 90),
    }


TO_TRADITIONAL = opencc.OpenCC("s2t")


def generate(subjects, seed=0):
    """
    Return clues about ``subjects`` subjects, about 10 each, as (key, subject, text, ignore) items, and the
    expected groups (sets of keys). A person has 5 to 12 matters of different kinds, a unit 4; a matter is
    reported once (80 %), twice (15 %) or three times (5 %), each time in another wording, opening and
    closing; 3 % of the clues are in Traditional characters.
    """
    rng = random.Random(seed)
    items, truth = [], []
    for number in range(subjects):
        subject, ignore, names, is_unit = make_subject(rng, number)
        kinds = UNIT_MATTERS if is_unit else rng.sample(range(len(MATTERS)), rng.randint(5, 12))
        reports = []
        for kind in kinds:
            facts = make_facts(rng)
            times = rng.choices((1, 2, 3), weights=(80, 15, 5))[0]
            for wording in rng.sample(range(3), times):
                reports.append((kind, wording, facts))
        rng.shuffle(reports)
        matters = {}
        for kind, wording, facts in reports:
            # Inspection findings (the third wording) come without a channel's opening.
            opening = rng.choice(OPENINGS) if wording < 2 else ""
            text = opening + MATTERS[kind][wording].format(s=rng.choice(names), **facts)
            text += rng.choice(CLOSINGS)
            if rng.random() < 0.03:
                text = TO_TRADITIONAL.convert(text)
            key = len(items)
            items.append((key, subject, text, ignore))
            matters.setdefault(kind, []).append(key)
        truth.extend(set(keys) for keys in matters.values() if len(keys) > 1)
    return items, truth


def pair_counts(found, truth):
    """Return (true pairs found, pairs found, true pairs) for groups as sets of keys."""

    def pairs(groups):
        return {frozenset(p) for g in groups for p in itertools.combinations(g, 2)}

    found_pairs, true_pairs = pairs(found), pairs(truth)
    return len(found_pairs & true_pairs), len(found_pairs), len(true_pairs)


def plain_groups(items, threshold=THRESHOLD):
    """group() the slow and plain way: every pair of a subject scored, groups as connected components."""
    subjects = {}
    for key, subject, text, ignore in items:
        subjects.setdefault(subject, []).append((key, shingles(text, ignore=ignore)))
    groups = []
    for members in subjects.values():
        linked = {key: set() for key, _ in members}
        for (key_a, a), (key_b, b) in itertools.combinations(members, 2):
            if set_score(a, b) >= threshold:
                linked[key_a].add(key_b)
                linked[key_b].add(key_a)
        seen = set()
        for key, _ in members:
            if key in seen or not linked[key]:
                continue
            component, todo = set(), [key]
            while todo:
                if (current := todo.pop()) not in component:
                    component.add(current)
                    todo.extend(linked[current])
            seen |= component
            groups.append(component)
    return groups


def test_group_generated_clues():
    items, truth = generate(2_000)
    assert len(items) > 18_000 and len(truth) > 3_000
    found = group(items)
    assert sorted(map(sorted, found)) == sorted(map(sorted, plain_groups(items)))
    # Keys are the items' positions here: members and groups in the order of the items.
    assert all(g == sorted(g) for g in found) and found == sorted(found)
    right, found_pairs, true_pairs = pair_counts(found, truth)
    # Pairs of reports of one matter found, and pairs found that are reports of one matter (0.98, 0.88):
    # the misses are the hardest rewordings, the extra pairs mostly matters that share a company or a
    # restaurant, and their reports joined through them.
    assert right / true_pairs > 0.95 and right / found_pairs > 0.85


def test_group_generated_clues_by_band_keys():
    items, _ = generate(400, seed=1)
    exact = group(items)
    found = group(items, exact_limit=0)
    # Confirmed with the same score, so band keys can only miss pairs, never add one.
    assert all(any(set(g) <= set(e) for e in exact) for g in found)
    right, found_pairs, exact_pairs = pair_counts(found, exact)
    assert right == found_pairs and right > 0.65 * exact_pairs


# Benchmarks (--benchmark-only -m bench)


@pytest.mark.bench
def test_bench_signature(benchmark):
    items, _ = generate(200, seed=2)
    hasher = MinHasher()
    texts = [(text, ignore) for _, _, text, ignore in items]

    def run():
        for text, ignore in texts:
            hasher.band_keys(hasher.signature(text, ignore))

    benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=1)
    per_clue = benchmark.stats.stats.min / len(texts)
    benchmark.extra_info["per_clue_us"] = round(per_clue * 1e6, 1)
    print(f"\nsignature + band keys: {per_clue * 1e6:.0f} µs per clue")


def bench_group(benchmark, exact_limit):
    subjects = int(os.environ.get("TANHUA_BENCH_SUBJECTS", "100000"))
    started = time.perf_counter()
    items, truth = generate(subjects, seed=3)
    generated = time.perf_counter() - started
    result = benchmark.pedantic(group, args=(items,), kwargs={"exact_limit": exact_limit}, rounds=1, iterations=1)
    right, found_pairs, true_pairs = pair_counts(result, truth)
    seconds = benchmark.stats.stats.min
    benchmark.extra_info.update(clues=len(items), seconds=round(seconds, 1), precision=right / found_pairs,
                                recall=right / true_pairs)
    print(f"\n{len(items)} clues ({generated:.0f} s to generate), exact_limit={exact_limit}: {seconds:.0f} s, "
          f"{seconds / len(items) * 1e6:.0f} µs per clue; {len(result)} groups, pair precision "
          f"{right / found_pairs:.4f}, recall {right / true_pairs:.4f}")


@pytest.mark.bench
def test_bench_group(benchmark):
    bench_group(benchmark, similarity.EXACT_LIMIT)


@pytest.mark.bench
def test_bench_group_by_band_keys(benchmark):
    # As the index in the database would: a signature and band keys per clue, candidates confirmed.
    bench_group(benchmark, 0)
