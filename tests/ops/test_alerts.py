"""The alerting rules in deploy/prometheus/alerts.yaml read metrics the services export, and each has a
runbook in docs/runbooks.md that says what it means and what to do (and no runbook is left without its
alert). promtool is not on these machines: the expressions are checked for the metrics they name and for
balanced brackets, not parsed as PromQL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.ext.asyncio import create_async_engine

from services.eligibility.main import DEFINITION
from tests.eligibility.conftest import serve
from tests.kit.deploy import ROOT

RULES = ROOT / "deploy" / "prometheus" / "alerts.yaml"
RUNBOOKS = ROOT / "docs" / "runbooks.md"
FUNCTIONS = {"max", "min", "sum", "by", "delta", "min_over_time", "and", "humanizeDuration"}


def alerts() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_alert_is_complete_and_has_its_runbook() -> None:
    sections = {anchor(h): h for h in re.findall(r"^## (.+)$", RUNBOOKS.read_text(), flags=re.MULTILINE)}
    named = set()
    for rule in alerts():
        name = rule["alert"]
        assert re.fullmatch(r"SafetyNet[A-Z]\w+", name), name
        assert rule["labels"]["severity"] in {"warning", "critical"}, name
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], name
        path, _, fragment = rule["annotations"]["runbook"].partition("#")
        assert (ROOT / path).resolve() == RUNBOOKS.resolve(), name
        assert fragment == anchor(name) and fragment in sections, f"{name}: no section '## {name}' in {path}"
        expression = rule["expr"]
        assert expression.count("(") == expression.count(")") and expression.count("[") == expression.count(
            "]"
        )
        assert all(re.fullmatch(r"\d+[smhd]", d) for d in re.findall(r"\[([^\]]+)\]", expression)), name
        named.add(fragment)
    assert set(sections) == named, f"runbooks without an alert: {sorted(set(sections) - named)}"


async def test_every_metric_an_alert_reads_is_exported(migrated_database: Any, keys: Path) -> None:
    """Eligibility's `/metrics`: the messaging gauges every service has, and the calendar's."""
    engine = create_async_engine(await migrated_database(DEFINITION.migrations))
    try:
        async with serve(engine, keys, bus="in-process") as api:
            exposition = (await api.client.get("/metrics")).text
    finally:
        await engine.dispose()
    exported = set(re.findall(r"^# TYPE (\w+) ", exposition, flags=re.MULTILINE))
    for rule in alerts():
        read = set(re.findall(r"\bsafetynet_\w+", rule["expr"]))
        assert read, rule["alert"]
        assert read <= exported, (
            f"{rule['alert']} reads metrics no service exports: {sorted(read - exported)}"
        )
        words = set(re.findall(r"\b([a-z_]+)\s*\(", rule["expr"])) | set(
            re.findall(r"\b(by|and)\b", rule["expr"])
        )
        assert words <= FUNCTIONS, f"{rule['alert']}: unexpected {sorted(words - FUNCTIONS)}"
