"""The printable report: templates/<lang>/report.html (words in report_words.jinja, layout in
templates/report_layout.html) filled with the figures, two inline SVG charts and the incident
table. The table's rows are the one part written here rather than in the template: a month
can hold 50,000 incidents, and sixteen autoescaped Jinja expressions per row cost seconds,
where one escape per text cell in a format string costs a fraction of that."""
from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any, Iterable, Mapping

from markupsafe import Markup

from outbound.report_charts import day_chart, percent_chart
from outbound.context import desk_view, local_time
from outbound.render import Renderer
from outbound.report_formats import failed_plain, problem_plain, summary_plain
from outbound.settings import DeskInfo
from workflow.report_metrics import Measured
from workflow.policy import Policy
from workflow.report_data import ReportData
from workflow.status import LABELS


def render_html(data: ReportData, desk: DeskInfo, policy: Policy, renderer: Renderer,
                lang: str) -> bytes:
    lang = lang if lang in renderer.languages else renderer.languages[0]
    words = renderer.env.get_template(f"{lang}/report_words.jinja").module.L  # type: ignore[attr-defined]
    template = renderer.env.get_template(f"{lang}/report.html")
    return template.render(html_view(data, desk, policy, lang, words)).encode("utf-8")


def html_view(data: ReportData, desk: DeskInfo, policy: Policy, lang: str,
              words: Mapping[str, Any]) -> dict[str, Any]:
    priorities = list(policy.priorities)
    sla = data.summary.sla
    period = data.selection.period
    return {
        "desk": desk_view(desk), "lang": lang, "timezone": desk.timezone.key,
        "zone_abbr": data.as_of.astimezone(desk.timezone).tzname(),
        "period": {"from": f"{period.first:%d-%m-%Y}", "to": f"{period.last:%d-%m-%Y}"},
        "status": data.selection.status,
        "service_name": desk.service_names.get(data.selection.service or "", data.selection.service),
        "generated": local_time(desk, data.as_of),
        "summary": summary_plain(data.summary, desk, len(data.failed_mails)),
        "priorities": [{"code": p, "name": desk.priority_names.get(p, "")} for p in priorities],
        "day_chart": day_chart(data.summary.by_day),
        "sla_chart": percent_chart([(p, [sla[p].response.percent, sla[p].resolution.percent])
                                    for p in priorities]),
        "rows": bool(data.measured),
        "rows_html": rows_html(data.measured, desk, lang, words),
        "problems": [problem_plain(c, desk) | {"numbers_html": _numbers(c.numbers)}
                     for c in data.problems],
        "failed_mails": [failed_plain(m, desk) for m in data.failed_mails],
        "duration": duration_text, "css": css_string,
        "percent": lambda value: percent_text(value, lang),
        "decimal": lambda value: decimal_text(value, lang),
    }


class _Escaped(dict[str, str]):
    """html.escape with a memory: names, labels and codes repeat over thousands of rows."""

    def __missing__(self, key: str) -> str:
        value = self[key] = escape(key)
        return value


def rows_html(rows: Iterable[Measured], desk: DeskInfo, lang: str, words: Mapping[str, Any]) -> Markup:
    """<tr> elements of the incident table; the columns are the headers in report_layout.html."""
    services = _Escaped({code: escape(name) for code, name in desk.service_names.items()})
    categories = _Escaped({code: escape(name) for code, name in desk.category_names.items()})
    labels = _Escaped({k: escape(v) for k, v in desk.labels.get(lang, {}).items()})
    people = _Escaped()                       # reporters and handlers
    for table in (services, categories, people):
        table[""] = "-"
    verdicts = {k: escape(v) for k, v in words["verdict"].items()}
    statuses = _Escaped({s.value: escape(text) for s, text in LABELS.get(lang, LABELS["en"]).items()})
    tz, out = desk.timezone, []
    for r in rows:
        i = r.incident
        out.append(
            f"<tr><td>{escape(i.number)}</td><td>{_short(i.created_at.astimezone(tz))}</td>"
            f"<td>{escape(i.subject)}</td><td>{statuses[i.status]}</td>"
            f"<td>{people[i.reporter_name or i.reporter]}</td><td>{services[i.service or '']}</td>"
            f"<td>{categories[i.category or '']}</td><td>{labels[i.urgency]}</td>"
            f"<td>{labels[i.impact]}</td><td>{labels[i.priority]}</td>"
            f'<td class="n">{i.escalation_level}</td><td>{people[i.handler or ""]}</td>'
            f"{_clock(r.response_minutes, r.response, verdicts)}"
            f"{_clock(r.resolution_minutes, r.resolution, verdicts)}"
            f"<td>{escape(i.resolution) if i.resolution else ''}</td>"
            f'<td class="n">{i.rating if i.rating is not None else "-"}</td></tr>')
    return Markup("\n".join(out))


def _numbers(numbers: Iterable[str]) -> Markup:
    """Ticket numbers, each kept whole on a line (a candidate can list hundreds)."""
    return Markup(", ".join(f'<span class="nowrap">{escape(n)}</span>' for n in numbers))


def _short(local: datetime) -> str:
    """dd-mm-YYYY HH:MM, cut from the (fast) ISO form."""
    iso = local.isoformat()
    return f"{iso[8:10]}-{iso[5:7]}-{iso[:4]} {iso[11:16]}"


def _clock(minutes: float | None, verdict: str, words: Mapping[str, str]) -> str:
    missed = " missed" if verdict == "missed" else ""
    return f'<td class="n{missed}">{duration_text(minutes)} {words.get(verdict, verdict)}</td>'


def duration_text(minutes: float | None) -> str:
    """h:mm, whole minutes rounded down; "-" when there is no time."""
    if minutes is None:
        return "-"
    total = int(minutes)
    return f"{total // 60}:{total % 60:02d}"


def percent_text(value: float | None, lang: str = "en") -> str:
    """87.5 % in English, 87,5 % in Indonesian (a decimal comma); "-" when nothing counted."""
    return f"{decimal_text(value, lang, 1)} %" if value is not None else "-"


def decimal_text(value: float | None, lang: str = "en", digits: int = 2) -> str:
    """A figure with `digits` decimals in the reader's way of writing it: Indonesian writes a
    decimal comma (4,25), English a point (4.25)."""
    if value is None:
        return "-"
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "id" else text


def css_string(value: str) -> Markup:
    """The body of a double-quoted CSS string inside <style>: HTML escaping does not apply
    there, so quotes, backslashes, line breaks and '<' (no early </style>) are CSS-escaped."""
    escaped = (str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\r", "")
               .replace("\n", "\\A ").replace("<", "\\3C "))
    return Markup(escaped)
