"""`incidentdesk report` on a hand-made month (tests/integration/report_fixtures.py), on SQLite
and PostgreSQL: figures worked out by hand, CSV through the csv module, bad input exits 2."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.report_request import ReportRequest, make_report
from app.runtime import Runtime
from models import Ticket
from tests.conftest import Clock
from tests.integration.report_fixtures import NOW, build_month, number


@pytest.fixture
def month(runtime: Runtime, clock: Clock) -> Runtime:
    build_month(runtime)
    clock.now = NOW
    return runtime


def report_json(rt: Runtime, first: date, last: date, **kwargs: str) -> dict:
    _, output = make_report(rt, ReportRequest(first, last, format="json", **kwargs))  # type: ignore[arg-type]
    return json.loads(output)


def test_closed_report_of_november_matches_the_hand_computed_figures(month: Runtime) -> None:
    doc = report_json(month, date(2026, 11, 1), date(2026, 11, 30))
    s = doc["summary"]
    assert [i["number"] for i in doc["incidents"]] == [number(n) for n in (8, 7, 1, 4, 2, 3, 9)]
    assert s["incidents"] == 7
    assert s["by_priority"] == {"P1": 2, "P2": 2, "P3": 2, "P4": 1, "P5": 0}
    assert [(x["code"], x["count"]) for x in s["by_service"]] == [
        ("ipos", 4), ("epod", 1), ("pgm", 1), ("sik", 1)]
    assert [(x["code"], x["count"]) for x in s["by_category"]] == [
        ("hardware/server", 4), ("hardware/cable", 1), ("hardware/computer", 1),
        ("infrastructure/network", 1)]
    assert s["sla"]["all"]["response"] == {"met": 6, "missed": 1, "pending": 0, "percent": 85.7}
    assert s["sla"]["all"]["resolution"] == {"met": 5, "missed": 2, "pending": 0, "percent": 71.4}
    assert s["sla"]["P2"]["response"]["percent"] == 50.0
    assert s["sla"]["P4"]["resolution"] == {"met": 0, "missed": 1, "pending": 0, "percent": 0.0}
    assert s["sla"]["P5"]["response"]["percent"] is None
    # response minutes 5, 40, 30, 31, 10, 5, 10; resolution 50, 150, 540, 1080, 60, 50, 90
    assert s["times"]["all"]["response"] == {"count": 7, "mean_minutes": 18.7, "p90_minutes": 40.0,
                                             "target_minutes": None}
    assert s["times"]["all"]["resolution"]["mean_minutes"] == 288.6
    assert s["times"]["all"]["resolution"]["p90_minutes"] == 1080.0
    assert s["times"]["P2"]["response"] == {"count": 2, "mean_minutes": 25.0, "p90_minutes": 40.0,
                                            "target_minutes": 30.0}
    assert s["satisfaction"] == {"count": 5, "average": 3.6,
                                 "ratings": {"1": 0, "2": 1, "3": 1, "4": 2, "5": 1}}
    assert s["escalations"] == {"by_level": {"1": 6, "2": 1, "3": 0}, "hierarchical": 1}
    assert s["failed_mails"] == 1
    per_day = {d["date"]: d["count"] for d in s["by_day"] if d["count"]}
    assert per_day == {"2026-11-01": 1, "2026-11-10": 1, "2026-11-23": 4, "2026-11-24": 1}


def test_rows_carry_times_targets_and_verdicts_in_the_desk_time_zone(month: Runtime) -> None:
    doc = report_json(month, date(2026, 11, 23), date(2026, 11, 23))
    row = next(i for i in doc["incidents"] if i["number"] == number(2))
    assert row["reported_at"] == "2026-11-23T09:00:00+08:00"
    assert row["closed_at"] == "2026-11-23T11:30:00+08:00"
    assert (row["response_minutes"], row["response_target_minutes"], row["response_sla"]) == (40.0, 30.0, "missed")
    assert (row["resolution_minutes"], row["resolution_sla"]) == (150.0, "met")
    assert (row["escalation_level"], row["handler"], row["satisfaction"]) == (2, "Rina Service Desk", 3)
    assert row["resolution"] == "Selesai #2"


def test_periods_are_local_days_and_a_service_narrows_the_report(month: Runtime) -> None:
    # INC-000008 closed 01-11 00:20 WITA, which is still 31-10 in UTC
    first = report_json(month, date(2026, 11, 1), date(2026, 11, 1))
    assert [i["number"] for i in first["incidents"]] == [number(8)]
    # INC-000009 closed 24-11 00:30 WITA (23-11 in UTC): not in the 23rd
    day = report_json(month, date(2026, 11, 23), date(2026, 11, 23))
    assert [i["number"] for i in day["incidents"]] == [number(n) for n in (1, 4, 2, 3)]

    by_code = report_json(month, date(2026, 11, 1), date(2026, 11, 30), service="ipos")
    by_name = report_json(month, date(2026, 11, 1), date(2026, 11, 30), service="IPOS")
    assert [i["number"] for i in by_code["incidents"]] == [number(n) for n in (8, 1, 2, 9)]
    assert by_name["incidents"] == by_code["incidents"] and by_code["service"] == "ipos"

    # recurring among the closed ones: ipos + hardware/server reported 3 times on the 23rd
    # (the 8th was reported in October, weeks before; the 5th is still open)
    assert [(p["service"], p["category"], p["numbers"]) for p in by_code["problems"]] == [
        ("ipos", "hardware/server", [number(n) for n in (1, 2, 9)])]
    reported = report_json(month, date(2026, 11, 1), date(2026, 11, 30), status="all")
    assert [p["numbers"] for p in reported["problems"]] == [[number(n) for n in (1, 2, 5, 9)]]


def test_status_all_takes_what_was_reported_in_the_period_and_counts_late_open_tickets(month: Runtime) -> None:
    doc = report_json(month, date(2026, 11, 23), date(2026, 11, 23), status="all")
    assert [i["number"] for i in doc["incidents"]] == [number(n) for n in (1, 2, 3, 5, 6, 9)]
    sla = doc["summary"]["sla"]["all"]
    assert sla["response"] == {"met": 4, "missed": 2, "pending": 0, "percent": 66.7}
    assert sla["resolution"] == {"met": 3, "missed": 2, "pending": 1, "percent": 60.0}
    open_ones = {i["number"]: (i["status"], i["closed_at"]) for i in doc["incidents"] if i["closed_at"] is None}
    assert open_ones == {number(5): ("in_progress", None), number(6): ("new", None)}


def test_csv_round_trips_through_the_csv_module(month: Runtime) -> None:
    _, raw = make_report(month, ReportRequest(date(2026, 11, 1), date(2026, 11, 30), format="csv"))
    doc = report_json(month, date(2026, 11, 1), date(2026, 11, 30))
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == len(doc["incidents"]) == 7
    for row, item in zip(rows, doc["incidents"]):
        assert row["number"] == item["number"]
        assert datetime.fromisoformat(row["reported_at"]) == \
            datetime.fromisoformat(item["reported_at"]).replace(tzinfo=None)
        assert int(row["resolution_minutes"]) == round(item["resolution_minutes"])
        assert row["response_sla"] == item["response_sla"]
        assert row["satisfaction"] == ("" if item["satisfaction"] is None else str(item["satisfaction"]))
        assert row["resolution"] == item["resolution"]
    assert rows[0]["reported_at"] == "2026-10-31 23:30:00"


def test_csv_defuses_formulas_in_free_text(month: Runtime) -> None:
    with month.sessions.begin() as session:
        session.scalars(select(Ticket).where(Ticket.number == number(1))).one().resolution = '=HYPERLINK("x")'
    _, raw = make_report(month, ReportRequest(date(2026, 11, 23), date(2026, 11, 23), format="csv"))
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0]["resolution"] == "'=HYPERLINK(\"x\")"


def test_html_escapes_what_people_wrote(month: Runtime) -> None:
    with month.sessions.begin() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number(1))).one()
        ticket.resolution = "<script>alert(1)</script> & done"
    _, raw = make_report(month, ReportRequest(date(2026, 11, 23), date(2026, 11, 23), language="en"))
    html = raw.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; done" in html
    assert "<svg" in html and "Page" in html and "@page" in html


def run_cli(tmp_path: Path, *args: str) -> int:
    """The command as a user runs it, on the configuration the `runtime` fixture wrote."""
    return main(["--config", str(tmp_path / "incidentdesk.toml"), "--log-level", "WARNING", "report", *args])


def test_cli_writes_the_report_file(month: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "nov.json"
    code = run_cli(tmp_path, "--from", "2026-11-01", "--to", "2026-11-30", "--format", "json",
                   "--output", str(out))
    assert code == 0
    assert json.loads(out.read_text())["summary"]["incidents"] == 7
    assert "7 incident(s) written" in capsys.readouterr().err


def test_cli_bad_input_exits_2_with_one_clear_line(month: Runtime, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(tmp_path, "--from", "2026-11-30", "--to", "2026-11-01") == 2
    assert "the period is empty: 2026-11-30 is after 2026-11-01" in capsys.readouterr().err

    assert run_cli(tmp_path, "--from", "2026-11-01", "--to", "2026-11-30", "--service", "sap") == 2
    err = capsys.readouterr().err
    assert "unknown service 'sap'" in err and "ipos, pgm, epod" in err

    assert run_cli(tmp_path, "--from", "2026-10-01", "--to", "2026-10-31", "--format", "csv") == 2
    captured = capsys.readouterr()
    assert "no incidents closed from 2026-10-01 to 2026-10-31" in captured.err
    assert captured.out == ""

    with pytest.raises(SystemExit) as exit_info:
        run_cli(tmp_path, "--from", "1-11-2026", "--to", "2026-11-30")
    assert exit_info.value.code == 2
    assert "is not a date like 2026-11-23" in capsys.readouterr().err
