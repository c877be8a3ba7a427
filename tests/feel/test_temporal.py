"""Temporal values: literals, arithmetic, comparison, properties and their text.

Vectors from the Camunda FEEL reference ("Temporal expressions", "Data types") and DMN 1.5.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from feel_assertions import check

from engine.feel.values import YearsMonthsDuration

D = Decimal
UTC = dt.UTC
PLUS2 = dt.timezone(dt.timedelta(hours=2))
BERLIN = ZoneInfo("Europe/Berlin")
day = dt.date
moment = dt.datetime
clock = dt.time
delta = dt.timedelta
YM = YearsMonthsDuration

LITERALS = [
    ('date("2020-04-06")', day(2020, 4, 6)),
    ('@"2020-04-06"', day(2020, 4, 6)),
    ('date("2020-02-30")', None),
    ('date("2020-4-6")', None),
    ('date("not a date")', None),
    ("date(2020, 4, 6)", day(2020, 4, 6)),
    ("date(2020, 13, 1)", None),
    ('date(date and time("2020-04-06T08:00:00"))', day(2020, 4, 6)),
    ('time("08:00:00")', clock(8)),
    ('@"08:00:00"', clock(8)),
    ('time("08:00:00.5")', clock(8, 0, 0, 500000)),
    ('time("08:00:00+02:00")', clock(8, tzinfo=PLUS2)),
    ('time("08:00:00Z")', clock(8, tzinfo=UTC)),
    ('time("25:00:00")', None),
    ("time(8, 30, 15)", clock(8, 30, 15)),
    ('time(8, 30, 0, duration("PT2H"))', clock(8, 30, tzinfo=PLUS2)),
    ('time(date and time("2020-04-06T08:00:00"))', clock(8)),
    ('date and time("2020-04-06T08:00:00")', moment(2020, 4, 6, 8)),
    ('@"2020-04-06T08:00:00"', moment(2020, 4, 6, 8)),
    ('date and time("2020-04-06T08:00:00+02:00")', moment(2020, 4, 6, 8, tzinfo=PLUS2)),
    ('date and time("2020-04-06T08:00:00Z")', moment(2020, 4, 6, 8, tzinfo=UTC)),
    ('date and time("2020-04-06T08:00:00@Europe/Berlin")', moment(2020, 4, 6, 8, tzinfo=BERLIN)),
    ('date and time("2020-04-06T08:00:00@Mars/Olympus")', None),
    ('date and time(date("2020-04-06"), time("08:00:00"))', moment(2020, 4, 6, 8)),
    (
        'date and time(date and time("2020-04-06T08:00:00Z"), "Europe/Berlin")',
        moment(2020, 4, 6, 10, tzinfo=BERLIN),
    ),
    ('date and time("2020-04-06")', moment(2020, 4, 6)),
    ('duration("P5D")', delta(days=5)),
    ('duration("PT6H")', delta(hours=6)),
    ('duration("P1DT2H3M4S")', delta(days=1, hours=2, minutes=3, seconds=4)),
    ('duration("PT1.5S")', delta(seconds=1.5)),
    ('duration("-PT1H")', delta(hours=-1)),
    ('@"P5D"', delta(days=5)),
    ('duration("P1Y6M")', YM(18)),
    ('duration("P3M")', YM(3)),
    ('duration("-P2Y")', YM(-24)),
    ('@"P1Y6M"', YM(18)),
    ('duration("P")', None),
    ('duration("1 day")', None),
    ('years and months duration(date("2011-12-22"), date("2013-08-24"))', YM(20)),
    ('years and months duration(date("2013-08-24"), date("2011-12-22"))', YM(-20)),
    ('years and months duration(date("2020-01-31"), date("2020-02-29"))', YM(0)),
    (
        'years and months duration(date and time("2014-12-31T23:59:59"),'
        ' date and time("2016-12-31T00:00:01"))',
        YM(24),  # whole months between the dates; the times do not count
    ),
    ('@"2021-01-01T24:00:00"', moment(2021, 1, 2)),
    ('@"2021-01-01T24:00:00" + @"PT1S"', moment(2021, 1, 2, 0, 0, 1)),
    ('time("13:20:00+19:00")', None),
    ('date and time("2017-12-31T13:20:00-19:00")', None),
    ('date("01211-12-31")', None),
    ('duration("PT0.S")', delta(0)),
    ('time(date("2017-08-10"))', clock(0, tzinfo=UTC)),
]

ARITHMETIC = [
    ('date("2020-04-06") + duration("P1D")', day(2020, 4, 7)),
    ('date("2026-11-24") + duration("P1D")', day(2026, 11, 25)),
    ('duration("P1D") + date("2020-04-06")', day(2020, 4, 7)),
    ('date("2020-01-31") + duration("P1M")', day(2020, 2, 29)),
    ('date("2020-04-06") + duration("P1Y")', day(2021, 4, 6)),
    ('date("2020-04-06") - date("2020-04-01")', delta(days=5)),
    ('date("2020-04-01") - date("2020-04-06")', delta(days=-5)),
    ('date("2020-04-06") - duration("P5D")', day(2020, 4, 1)),
    ('date("2020-03-31") - duration("P1M")', day(2020, 2, 29)),
    ('time("08:00:00") + duration("PT1H")', clock(9)),
    ('time("23:00:00") + duration("PT2H")', clock(1)),
    ('time("08:00:00") - time("06:00:00")', delta(hours=2)),
    ('time("08:00:00") - duration("PT2H")', clock(6)),
    ('time("10:00:00+01:00") - time("10:00:00")', None),
    (
        'date and time("2020-04-06T08:00:00") + duration("P7D")',
        moment(2020, 4, 13, 8),
    ),
    (
        'date and time("2020-04-06T08:00:00") + duration("P1Y2M")',
        moment(2021, 6, 6, 8),
    ),
    (
        'date and time("2020-04-06T08:00:00") - date and time("2020-04-05T06:30:00")',
        delta(days=1, hours=1, minutes=30),
    ),
    (
        'date and time("2020-04-06T08:00:00+02:00") - date and time("2020-04-06T06:00:00Z")',
        delta(0),
    ),
    ('date and time("2020-04-06T08:00:00") - date and time("2020-04-06T08:00:00Z")', None),
    ('duration("P2D") + duration("P5D")', delta(days=7)),
    ('duration("P7D") - duration("P2D")', delta(days=5)),
    ('duration("P1Y") - duration("P3M")', YM(9)),
    ('duration("P1Y") + duration("P1D")', None),
    ('duration("P1D") * 5', delta(days=5)),
    ('5 * duration("P1D")', delta(days=5)),
    ('duration("PT1H") * 1.5', delta(hours=1)),  # feel-scala uses the whole part only
    ('duration("PT90M") / duration("PT1H")', 1),  # whole milliseconds, truncated
    ('duration("P1Y") / duration("P5M")', 2),
    ('duration("PT1H") / 3', delta(minutes=20)),
    ('duration("P1M") * 6', YM(6)),
    ('duration("P5D") / duration("P1D")', 5),
    ('duration("P5D") / 5', delta(days=1)),
    ('duration("P1Y") / duration("P1M")', 12),
    ('duration("P1Y") / 12', YM(1)),
    ('duration("P1D") / 0', None),
    ('-duration("P1D")', delta(days=-1)),
    ('date("2020-04-06") + 1', None),
    ('@"2021-01-01T00:00:00" - @"2021-01-02"', None),
    ('@"2021-01-02" - @"2021-01-01T10:10:10"', None),
    ('date("2020-04-06") + date("2020-04-06")', None),
    ('date("2020-04-06") * 2', None),
]

COMPARISON = [
    ('date("2020-04-06") = date("2020-04-06")', True),
    ('date("2020-04-06") < date("2020-04-07")', True),
    ('date("2020-04-06") > @"2020-04-07"', False),
    ('date("2020-04-06") = "2020-04-06"', None),
    ('date("2020-04-06") < date and time("2020-04-07T00:00:00")', None),
    ('time("08:00:00") < time("09:00:00")', True),
    ('time("10:00:00+01:00") = time("10:00:00+02:00")', False),
    ('time("10:00:00+01:00") = time("09:00:00Z")', True),
    ('date and time("2020-04-06T08:00:00+02:00") = date and time("2020-04-06T06:00:00Z")', True),
    ('date and time("2020-04-06T08:00:00") < date and time("2020-04-06T09:00:00")', True),
    ('date and time("2020-04-06T08:00:00") = date and time("2020-04-06T08:00:00Z")', False),
    ('duration("P1D") = duration("PT24H")', True),
    ('duration("P1D") > duration("PT23H")', True),
    ('duration("P1Y") = duration("P12M")', True),
    ('duration("P1Y") < duration("P13M")', True),
    ('duration("P1Y") = duration("P365D")', None),
    (
        'date("2020-04-06") between date("2020-04-01") and date("2020-04-30")',
        True,
    ),
    ('date(due) < today()', True, {"due": "2000-01-01"}),
    ('date and time("2020-04-06T08:00:00") in [@"2020-04-06T00:00:00"..@"2020-04-07T00:00:00"]', True),
]

PROPERTIES = [
    ('date("2020-04-06").year', 2020),
    ('date("2020-04-06").month', 4),
    ('date("2020-04-06").day', 6),
    ('date("2020-04-06").weekday', 1),
    ('time("08:15:30").hour', 8),
    ('time("08:15:30").minute', 15),
    ('time("08:15:30").second', 30),
    ('time("08:00:00").time offset', None),
    ('time("08:00:00+02:00").time offset', delta(hours=2)),
    ('date and time("2020-04-06T08:15:30").hour', 8),
    ('date and time("2020-04-06T08:00:00").weekday', 1),
    ('date and time("2020-04-06T08:00:00+02:00").time offset', delta(hours=2)),
    ('date and time("2020-04-06T08:00:00@Europe/Berlin").timezone', "Europe/Berlin"),
    ('date and time("2020-04-06T08:00:00+02:00").timezone', None),
    ('date and time("2020-04-06T08:00:00").timezone', None),
    ('duration("P1DT2H30M15S").days', 1),
    ('duration("PT2H30M").hours', 2),
    ('duration("PT2H30M").minutes', 30),
    ('duration("PT2H30M15S").seconds', 15),
    ('duration("PT25H").days', 1),
    ('duration("PT25H").hours', 1),
    ('duration("P1Y6M").years', 1),
    ('duration("P6M").months', 6),
    ('duration("P18M").months', 6),
    ('date("2020-04-06").hour', None),
    ('date("2020-04-06").foo', None),
    ("d.year", 2026, {"d": dt.date(2026, 11, 24)}),
]

TEXT = [
    ('string(date("2020-04-06"))', "2020-04-06"),
    ('string(time("08:00:00"))', "08:00:00"),
    ('string(time("08:00:00.250"))', "08:00:00.25"),
    ('string(time("08:00:00+02:00"))', "08:00:00+02:00"),
    ('string(time("08:00:00Z"))', "08:00:00Z"),
    ('string(date and time("2020-04-06T08:00:00"))', "2020-04-06T08:00:00"),
    ('string(date and time("2020-04-06T08:00:00+02:00"))', "2020-04-06T08:00:00+02:00"),
    ('string(date and time("2020-04-06T08:00:00Z"))', "2020-04-06T08:00:00Z"),
    ('string(date and time("2020-04-06T08:00:00@Europe/Berlin"))', "2020-04-06T08:00:00@Europe/Berlin"),
    ('string(duration("P1D"))', "P1D"),
    ('string(duration("PT36H"))', "P1DT12H"),
    ('string(duration("PT1H30M"))', "PT1H30M"),
    ('string(duration("PT90.5S"))', "PT1M30S"),  # feel-scala drops fractions of a second
    ('string(duration("PT0.5S"))', "P0D"),
    ('string(duration("PT7261M"))', "P5DT1H1M"),
    ('string(duration("-P1DT1S"))', "-P1DT1S"),
    ('string(duration("-PT1H"))', "-PT1H"),
    ('string(duration("PT0S"))', "P0D"),
    ('string(duration("P1Y6M"))', "P1Y6M"),
    ('string(duration("P18M"))', "P1Y6M"),
    ('string(duration("P2Y"))', "P2Y"),
    ('string(duration("P3M"))', "P3M"),
    ('string(duration("-P3M"))', "-P3M"),
    ('string(date("2020-04-06") - date("2020-04-01"))', "P5D"),
    ('string(@"2020-04-06" + @"P1D")', "2020-04-07"),
]

FUNCTIONS = [
    ('day of week(date("2020-04-06"))', "Monday"),
    ('day of week(date("2026-11-24"))', "Tuesday"),
    ('day of week(date and time("2020-04-12T10:00:00"))', "Sunday"),
    ('day of year(date("2020-04-06"))', 97),
    ('day of year(date("2020-12-31"))', 366),
    ('week of year(date("2020-04-06"))', 15),
    ('week of year(date("2021-01-01"))', 53),
    ('month of year(date("2020-04-06"))', "April"),
    ('month of year(date("2026-11-24"))', "November"),
    ('last day of month(date("2020-02-10"))', day(2020, 2, 29)),
    ('last day of month(date("2021-02-10"))', day(2021, 2, 28)),
    ('last day of month(date and time("2020-12-10T10:00:00"))', day(2020, 12, 31)),
    ('abs(duration("-PT5H"))', delta(hours=5)),
    ('abs(duration("-P2Y"))', YM(24)),
    ("day of week(1)", None),
    ("today() instance of date", True),
    ("now() instance of date and time", True),
    ("now() - now() <= duration(\"PT1S\")", True),
    ("today() = date(now())", True),
    ('cycle(duration("PT12H"))', "R/PT12H"),
    ('cycle(3, duration("PT1H"))', "R3/PT1H"),
    ('cycle(2, duration("P1D"))', "R2/P1D"),
    ("cycle(1)", None),
]


def _rows(table: list[tuple[Any, ...]]) -> list[tuple[str, Any, dict[str, Any]]]:
    return [(row[0], row[1], row[2] if len(row) > 2 else {}) for row in table]


@pytest.mark.parametrize(
    ("expression", "expected", "variables"),
    _rows(LITERALS + ARITHMETIC + COMPARISON + PROPERTIES + TEXT + FUNCTIONS),
)
def test_temporal(expression: str, expected: Any, variables: dict[str, Any]) -> None:
    check(expression, expected, variables)


def test_now_follows_the_engine_clock() -> None:
    from engine import feel

    fixed = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)
    feel.set_clock(lambda: fixed)
    try:
        assert feel.evaluate("now()") == fixed
        assert feel.evaluate("today()") == dt.date(2026, 11, 24)
    finally:
        feel.set_clock(lambda: dt.datetime.now(dt.UTC))
