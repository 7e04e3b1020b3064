"""Dates as plans write them, and the ids, versions, times and phone numbers that are not dates."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.plans.extract.dates import find_dates

REF = dt.date(2026, 3, 2)
D = dt.date


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026年3月2日", D(2026, 3, 2), None),
        ("需求细化（2026年3月2日至4月10日）", D(2026, 3, 2), D(2026, 4, 10)),
        ("测试 6月22日至8月7日", D(2026, 6, 22), D(2026, 8, 7)),
        ("切换周末为2026年8月15日至16日", D(2026, 8, 15), D(2026, 8, 16)),
        ("需求细化 2026-03-02–04-10", D(2026, 3, 2), D(2026, 4, 10)),
        ("开发集成 04-13–06-19", D(2026, 4, 13), D(2026, 6, 19)),
        ("2026-03-02 to 2026-04-10", D(2026, 3, 2), D(2026, 4, 10)),
        ("Monday, 16 March 2026, 14:00–17:30", D(2026, 3, 16), None),
        ("go-live on 22 June", D(2026, 6, 22), None),
        ("the cut-over weekend on 15-16 August 2026", D(2026, 8, 15), D(2026, 8, 16)),
        ("March 16, 2026", D(2026, 3, 16), None),
        ("６月２２日", D(2026, 6, 22), None),
    ],
)
def test_days_and_ranges(text: str, start: dt.date, end: dt.date | None) -> None:
    found = [d for d in find_dates(text, ref=REF) if d.is_day]
    assert [(d.start, d.end) for d in found] == [(start, end)]
    assert found[0].text in text  # the mention is a slice of the text it was found in


@pytest.mark.parametrize(
    ("text", "precision"),
    [
        ("Q3", "quarter"),
        ("2026年第三季度", "quarter"),
        ("预计 4 月底", "month"),
        ("mid-July", "month"),
        ("6月初", "month"),
    ],
)
def test_periods_are_not_days(text: str, precision: str) -> None:
    found = find_dates(text, ref=REF)
    assert [d.precision for d in found] == [precision]


@pytest.mark.parametrize(
    "text",
    [
        "A-01 IF-01 至 IF-07 OI-01 CR-003 REQ-INT-008 FR-012",
        "v1.0 MQTT 3.1.1 TLS 1.2",
        "09:30–12:00 UTC+08:00",
        "电话：0512-6000-1001 138-0000-2026",
        "the rest may follow",
    ],
)
def test_ids_versions_times_and_phones_are_not_dates(text: str) -> None:
    assert find_dates(text, ref=REF) == []


def test_a_yearless_date_takes_the_documents_year_and_rolls_over_a_new_year() -> None:
    assert find_dates("6月22日", ref=D(2027, 1, 5))[0].start == D(2027, 6, 22)
    assert find_dates("1月15日", ref=D(2026, 12, 1))[0].start == D(2027, 1, 15)
