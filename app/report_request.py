"""A report from request to bytes: the selection checked against the configuration, the
figures read in one read-only transaction, the chosen format rendered."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import structlog

from app.config import Settings
from app.runtime import Runtime
from outbound.report_html import render_html
from outbound.report_formats import render_csv, render_json
from workflow.period import Period, PeriodError
from workflow.report_data import ReportData, Selection, StatusChoice, build_report

log = structlog.get_logger(__name__)
FORMATS = ("html", "csv", "json")


class ReportRequestError(ValueError):
    """A request that cannot make a report; the message says why (the CLI exits 2)."""


@dataclass(frozen=True)
class ReportRequest:
    first: date
    last: date
    status: StatusChoice = "closed"
    service: str | None = None      # a code or a name as the user typed it
    format: str = "html"
    language: str | None = None     # None: the desk's language


def service_code(settings: Settings, value: str | None) -> str | None:
    """The configured service `value` names (its code or its name, any case)."""
    if not value:
        return None
    wanted = value.strip().casefold()
    for code, name in settings.catalog.services.items():
        if wanted in (code.casefold(), name.casefold()):
            return code
    known = ", ".join(settings.catalog.services)
    raise ReportRequestError(f"unknown service {value!r}; known services: {known}")


def selection(rt: Runtime, request: ReportRequest) -> Selection:
    try:
        period = Period(request.first, request.last, rt.desk.timezone)
    except PeriodError as exc:
        raise ReportRequestError(f"{exc} (--from must not be after --to)") from None
    return Selection(period, request.status, service_code(rt.settings, request.service))


def collect(rt: Runtime, request: ReportRequest) -> ReportData:
    chosen = selection(rt, request)
    with rt.readers() as session:
        return build_report(session, chosen, rt.settings.policy, rt.settings.problems, rt.clock())


def render(rt: Runtime, data: ReportData, fmt: str, language: str | None) -> bytes:
    if fmt == "json":
        return render_json(data, rt.desk, rt.settings.policy)
    if fmt == "csv":
        return render_csv(data, rt.desk, rt.settings.policy)
    if fmt == "html":
        return render_html(data, rt.desk, rt.settings.policy, rt.renderer, language or rt.desk.language)
    raise ReportRequestError(f"unknown format {fmt!r}; use {', '.join(FORMATS)}")


def make_report(rt: Runtime, request: ReportRequest) -> tuple[ReportData, bytes]:
    data = collect(rt, request)
    output = render(rt, data, request.format, request.language)
    log.info("report.made", first=request.first.isoformat(), last=request.last.isoformat(),
             status=request.status, format=request.format, incidents=len(data.measured))
    return data, output
