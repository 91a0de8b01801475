"""The oversight dashboard in headless Chromium (Debian's, driven by Playwright): a chart per KPI with the seeded
figures, the same as the KPI API's; readable at a phone's 390 px; its GET form filters by district; guarded like
the API; every text escaped; and out of the OpenAPI document. Screenshots are kept in the test's tmp path."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

from playwright.async_api import Route, async_playwright

from services.oversight.schemas.dashboard import page
from services.oversight.schemas.kpis import Figure, KpiOut, KpiReportOut
from tests.kit.apps import service_app
from tests.kit.oversight import DISTRICT, OTHER_DISTRICT, Oversight, Served, serve_on
from tests.kit.oversight_kpis import kpi_city

TODAY = date(2026, 12, 3)
CHROMIUM = "/usr/bin/chromium"

# What the page shows of each chart: its bars and the value of each table row, by district.
_READ_CHARTS = """() => [...document.querySelectorAll('figure.kpi')].map(f => ({
    kpi: f.dataset.kpi,
    bars: [...f.querySelectorAll('svg rect.bar')].map(b => b.dataset.district),
    targets: f.querySelectorAll('svg line.target').length,
    values: Object.fromEntries([...f.querySelectorAll('tbody tr')].map(r => [r.dataset.district, r.dataset.value])),
}))"""


def _through(served: Served) -> Callable[[Route], Awaitable[None]]:
    """Answer the browser's requests to http://oversight from the app in this process (no port, no network)."""

    async def handle(route: Route) -> None:
        request = route.request
        answer = await served.client.get(request.url, headers=request.headers)
        await route.fulfill(status=answer.status_code, headers=dict(answer.headers), body=answer.content)

    return handle


def _shown(values: dict[str, str]) -> dict[str, float | None]:
    return {district: float(v) if v else None for district, v in values.items()}


async def test_the_dashboard_draws_a_chart_per_kpi_with_the_apis_figures(
    oversight: Oversight, keys: Path, tmp_path: Path
) -> None:
    await kpi_city(oversight)
    async with serve_on(TODAY, oversight, keys) as served, async_playwright() as playwright:
        auditor = served.token("auditor")
        api = (await served.client.get("/v1/kpis?month=2026-11", headers=auditor)).json()
        expected = {
            k["kpi"]: {f["district_code"] or "total": f["value"] for f in (*k["districts"], k["total"])}
            for k in api["kpis"]
        }
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for width, height in ((1280, 900), (390, 844)):
                context = await browser.new_context(
                    viewport={"width": width, "height": height}, extra_http_headers=auditor
                )
                tab = await context.new_page()
                await tab.route("http://oversight/**", _through(served))
                shown = await tab.goto("http://oversight/dashboard?month=2026-11")
                assert shown is not None and shown.status == 200
                await tab.screenshot(path=tmp_path / f"dashboard-{width}px.png", full_page=True)
                charts = await tab.evaluate(_READ_CHARTS)
                assert [c["kpi"] for c in charts] == list(expected)
                for chart in charts:
                    assert chart["bars"] == [DISTRICT, OTHER_DISTRICT, "total"], chart
                    assert _shown(chart["values"]) == expected[chart["kpi"]], chart["kpi"]
                by_kpi = {c["kpi"]: c for c in charts}
                assert by_kpi["care_rate"]["targets"] == 3 and by_kpi["claim_rate"]["targets"] == 0
                # Readable on a phone: nothing wider than the screen, charts one under another.
                assert await tab.evaluate("document.documentElement.scrollWidth") <= width
                boxes = [await f.bounding_box() for f in await tab.query_selector_all("figure.kpi")]
                assert all(b is not None and b["x"] + b["width"] <= width for b in boxes)
                if width == 390:
                    assert len({b["x"] for b in boxes if b is not None}) == 1

                # The plain GET form: one district.
                await tab.select_option("select[name=district_code]", DISTRICT)
                await tab.click("button[type=submit]")
                await tab.wait_for_url(f"**/dashboard?month=2026-11&district_code={DISTRICT}")
                narrowed = await tab.evaluate(_READ_CHARTS)
                assert all(c["bars"] == [DISTRICT, "total"] for c in narrowed)
                await context.close()
        finally:
            await browser.close()
    assert (tmp_path / "dashboard-1280px.png").stat().st_size > 0
    assert (tmp_path / "dashboard-390px.png").stat().st_size > 0


async def test_the_dashboard_is_guarded_like_the_api_and_left_out_of_the_openapi_document(
    oversight: Oversight, keys: Path
) -> None:
    async with serve_on(TODAY, oversight, keys) as served:
        assert (await served.client.get("/dashboard")).status_code == 401
        finance = served.token("finance_officer", DISTRICT)
        assert (await served.client.get("/dashboard", headers=finance)).status_code == 403
        mine = await served.client.get("/dashboard", headers=served.token("reviewer", DISTRICT))
        assert mine.status_code == 200 and mine.headers["content-type"].startswith("text/html")
        assert "default-src 'none'" in mine.headers["content-security-policy"]
        assert OTHER_DISTRICT not in mine.text  # the filter offers the caller's districts only
        bad = await served.client.get("/dashboard?month=2026-13", headers=served.token("auditor"))
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "month"
    assert not [p for p in service_app("oversight", keys).openapi()["paths"] if "dashboard" in p]


def test_every_text_on_the_page_is_escaped() -> None:
    hostile = '"><script>alert(1)</script>'
    figure: dict[str, Any] = {"value": 0.5, "numerator": 1, "denominator": 2, "target": None, "meets": None}
    report = KpiReportOut(
        month="2026-11",
        through="2026-11",
        first_day=date(2026, 11, 1),
        last_day=date(2026, 11, 30),
        as_of=date(2026, 11, 30),
        district_code=None,
        kpis=[
            KpiOut(
                kpi="coverage",
                title=hostile,
                unit="share",
                higher_is_better=True,
                total=Figure(district_code=None, **figure),
                districts=[Figure(district_code=hostile, **figure)],
            )
        ],
    )
    html = page(report, districts=[hostile])
    assert "<script>" not in html and hostile not in html
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
