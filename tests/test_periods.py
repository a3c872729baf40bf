import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from miner.errors import PeriodError
from miner.periods import parse_period, quarter, quarter_of

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "label", "start", "end"),
    [
        ("2024Q2", "2024Q2", "2024-04-01", "2024-07-01"),
        ("2024q4", "2024Q4", "2024-10-01", "2025-01-01"),
        ("2024-Q1", "2024Q1", "2024-01-01", "2024-04-01"),
        ("2024H1", "2024H1", "2024-01-01", "2024-07-01"),
        ("2024H2", "2024H2", "2024-07-01", "2025-01-01"),
        ("2024", "2024", "2024-01-01", "2025-01-01"),
        ("2024-02-29..2024-02-29", "2024-02-29..2024-02-29", "2024-02-29", "2024-03-01"),
        ("last-quarter", "2026Q3", "2026-07-01", "2026-10-01"),
        ("this-quarter", "2026Q4", "2026-10-01", "2027-01-01"),
        ("last-4-quarters", "2025Q4..2026Q3", "2025-10-01", "2026-10-01"),
    ],
)
def test_every_form_is_half_open_utc(text: str, label: str, start: str, end: str) -> None:
    period = parse_period(text, NOW)
    assert (period.label, period.start, period.end) == (label, at(start), at(end))
    assert period.start.utcoffset() == timedelta(0)
    assert period.start in period
    assert period.end not in period
    assert period.end - timedelta(microseconds=1) in period


def test_a_range_includes_the_whole_last_day() -> None:
    ranged = parse_period("2024-04-01..2024-06-30", NOW)
    assert (ranged.start, ranged.end) == (quarter(2024, 2).start, quarter(2024, 2).end)
    assert at("2024-06-30T23:59:59") in ranged


def test_last_quarter_in_january_is_the_previous_years_q4() -> None:
    assert parse_period("last-quarter", datetime(2025, 1, 2, tzinfo=UTC)).label == "2024Q4"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2024Q5", "quarters Q1 to Q4"),
        ("2024H3", "quarters Q1 to Q4"),
        ("garbage", "not a period I know"),
        ("", "not a period I know"),
        ("2024-06-30..2024-04-01", "ends before it starts"),
        ("2024-02-30..2024-03-01", "is not a day of the calendar"),
        ("0000", "out of range"),
    ],
)
def test_bad_periods_say_what_is_wrong_and_which_forms_work(text: str, says: str) -> None:
    with pytest.raises(PeriodError) as err:
        parse_period(text, NOW)
    assert says in err.value.line()
    assert err.value.exit_code == 2
    assert "\n" not in err.value.line()


@given(st.integers(min_value=1971, max_value=2200))
def test_quarters_tile_the_year_without_gap_or_overlap(year: int) -> None:
    quarters = [parse_period(f"{year}Q{q}", NOW) for q in range(1, 5)]
    whole = parse_period(str(year), NOW)
    assert quarters[0].start == whole.start
    assert quarters[-1].end == whole.end
    for earlier, later in itertools.pairwise(quarters):
        assert earlier.end == later.start
    h1, h2 = parse_period(f"{year}H1", NOW), parse_period(f"{year}H2", NOW)
    assert (h1.start, h1.end, h2.start, h2.end) == (
        quarters[0].start,
        quarters[1].end,
        quarters[2].start,
        quarters[3].end,
    )


@given(
    st.datetimes(
        min_value=datetime(1971, 1, 1), max_value=datetime(2200, 12, 31), timezones=st.just(UTC)
    )
)
def test_every_moment_falls_in_exactly_one_quarter_of_its_year(moment: datetime) -> None:
    holders = [q for q in range(1, 5) if moment in parse_period(f"{moment.year}Q{q}", NOW)]
    assert len(holders) == 1
    assert quarter_of(moment).label == f"{moment.year}Q{holders[0]}"


@given(
    st.datetimes(
        min_value=datetime(1972, 1, 1), max_value=datetime(2200, 12, 31), timezones=st.just(UTC)
    )
)
def test_relative_periods_follow_each_other(now: datetime) -> None:
    this = parse_period("this-quarter", now)
    last = parse_period("last-quarter", now)
    four = parse_period("last-4-quarters", now)
    assert now in this
    assert last.end == this.start
    assert four.end == this.start
    assert 364 <= (four.end - four.start).days <= 366


def test_a_period_before_1970_is_refused() -> None:
    with pytest.raises(PeriodError, match="starts before 1970"):
        parse_period("0001Q1", NOW)
