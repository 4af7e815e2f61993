"""Working days as Chinese offices count them: statutory holidays off, make-up Saturdays on.

The holiday table comes from the ``chinesecalendar`` package, updated each year after the State
Council publishes the next year's arrangement. For a year it does not know yet, Monday to
Friday are counted (upgrade the package when the arrangement is out).
"""

import datetime

import chinese_calendar


def is_workday(day):
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_workdays(start, days):
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return day
