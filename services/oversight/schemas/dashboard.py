"""The oversight dashboard as one server-rendered HTML page: a filter form and, per KPI, an inline SVG bar chart
of the districts against their targets. No script, no outside resource; every text is escaped."""

from __future__ import annotations

from html import escape

from services.oversight.schemas.kpis import Figure, KpiOut, KpiReportOut

_ROW = 26
_LABEL = 70
_BAR = 190
_WIDTH = _LABEL + _BAR + 60

_STYLE = """
body{font-family:system-ui,sans-serif;margin:0;padding:12px;color:#1b1b1b;background:#f6f7f9}
h1{font-size:1.3rem;margin:0 0 8px}
form{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin-bottom:12px}
label{display:flex;flex-direction:column;font-size:.85rem}
input,select,button{font-size:1rem;padding:4px 6px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:12px}
figure{margin:0;min-width:0;overflow-x:auto;background:#fff;border:1px solid #d8dce2;border-radius:6px;padding:8px}
figcaption{font-weight:600;margin-bottom:4px}
svg{width:100%;height:auto;display:block}
table{border-collapse:collapse;table-layout:fixed;width:100%;font-size:.75rem;margin-top:4px}
td,th{text-align:right;padding:1px 2px;overflow-wrap:anywhere}td:first-child,th:first-child{text-align:left}
.note{font-size:.8rem;color:#555}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _shown(kpi: KpiOut, value: float | None) -> str:
    if value is None:
        return "–"
    if kpi.unit == "share":
        return f"{value * 100:.1f}%"
    if kpi.unit == "count":
        return f"{value:.0f}"
    return f"{value:.4g}"


def _chart(kpi: KpiOut, figures: list[Figure]) -> str:
    """Horizontal bars, one per district and the total, each with its target as a dark tick."""
    top = max([1.0] if kpi.unit == "share" else [1.0, *[f.value or 0 for f in figures]])
    top = max(top, *[f.target or 0 for f in figures])
    height = _ROW * len(figures) + 4
    parts = [
        f'<svg viewBox="0 0 {_WIDTH} {height}" role="img" aria-label="{_e(kpi.title)}" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, f in enumerate(figures):
        y = i * _ROW + 4
        label = f.district_code or "total"
        width = 0 if f.value is None else max(f.value / top * _BAR, 0)
        colour = "#9aa3ad" if f.meets is None else "#2e8540" if f.meets else "#d9822b"
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{_e(label)}</text>')
        parts.append(
            f'<rect class="bar" data-district="{_e(label)}" x="{_LABEL}" y="{y}" width="{width:.1f}" '
            f'height="{_ROW - 8}" fill="{colour}"/>'
        )
        if f.target is not None:
            x = _LABEL + f.target / top * _BAR
            parts.append(
                f'<line class="target" x1="{x:.1f}" x2="{x:.1f}" y1="{y - 2}" y2="{y + _ROW - 6}" '
                f'stroke="#1b1b1b" stroke-width="2"/>'
            )
        parts.append(
            f'<text x="{_LABEL + _BAR + 4}" y="{y + 15}" font-size="12">{_e(_shown(kpi, f.value))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(kpi: KpiOut, figures: list[Figure]) -> str:
    rows = "".join(
        f'<tr data-district="{_e(f.district_code or "total")}" data-value="{_e("" if f.value is None else f.value)}">'
        f"<td>{_e(f.district_code or 'total')}</td><td>{_e(_shown(kpi, f.value))}</td>"
        f"<td>{_e(f'{f.numerator:g}')}</td><td>{_e('' if f.denominator is None else f'{f.denominator:g}')}</td>"
        f"<td>{_e(_shown(kpi, f.target))}</td></tr>"
        for f in figures
    )
    return (
        "<table><thead><tr><th>district</th><th>value</th><th>num.</th><th>denom.</th>"
        f"<th>target</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _form(month: str, options: str) -> str:
    """The filter: a plain GET form (an empty choice means the default)."""
    return (
        f'<form method="get"><label>Month<input type="month" name="month" value="{_e(month)}" min="2018-01">'
        f'</label><label>District<select name="district_code">{options}</select></label>'
        '<button type="submit">Show</button></form>'
    )


def page(report: KpiReportOut, *, districts: list[str]) -> str:
    """The whole page; `districts` are those the filter offers (the caller's, or those with figures)."""
    options = "".join(
        f'<option value="{_e(d)}"{" selected" if d == report.district_code else ""}>{_e(d or "all")}</option>'
        for d in ["", *districts]
    )
    charts = "".join(
        f'<figure class="kpi" data-kpi="{_e(k.kpi)}"><figcaption>{_e(k.title)}</figcaption>'
        f"{_chart(k, [*k.districts, k.total])}{_table(k, [*k.districts, k.total])}</figure>"
        for k in report.kpis
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Oversight dashboard {_e(report.month)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Oversight dashboard (专项治理) — {_e(report.month)}</h1>"
        f"{_form(report.month, options)}"
        f'<p class="note">Stocks as of {_e(report.as_of.isoformat())}; flows {_e(report.first_day.isoformat())} '
        f"to {_e(report.last_day.isoformat())}. Bars: green meets its target (black tick), orange misses it, "
        "grey has none.</p>"
        f'<div class="grid">{charts}</div>'
        "</body></html>"
    )
