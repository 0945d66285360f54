"""report: the closed-incident report of a period as a print-ready HTML page, CSV or JSON."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from app.commands.common import runtime_from
from app.report_request import FORMATS, ReportRequest, ReportRequestError, make_report


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("report", help="report of the incidents of a period (HTML to print, CSV, JSON)")
    p.add_argument("--from", dest="first", required=True, type=_day,
                   help="first day, YYYY-MM-DD (desk time zone, inclusive)")
    p.add_argument("--to", dest="last", required=True, type=_day,
                   help="last day, YYYY-MM-DD (inclusive)")
    p.add_argument("--status", choices=("closed", "all"),
                   help="closed: incidents closed in the period; all: incidents reported in it "
                        "(default: report.status, closed)")
    p.add_argument("--service", help="only this service (code or name)")
    p.add_argument("--format", choices=FORMATS, help="default: report.format, html")
    p.add_argument("--output", "-o", help="write here instead of standard output")
    p.add_argument("--lang", choices=("id", "en"), help="language of the HTML page (default desk.language)")
    p.set_defaults(handler=cmd_report)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-23") from None


def cmd_report(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    defaults = rt.settings.report
    request = ReportRequest(first=args.first, last=args.last, status=args.status or defaults.status,
                            service=args.service, format=args.format or defaults.format,
                            language=args.lang)
    try:
        data, output = make_report(rt, request)
    except ReportRequestError as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 2
    finally:
        rt.close()
    if not data.measured:
        what = "closed" if request.status == "closed" else "reported"
        only = f" for service {data.selection.service}" if data.selection.service else ""
        print(f"report: no incidents {what} from {args.first} to {args.last}{only}; nothing to "
              "report (try --status all, or another period)", file=sys.stderr)
        return 2
    return _write(output, args.output, len(data.measured))


def _write(output: bytes, path: str | None, count: int) -> int:
    if path is None:
        sys.stdout.buffer.write(output)
        sys.stdout.flush()
        return 0
    try:
        Path(path).write_bytes(output)
    except OSError as exc:
        print(f"report: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"report: {count} incident(s) written to {path}", file=sys.stderr)
    return 0
