"""A round's timetable through a programme's day: morning, lunch break, afternoon, next working day."""

import datetime

from tanhua.talks.schedule import day_error, next_weekday, slots

T = datetime.time
FRIDAY = datetime.date(2026, 12, 4)


def times(found):
    return [f"{at:%m-%d %H:%M}" for at in found]


def test_a_talk_that_would_run_into_lunch_starts_the_afternoon():
    # 60 minutes each, 10 between: 11:20 would end at 12:20, past a 12:00 morning.
    assert times(slots(FRIDAY, T(9), 60, 10, T(12), T(14, 30), T(17, 30), 4)) == [
        "12-04 09:00", "12-04 10:10", "12-04 14:30", "12-04 15:40"]
    # With a morning to 12:30 the third talk still fits before lunch.
    assert times(slots(FRIDAY, T(9), 60, 10, T(12, 30), T(14, 30), T(17, 30), 4)) == [
        "12-04 09:00", "12-04 10:10", "12-04 11:20", "12-04 14:30"]


def test_a_full_afternoon_goes_on_the_next_working_day_at_the_rounds_time():
    found = slots(FRIDAY, T(9), 60, 10, T(12), T(14, 30), T(17, 30), 6)
    # 16:50 would end at 17:50: Friday is full, Saturday and Sunday are not working days.
    assert times(found) == ["12-04 09:00", "12-04 10:10", "12-04 14:30", "12-04 15:40", "12-07 09:00", "12-07 10:10"]


def test_the_next_day_comes_from_the_calendar_given():
    holidays = {datetime.date(2026, 12, 7)}

    def next_day(day):
        day = next_weekday(day)
        while day in holidays:
            day = next_weekday(day)
        return day

    found = slots(FRIDAY, T(14, 30), 60, 10, T(12), T(14, 30), T(17, 30), 3, next_day=next_day)
    assert times(found) == ["12-04 14:30", "12-04 15:40", "12-08 14:30"]


def test_a_talk_longer_than_a_half_day_runs_over_rather_than_never_starting():
    found = slots(FRIDAY, T(9), 240, 10, T(12), T(14, 30), T(17, 30), 2)
    assert times(found) == ["12-04 14:30", "12-07 14:30"]


def test_a_programmes_day_must_be_in_order():
    assert day_error(T(12), T(14, 30), T(17, 30)) is None
    assert "午休" in day_error(T(14, 30), T(12), T(17, 30))
    assert "下午结束" in day_error(T(12), T(17, 30), T(17, 30))
