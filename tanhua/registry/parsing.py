"""Reading messy roster cells: dates, yes/no flags, ID numbers, text.

Pure functions, no Django: organisation departments' spreadsheets are typed by hand, so every
parser here accepts the variants seen in real files and raises ``ValueError`` with a Chinese
message that tells the user what is wrong with the cell.
"""

import datetime
import re
import unicodedata


def clean_text(value):
    """Half-width letters and digits, no stray spaces; ``None`` and blanks become ``""``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else str(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    if not text.isprintable():
        # Control characters (pasted from other systems) break .xlsx export and COPY.
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())


def clean_paragraphs(value):
    """Long text (a complaint's content): line breaks kept, other control characters removed."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = ["".join(ch if ch.isprintable() else " " for ch in line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def clean_name(value):
    """Names are often padded ("张  三") to line up in print; people's names have no spaces."""
    return "".join(clean_text(value).split())


def _month_date(year, month, day=1, original=""):
    if not 1900 <= year <= 2100:
        raise ValueError(f"年份不合理:{original}")
    if not 1 <= month <= 12:
        raise ValueError(f"月份不合理:{original}")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"日期不存在:{original}") from None


_DATE_PATTERNS = [
    # 1975.03, 1975.3, 1975-03, 1975/3, 1975年3月 (the commonest, so tried first)
    re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?$"),
    # 1975-03-01, 1975.3.1, 1975/03/01, 1975年3月1日
    re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$"),
    # 19750301
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    # 197503
    re.compile(r"^(\d{4})(\d{2})$"),
]


def parse_date(value):
    """A date from an Excel date, a number or text; month-only dates fall on the 1st.

    Returns ``None`` for an empty cell.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and not value.is_integer():
        # A cell typed as 1975.03 that Excel kept as a number: 1975.03 -> March, but
        # 1975.10 arrives as 1975.1 and cannot be told apart from a typed 1975.1.
        text = repr(value)
        year_part, _, frac = text.partition(".")
        if frac == "1":
            raise ValueError(
                f"“{value}”可能是1月也可能是10月(Excel把1975.10存成了1975.1),"
                "请把单元格设为文本,写成1975.01或1975.10"
            )
        if len(frac) > 2:
            raise ValueError(f"无法识别的日期:{value}")
        return _month_date(int(year_part), int(frac), original=text)
    text = clean_text(value).replace(" ", "")
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            parts = [int(p) for p in m.groups()]
            return _month_date(*parts, original=text)
    # Excel serial numbers (days since 1899-12-30) from number cells that lost their date
    # format; typed text such as "19753" is a typo, not a serial.
    if isinstance(value, int | float) and 10000 <= value < 80000:
        return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))
    raise ValueError(f"无法识别的日期“{text}”,请写成1975.03或1975-03-01")


def format_date(value):
    """The roster's own way of writing dates: 1975.03, or 1975.03.15 when the day matters."""
    if value is None:
        return ""
    if value.day == 1:
        return f"{value.year}.{value.month:02d}"
    return f"{value.year}.{value.month:02d}.{value.day:02d}"


_TRUE = {"是", "√", "✓", "✔", "y", "yes", "true", "1", "对", "有"}
_FALSE = {"否", "×", "✗", "x", "n", "no", "false", "0", "不是", "无", ""}


def parse_bool(value):
    if isinstance(value, bool):
        return value
    text = clean_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"应填“是”或“否”,而不是“{text}”")


_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def id_check_digit(first17):
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS)) % 11]


def parse_id_number(value):
    """An 18-digit resident ID number (GB 11643), checksum and birth date verified."""
    if isinstance(value, float):
        # A user's cell, not a programming error: reported like every other bad value.
        raise ValueError("身份证号被Excel存成了数字,末几位已丢失,请把该列设为文本后重新填写")  # noqa: TRY004
    text = clean_text(value).replace(" ", "").upper()
    if not text:
        raise ValueError("身份证号不能为空")
    if not re.fullmatch(r"\d{17}[\dX]", text):
        raise ValueError(f"身份证号“{text}”应为18位(最后一位可为X)")
    if id_check_digit(text[:17]) != text[17]:
        raise ValueError(f"身份证号“{text}”校验位不正确")
    try:
        datetime.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise ValueError(f"身份证号“{text}”中的出生日期不存在") from None
    return text


def facts_from_id_number(number):
    """``(gender, birth month)`` that a valid ID number states, or ``(None, None)``."""
    if len(number or "") != 18 or not number[:17].isdigit():
        return None, None
    gender = "男" if int(number[16]) % 2 else "女"
    try:
        return gender, datetime.date(int(number[6:10]), int(number[10:12]), 1)
    except ValueError:
        return gender, None


def parse_phone(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(value).replace(" ", "")


def split_tags(value):
    """Tags separated by 、 , ， ; or spaces, in order, without repeats."""
    text = clean_text(value)
    seen = []
    for part in re.split(r"[、,;；\s]+", text):
        if part and part not in seen:
            seen.append(part)
    return seen
