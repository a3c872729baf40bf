"""Turn the user's ``--period`` text into a half-open UTC ``Period``.

Forms: ``2024Q2``, ``2024H1``, ``2024``, ``2024-04-01..2024-06-30`` (both days
whole, so that range is exactly 2024Q2), ``last-quarter``, ``this-quarter`` and
``last-4-quarters`` (the four complete quarters before this one).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from miner.errors import PeriodError
from miner.model import Period

FORMS = "2024Q2, 2024H1, 2024, 2024-04-01..2024-06-30, last-quarter, this-quarter, last-4-quarters"
_QUARTER = re.compile(r"(\d{4})-?Q([1-4])", re.IGNORECASE)
_HALF = re.compile(r"(\d{4})-?H([12])", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}")
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _month_start(year: int, month: int) -> datetime:
    """The first instant of a month, counting months past 12 into later years."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return datetime(year, month, 1, tzinfo=UTC)


def quarter(year: int, q: int) -> Period:
    first = 3 * (q - 1) + 1
    return Period(f"{year}Q{q}", _month_start(year, first), _month_start(year, first + 3))


def quarter_of(moment: datetime) -> Period:
    return quarter(moment.year, (moment.month - 1) // 3 + 1)


def previous_quarter(period: Period) -> Period:
    return quarter_of(period.start - timedelta(days=1))


def parse_period(text: str, now: datetime | None = None) -> Period:
    """The period ``text`` names; ``now`` anchors the relative forms (default: now, UTC)."""
    try:
        period = _parse(text.strip(), now or datetime.now(UTC))
    except (ValueError, OverflowError) as exc:  # a year outside what dates can hold
        raise PeriodError(
            f"--period {text!r} is out of range ({exc})", f"use one of: {FORMS}"
        ) from exc
    if period.start.year < 1970:
        raise PeriodError(f"--period {text!r} starts before 1970", "Git history starts in 1970")
    return period


def _parse(spec: str, now: datetime) -> Period:
    text = spec
    if m := _QUARTER.fullmatch(spec):
        return quarter(int(m[1]), int(m[2]))
    if m := _HALF.fullmatch(spec):
        year, half = int(m[1]), int(m[2])
        month = 1 if half == 1 else 7
        return Period(f"{year}H{half}", _month_start(year, month), _month_start(year, month + 6))
    if _YEAR.fullmatch(spec):
        year = int(spec)
        return Period(spec, _month_start(year, 1), _month_start(year + 1, 1))
    if m := _RANGE.fullmatch(spec):
        return _range(spec, m[1], m[2])
    relative = spec.lower()
    if relative == "this-quarter":
        return quarter_of(now)
    if relative == "last-quarter":
        return previous_quarter(quarter_of(now))
    if relative == "last-4-quarters":
        last = previous_quarter(quarter_of(now))
        first = previous_quarter(previous_quarter(previous_quarter(last)))
        return Period(f"{first.label}..{last.label}", first.start, last.end)
    if re.fullmatch(r"\d{4}-?[QqHh]\d", spec):
        raise PeriodError(
            f"--period {text!r}: a year has quarters Q1 to Q4 and halves H1 and H2",
            f"use one of: {FORMS}",
        )
    raise PeriodError(f"--period {text!r} is not a period I know", f"use one of: {FORMS}")


def parse_day(text: str, option: str) -> date:
    """A calendar day written YYYY-MM-DD, or a usage error in our words (Python's
    would say 'Invalid isoformat string')."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise PeriodError(f"{option} {text!r} is not a date", "write it as YYYY-MM-DD")
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise PeriodError(
            f"{option} {text!r} is not a day of the calendar", "check the month and the day"
        ) from exc


def _range(spec: str, first: str, last: str) -> Period:
    start, end = parse_day(first, f"--period {spec!r}:"), parse_day(last, f"--period {spec!r}:")
    if end < start:
        raise PeriodError(
            f"--period {spec!r} ends before it starts", "put the earlier date first: START..END"
        )
    return Period(spec, _midnight(start), _midnight(end + timedelta(days=1)))
