import datetime

import pytest

from tanhua import crypto
from tanhua.workdays import add_workdays, is_workday

FIELD = "clues.Clue.reporter_name"


@pytest.mark.parametrize("cipher", crypto.CIPHERS)
def test_round_trip_and_nothing_readable_at_rest(settings, cipher):
    settings.TANHUA_FIELD_CIPHER = cipher
    sealed = crypto.encrypt("王秀英 13912345678", FIELD)
    assert sealed.startswith(f"v1:{cipher}:") and "王秀英" not in sealed and "1391" not in sealed
    assert crypto.decrypt(sealed, FIELD) == "王秀英 13912345678"
    assert crypto.encrypt("王秀英", FIELD) != crypto.encrypt("王秀英", FIELD)  # a fresh nonce each time


def test_a_value_is_bound_to_its_column():
    sealed = crypto.encrypt("王秀英", FIELD)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(sealed, "clues.Clue.reporter_contact")


def test_tampering_is_detected():
    sealed = crypto.encrypt("王秀英", FIELD)
    head, payload = sealed.rsplit(":", 1)
    flipped = payload[:-6] + ("A" if payload[-6] != "A" else "B") + payload[-5:]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{head}:{flipped}", FIELD)


def test_key_rotation_keeps_old_values_readable(settings):
    old = crypto.new_key()
    settings.TANHUA_FIELD_KEY = old
    sealed = crypto.encrypt("李明", FIELD)
    settings.TANHUA_FIELD_KEY = crypto.new_key()
    with pytest.raises(crypto.DecryptionError, match="TANHUA_FIELD_OLD_KEYS"):
        crypto.decrypt(sealed, FIELD)
    settings.TANHUA_FIELD_OLD_KEYS = old
    assert crypto.decrypt(sealed, FIELD) == "李明"
    assert crypto.encrypt("李明", FIELD).split(":")[2] != sealed.split(":")[2]  # new values use the new key


def test_switching_cipher_keeps_old_values_readable(settings):
    settings.TANHUA_FIELD_CIPHER = "aes-gcm"
    sealed = crypto.encrypt("张伟", FIELD)
    settings.TANHUA_FIELD_CIPHER = "sm4-gcm"
    assert crypto.decrypt(sealed, FIELD) == "张伟"


def test_a_bad_key_is_a_clear_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.TANHUA_FIELD_KEY = "c2hvcnQ="
    with pytest.raises(ImproperlyConfigured, match="32 字节"):
        crypto.encrypt("x", FIELD)


def test_national_day_is_not_counted():
    assert not is_workday(datetime.date(2026, 10, 1))
    assert add_workdays(datetime.date(2026, 9, 30), 1) == datetime.date(2026, 10, 8)
    # 15 working days from Friday 2026-09-25: 3 before the holiday, then 12 from 10月8日, counting the
    # make-up Saturday 10月10日.
    assert is_workday(datetime.date(2026, 10, 10))
    assert add_workdays(datetime.date(2026, 9, 25), 15) == datetime.date(2026, 10, 22)


def test_years_without_a_holiday_table_count_weekdays():
    assert add_workdays(datetime.date(2031, 1, 3), 1) == datetime.date(2031, 1, 6)  # Friday -> Monday
