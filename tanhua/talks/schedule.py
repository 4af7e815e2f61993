"""A round's timetable: one talk after another through a programme's day.

Pure (standard library only). A programme's day has a morning (until ``morning_end``), a lunch
break, and an afternoon (``afternoon_start`` to ``day_end``). Talks follow each other with a
``gap`` between them; a talk that would run into the lunch break starts the afternoon instead,
and one that would run past the end of the day starts the next working day, at the time the
round started. The time limits are for the talk itself, not for the gap after it.
"""

import datetime


def next_weekday(day):
    """The next Monday-to-Friday date (the default when no holiday calendar is given)."""
    day += datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def day_error(morning_end, afternoon_start, day_end):
    """Why these times cannot be a programme's day, or None (the one rule for forms and services)."""
    if not morning_end < afternoon_start:
        return "上午结束时间须早于下午开始时间(中间为午休)。"
    if not afternoon_start < day_end:
        return "下午开始时间须早于下午结束时间。"
    return None


def slots(day, start, minutes, gap, morning_end, afternoon_start, day_end, count, next_day=next_weekday):
    """``count`` start times (naive datetimes) for talks of ``minutes`` each, ``gap`` minutes apart.

    ``day`` and ``start`` are the round's date and time; ``next_day(date)`` gives the next day the
    office works (e.g. ``tanhua.workdays``, which knows statutory holidays). A talk longer than both
    half-days fits nowhere: it starts an empty afternoon and runs over. A round that starts after
    the end of the day (an evening session) is not cut.
    """
    length = datetime.timedelta(minutes=minutes)
    step = length + datetime.timedelta(minutes=gap)
    at = datetime.datetime.combine(day, start)
    if start >= day_end:
        return [at + n * step for n in range(count)]
    out = []
    while len(out) < count:
        date = at.date()
        begin = datetime.datetime.combine(date, start)  # each day's session starts when the round did
        noon, evening = (datetime.datetime.combine(date, t) for t in (morning_end, day_end))
        afternoon = max(datetime.datetime.combine(date, afternoon_start), begin)
        if at < afternoon:
            if at + length <= noon:
                out.append(at)
                at += step
            else:
                at = afternoon  # it would run into lunch
            continue
        too_long = length > max(noon - begin, evening - afternoon)
        if at + length <= evening or (at == afternoon and too_long):
            out.append(at)
            at += step
        else:
            at = datetime.datetime.combine(next_day(date), start)  # past the end of the day
    return out
