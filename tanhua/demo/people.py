"""Plausible people for generated data: names, ID numbers, phones, careers' raw material.

Everything draws from a ``random.Random`` passed in, so a seed always gives the same people.
"""

import datetime

from tanhua.registry.parsing import id_check_digit

# Surname frequencies (per mille, roughly as in the national census); a long tail of rarer ones.
SURNAMES = [
    ("王", 72), ("李", 72), ("张", 68), ("刘", 53), ("陈", 45), ("杨", 31), ("黄", 22), ("赵", 20),
    ("吴", 20), ("周", 19), ("徐", 18), ("孙", 15), ("马", 15), ("朱", 14), ("胡", 13), ("郭", 12),
    ("何", 12), ("高", 11), ("林", 11), ("罗", 10), ("郑", 10), ("梁", 9), ("谢", 8), ("宋", 8),
    ("唐", 8), ("许", 7), ("韩", 7), ("冯", 7), ("邓", 7), ("曹", 7), ("彭", 6), ("曾", 6),
    ("肖", 6), ("田", 6), ("董", 5), ("袁", 5), ("潘", 5), ("于", 5), ("蒋", 5), ("蔡", 5),
    ("余", 5), ("杜", 5), ("叶", 5), ("程", 5), ("苏", 4), ("魏", 4), ("吕", 4), ("丁", 4),
    ("任", 4), ("沈", 4), ("姚", 4), ("卢", 4), ("姜", 4), ("崔", 3), ("钟", 3), ("谭", 3),
    ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3), ("廖", 3), ("贾", 3), ("夏", 3),
    ("韦", 3), ("顾", 3), ("方", 3), ("邹", 2), ("孟", 2), ("熊", 2), ("秦", 2), ("邱", 2),
    ("江", 2), ("尹", 2), ("薛", 2), ("段", 2), ("雷", 2), ("侯", 2), ("龙", 2), ("史", 2),
    ("陶", 2), ("钱", 2), ("严", 2), ("戴", 2), ("孔", 1), ("汤", 1), ("殷", 1), ("浦", 1),
    ("欧阳", 1), ("诸葛", 1), ("司马", 1),
]
_SURNAME_NAMES = [s for s, _ in SURNAMES]
_SURNAME_WEIGHTS = [w for _, w in SURNAMES]

MALE_CHARS = "伟强军勇杰涛明磊斌建华国平志刚文辉鹏飞峰海东波林俊浩宇超亮新永春晓立成德荣昌兵松宏卫庆忠毅锋洪健军民学良振宁坚鸣耀彬"
FEMALE_CHARS = "芳娟敏静丽艳霞燕玲红梅琳洁萍雪慧颖婷娜丹蓉倩莉岚琴晶秀英华云佳雯媛欣瑶露蕾菁虹青凤"
SHARED_CHARS = "晓春文海建新玉志小永金雨一子思家嘉"

ETHNICITIES = [("汉族", 955), ("回族", 12), ("满族", 10), ("蒙古族", 6), ("壮族", 6), ("土家族", 5), ("苗族", 4), ("朝鲜族", 2)]

# 籍贯 and the administrative division code the ID number starts with.
NATIVE_PLACES = [
    ("江苏太仓", "320585", 30), ("江苏昆山", "320583", 12), ("江苏常熟", "320581", 12),
    ("江苏张家港", "320582", 8), ("江苏吴江", "320584", 6), ("江苏如皋", "320682", 5),
    ("江苏启东", "320681", 4), ("江苏海门", "320684", 4), ("江苏泰兴", "321283", 4),
    ("江苏兴化", "321281", 3), ("江苏盐城", "320902", 3), ("江苏宿迁", "321302", 2),
    ("浙江嘉兴", "330402", 2), ("浙江湖州", "330502", 1), ("安徽安庆", "340802", 2),
    ("安徽六安", "341502", 1), ("山东临沂", "371302", 2), ("河南信阳", "411502", 1),
    ("上海崇明", "310230", 1), ("湖北黄冈", "421102", 1),
]
_PLACE_WEIGHTS = [w for *_, w in NATIVE_PLACES]

PARTIES = [("中共党员", 930), ("民盟盟员", 15), ("九三学社社员", 12), ("民进会员", 10), ("农工党党员", 8), ("无党派人士", 15), ("群众", 10)]

PHONE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                  "153", "155", "156", "157", "158", "159", "180", "181", "182", "183", "186", "187", "188", "189"]


def weighted(rng, pairs):
    """One item of ``(item, weight)`` pairs."""
    return rng.choices([p[0] for p in pairs], weights=[p[-1] for p in pairs])[0]


def person_name(rng, gender):
    surname = rng.choices(_SURNAME_NAMES, weights=_SURNAME_WEIGHTS)[0]
    chars = MALE_CHARS if gender == "男" else FEMALE_CHARS
    first = rng.choice(chars + SHARED_CHARS)
    if len(surname) == 1 and rng.random() < 0.3:
        return surname + first
    return surname + first + rng.choice(chars)


def native_place(rng):
    """``(籍贯, division code)``."""
    place, code, _w = rng.choices(NATIVE_PLACES, weights=_PLACE_WEIGHTS)[0]
    return place, code


def random_date(rng, start, end):
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def id_number(rng, region, birth_date, male, taken):
    """A valid, unused 18-digit ID number; the 17th digit is odd for men (GB 11643)."""
    while True:
        seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
        first17 = f"{region}{birth_date:%Y%m%d}{seq:03d}"
        number = first17 + id_check_digit(first17)
        if number not in taken:
            taken.add(number)
            return number


def phone_number(rng, taken):
    while True:
        number = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if number not in taken:
            taken.add(number)
            return number


def month_start(day):
    return day.replace(day=1)


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
