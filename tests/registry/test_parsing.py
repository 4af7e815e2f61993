"""The cell parsers on their own: every messy variant real rosters contain."""

import datetime

import pytest

from tanhua.registry.parsing import (
    clean_name,
    clean_text,
    format_date,
    id_check_digit,
    parse_bool,
    parse_date,
    parse_id_number,
    parse_phone,
    split_tags,
)

D = datetime.date


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1975.03", D(1975, 3, 1)),
        ("1975.3", D(1975, 3, 1)),
        ("1975年3月", D(1975, 3, 1)),
        ("1975年03月", D(1975, 3, 1)),
        ("1975-03-01", D(1975, 3, 1)),
        ("1975-03-15", D(1975, 3, 15)),
        ("1975/3/15", D(1975, 3, 15)),
        ("1975年3月15日", D(1975, 3, 15)),
        ("197503", D(1975, 3, 1)),
        ("19750315", D(1975, 3, 15)),
        (197503, D(1975, 3, 1)),
        ("１９７５．０３", D(1975, 3, 1)),  # full-width
        (" 1975.03 ", D(1975, 3, 1)),
        (1975.03, D(1975, 3, 1)),  # typed into a number cell
        (1975.12, D(1975, 12, 1)),
        (datetime.datetime(1975, 3, 1, 0, 0), D(1975, 3, 1)),  # a real Excel date
        (D(1975, 3, 1), D(1975, 3, 1)),
        (27454, D(1975, 3, 1)),  # an Excel serial number that lost its date format
        ("", None),
        (None, None),
    ],
)
def test_parse_date_variants(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["1975.13", "1975年", "三月", "1975-02-30", "abc", "1850.01", "19753"])
def test_parse_date_rejects_with_message(raw):
    with pytest.raises(ValueError) as exc:
        parse_date(raw)
    assert str(exc.value)  # a Chinese message for the user


def test_number_cell_1975_1_is_ambiguous():
    # Excel turns a typed 1975.10 into 1975.1: refuse to guess between January and October.
    with pytest.raises(ValueError, match="1月也可能是10月"):
        parse_date(1975.1)


def test_format_date_round_trips():
    for value in [D(1975, 3, 1), D(2019, 6, 15), D(2000, 12, 31)]:
        assert parse_date(format_date(value)) == value
    assert format_date(D(1975, 3, 1)) == "1975.03"
    assert format_date(None) == ""


@pytest.mark.parametrize("raw", ["是", "√", "✓", "Y", "y", "yes", "TRUE", "1", True, " 是 "])
def test_parse_bool_true(raw):
    assert parse_bool(raw) is True


@pytest.mark.parametrize("raw", ["否", "×", "N", "n", "no", "0", "", None, False])
def test_parse_bool_false(raw):
    assert parse_bool(raw) is False


def test_parse_bool_rejects():
    with pytest.raises(ValueError, match="是.*否"):
        parse_bool("也许")


def test_id_number_checksum_and_normalisation():
    assert parse_id_number("11010519491231002X") == "11010519491231002X"
    assert parse_id_number("11010519491231002x") == "11010519491231002X"
    assert parse_id_number(" １１０１０５１９４９１２３１００２Ｘ ") == "11010519491231002X"
    with pytest.raises(ValueError, match="校验位"):
        parse_id_number("110105194912310021")
    with pytest.raises(ValueError, match="18位"):
        parse_id_number("11010519491231")
    with pytest.raises(ValueError, match="出生日期"):
        parse_id_number("11010519490230002" + id_check_digit("11010519490230002"))  # 2月30日
    with pytest.raises(ValueError, match="数字"):
        parse_id_number(1.1010519491231e17)
    with pytest.raises(ValueError, match="不能为空"):
        parse_id_number("")


def test_text_cleaning():
    assert clean_text("  清河市　财政局 ") == "清河市 财政局"
    assert clean_text("ＡＢＣ１２３") == "ABC123"
    assert clean_text(None) == ""
    assert clean_text(12.0) == "12"
    assert clean_name("张  三") == "张三"
    assert clean_text("a\x01b\x00c\td") == "a b c d"  # control characters break exports
    assert clean_text("城厢\x0b区") == "城厢 区"
    assert clean_name(" 欧阳 小明 ") == "欧阳小明"
    assert parse_phone(13800000000.0) == "13800000000"
    assert parse_phone("0512-5353 1234") == "0512-53531234"
    assert split_tags("资金密集、权力集中,重点任务，资金密集") == ["资金密集", "权力集中", "重点任务"]
