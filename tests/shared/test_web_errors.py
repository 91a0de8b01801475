"""An unexpected error answers a 500 problem with the correlation id, over a connection that stays open.

Served by a real uvicorn over TCP, because the bug lived there: an exception that escapes the app after
its 500 was sent makes uvicorn close the client's keep-alive connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from prometheus_client import CollectorRegistry

from shared.observability import configure_logging
from shared.openapi import CORRELATION_HEADER, PROBLEM_JSON
from shared.web import HttpMetrics, harden

Reply = tuple[int, dict[str, str], bytes]


def _app(registry: CollectorRegistry) -> FastAPI:
    app = FastAPI()
    harden(app, max_body_bytes=1024, metrics=HttpMetrics(registry, "probe"))

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("the route broke")

    @app.get("/fine")
    async def fine() -> dict[str, str]:
        return {"status": "fine"}

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"first chunk\n"
            raise RuntimeError("the stream broke")

        return StreamingResponse(chunks(), media_type="text/plain")

    return app


@contextlib.asynccontextmanager
async def _served(app: FastAPI) -> AsyncIterator[int]:
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, lifespan="off", log_level="warning", log_config=None
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            assert not serving.done(), "uvicorn stopped before it served"
            await asyncio.sleep(0.02)
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await serving


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> Reply:
    """One keep-alive HTTP/1.1 request on an open connection; the body is read by its Content-Length."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: probe\r\n\r\n".encode())
    await writer.drain()
    head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)).decode("latin-1")
    status_line, *header_lines = head.strip().split("\r\n")
    headers = {name.lower(): value.strip() for name, value in (h.split(":", 1) for h in header_lines)}
    body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), 5)
    return int(status_line.split()[1]), headers, body


def _log_lines(capsys: pytest.CaptureFixture[str]) -> Iterator[dict[str, object]]:
    for line in capsys.readouterr().out.splitlines():
        with contextlib.suppress(ValueError):
            yield json.loads(line)


async def test_an_unhandled_error_is_a_500_problem_with_the_id_and_the_connection_stays_open(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO")
    registry = CollectorRegistry()
    async with _served(_app(registry)) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            status, headers, body = await _exchange(reader, writer, "/boom")
            second = await _exchange(reader, writer, "/fine")
        finally:
            writer.close()
    problem = json.loads(body)
    assert status == 500 and headers["content-type"] == PROBLEM_JSON
    assert problem["status"] == 500 and problem["instance"] == "/boom"
    assert problem["correlation_id"] == headers[CORRELATION_HEADER.lower()]
    assert second[0] == 200 and json.loads(second[2]) == {"status": "fine"}
    labels = {"service": "probe", "method": "GET", "route": "/boom", "status": "500"}
    assert registry.get_sample_value("http_requests_total", labels) == 1
    logged = [line for line in _log_lines(capsys) if "exception" in line]
    assert len(logged) == 1, "the error is logged once, with its traceback"
    assert logged[0]["event"] == "unhandled error" and "RuntimeError: the route broke" in str(
        logged[0]["exception"]
    )
    assert logged[0]["correlation_id"] == problem["correlation_id"]


async def test_an_error_after_a_streamed_response_started_cuts_the_connection(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO")
    async with _served(_app(CollectorRegistry())) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(b"GET /stream HTTP/1.1\r\nHost: probe\r\n\r\n")
            await writer.drain()
            received = await asyncio.wait_for(reader.read(), 5)
        finally:
            writer.close()
    # The 200 and the first chunk were already out; the client learns of the failure by the missing
    # last chunk and the closed connection, never by a second status line.
    assert received.startswith(b"HTTP/1.1 200") and b"first chunk" in received
    assert not received.endswith(b"0\r\n\r\n") and received.count(b"HTTP/1.1") == 1
    events = [line.get("event") for line in _log_lines(capsys)]
    assert "unhandled error after the response started" in events
