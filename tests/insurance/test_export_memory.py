"""The roster changes export streams: the January export (the whole January roster) takes the same memory for
four times the entries, in JSON and CSV, through the app as a client receives it."""

from __future__ import annotations

import asyncio
import json
import tracemalloc
from collections.abc import MutableMapping
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

from services.insurance.service.terms import DEMO_INSURER_ID
from shared.clock import FixedClock
from tests.insurance.conftest import Insurance, bare_insurance, serve

SMALL = 4_000  # two export chunks
LARGE = 4 * SMALL

ADD = text(
    """
INSERT INTO roster_entries (id, person_id, policy_year, insurer_id, district_code, categories, cover_from,
                            premium_fen)
SELECT gen_random_uuid(), gen_random_uuid(), 2026, :insurer_id, '5001' || LPAD((1 + g % 40)::text, 2, '0'),
       ARRAY['dibao'], DATE '2026-01-01', 12000
FROM generate_series(1, :n) AS g
"""
)


async def add_entries(insurance: Insurance, n: int) -> None:
    async with insurance.connection() as connection:
        await connection.execute(ADD, {"n": n, "insurer_id": DEMO_INSURER_ID})


async def stream(app: FastAPI, path: str, headers: dict[str, str]) -> tuple[int, int, bytes, bytes]:
    """GET `path` straight through the ASGI app, dropping each body chunk once counted: (status, person ids
    seen, the first and the last chunk)."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path.split("?")[0],
        "raw_path": path.split("?")[0].encode(),
        "query_string": path.partition("?")[2].encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "server": ("insurance", 80),
        "client": ("127.0.0.1", 1),
    }
    status, persons, first, last = 0, 0, b"", b""
    requested, done = False, asyncio.Event()

    async def receive() -> MutableMapping[str, Any]:
        # The request once, then nothing until the response is complete: the client stays connected.
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status, persons, first, last
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body" and message.get("body"):
            chunk = message["body"]
            persons += chunk.count(b'"person_id"') + chunk.count(b"\nadded,") + chunk.startswith(b"added,")
            first, last = first or chunk, chunk
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    await app(scope, receive, send)
    return status, persons, first, last


async def peak_while_streaming(app: FastAPI, path: str, headers: dict[str, str], expected: int) -> int:
    tracemalloc.start()
    try:
        status, persons, first, last = await stream(app, path, headers)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (status, persons) == (200, expected), first[:300]
    if path.endswith("/2026-01"):
        assert json.loads(first.split(b', "added": [')[0] + b"}") == {
            "policy_year": 2026,
            "month": "2026-01",
            "district_code": None,
        }
        assert last.endswith(b'], "removed": []}')
    return peak


async def test_the_january_export_takes_the_same_memory_for_four_times_the_entries(
    migrated_database: Any, keys: Path
) -> None:
    async with (
        bare_insurance(migrated_database, terms=(2026,)) as insurance,
        serve(insurance, keys, FixedClock(date(2026, 12, 3))) as served,
    ):
        await add_entries(insurance, SMALL)
        peaks: dict[str, list[int]] = {"json": [], "csv": []}
        paths = {
            "json": "/v1/terms/2026/roster/changes/2026-01",
            "csv": "/v1/terms/2026/roster/changes/2026-01?format=csv",
        }
        reviewer = served.token("auditor", "*", subject="aud-1")
        for kind, path in paths.items():
            await stream(served.app, path, reviewer)  # warm up: plans, caches, the first import of everything
            peaks[kind].append(await peak_while_streaming(served.app, path, reviewer, SMALL))
        await add_entries(insurance, LARGE - SMALL)
        for kind, path in paths.items():
            peaks[kind].append(await peak_while_streaming(served.app, path, reviewer, LARGE))
    for small, large in peaks.values():
        # Built whole, 12,000 more entries would hold some 20 MiB more; streamed, the peak is one chunk's.
        assert large < small * 1.25 + 512 * 1024, peaks
