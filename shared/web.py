"""The HTTP edge every service shares: problem responses, body limit, correlation id, health, metrics."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import FieldIssue, PayloadTooLarge, SafetyNetError
from shared.messaging.connection import RateLimiter
from shared.observability import correlation_id, get_logger, new_correlation_id
from shared.openapi import CORRELATION_HEADER, PROBLEM_BASE, PROBLEM_JSON, truthful
from shared.screening import screen_input

log = get_logger(__name__)

ReadinessCheck = Callable[[], Awaitable[None]]
Watch = Callable[[], Awaitable[list[str]]]
"""Refreshes a service's own gauges and returns warnings for `/health`."""


def problem_body(
    status: int, title: str, slug: str, detail: str, *, instance: str, errors: Sequence[FieldIssue] = ()
) -> dict[str, Any]:
    """An RFC 9457 problem document; `errors` names each field and the rule it broke."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if errors:
        body["errors"] = [{"field": e.field, "rule": e.rule, "message": e.message} for e in errors]
    return body


def problem(
    status: int,
    title: str,
    slug: str,
    detail: str,
    *,
    instance: str,
    errors: Sequence[FieldIssue] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """An RFC 9457 problem response; a 401 always says how to authenticate."""
    body = problem_body(status, title, slug, detail, instance=instance, errors=errors)
    sent = {**(headers or {}), **({"WWW-Authenticate": "Bearer"} if status == 401 else {})}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=sent or None)


def _field_path(location: Sequence[Any]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:] or parts
    return ".".join(parts)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path (RFC 9110 §15.5.6). Starlette's own `Allow` names only
    the first route it matched, and a path's GET and POST are often two routes."""
    return [
        method
        for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]


def install_problem_handlers(app: FastAPI) -> None:
    """Translate the errors the app raises on purpose (domain, validation, HTTP) into problem responses.

    Anything else is `UnhandledErrorMiddleware`'s: an `Exception` handler here would run in Starlette's
    outermost middleware, which re-raises after answering, and uvicorn then drops the connection.
    """

    async def on_domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SafetyNetError)
        return problem(
            exc.status, exc.title, exc.slug, exc.detail, instance=request.url.path, errors=exc.errors
        )

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        issues = [
            FieldIssue(field=_field_path(err["loc"]), rule=str(err["type"]), message=str(err["msg"]))
            for err in exc.errors()
        ]
        detail = "; ".join(f"{i.field}: {i.message}" for i in issues)
        return problem(
            422, "Invalid input", "invalid-input", detail, instance=request.url.path, errors=issues
        )

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        slug = {400: "bad-request", 404: "not-found", 405: "method-not-allowed"}.get(
            exc.status_code, "http-error"
        )
        title = str(exc.detail) if isinstance(exc.detail, str) else "HTTP error"
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return problem(exc.status_code, title, slug, title, instance=request.url.path, headers=headers)

    app.add_exception_handler(SafetyNetError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)


class BodyLimitMiddleware:
    """Refuse bodies over the limit with 413, by declared length and by bytes actually received."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise PayloadTooLarge(f"request body exceeds {self.max_body_bytes} bytes")
            return message

        await self.app(scope, limited_receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413,
            PayloadTooLarge.title,
            PayloadTooLarge.slug,
            f"request body exceeds {self.max_body_bytes} bytes",
            instance=scope.get("root_path", "") + scope["path"],
        )
        await response(scope, receive, send)


class UnhandledErrorMiddleware:
    """Answer an unexpected error with a 500 problem and keep the client's connection open.

    Starlette's last resort sends its 500 from outside every middleware (so without the correlation
    id, and uncounted by the metrics) and then re-raises, and uvicorn closes a keep-alive connection
    on any exception. This sits inside both, logs the error once and returns normally instead.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            path = Request(scope).url.path
            if started:
                # The status line and part of the body are out: only a dropped connection tells the
                # client the body is cut short. Uvicorn logs the traceback; this line adds the id.
                log.error("unhandled error after the response started", path=path)
                raise
            log.exception("unhandled error", path=path)
            await self._answer(path)(scope, receive, send)

    @staticmethod
    def _answer(path: str) -> Response:
        body = problem_body(
            500, "Internal error", "internal", "the request failed; quote the correlation id", instance=path
        )
        body["correlation_id"] = correlation_id.get()
        return JSONResponse(body, status_code=500, media_type=PROBLEM_JSON)


class CorrelationIdMiddleware:
    """Carry X-Correlation-ID from the request into logs and emitted events, and echo it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(CORRELATION_HEADER.lower().encode())
        current = new_correlation_id(incoming.decode("latin-1") if incoming else None)
        token = correlation_id.set(current)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((CORRELATION_HEADER.encode(), current.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            correlation_id.reset(token)


class HttpMetrics:
    """Request counts and latencies per route, in the service's own registry."""

    def __init__(self, registry: CollectorRegistry, service: str) -> None:
        self.requests = Counter(
            "http_requests", "HTTP requests", ["service", "method", "route", "status"], registry=registry
        )
        self.latency = Histogram(
            "http_request_duration_seconds", "HTTP latency", ["service", "method", "route"], registry=registry
        )
        self.service = service

    def record(self, scope: Scope, status: int, seconds: float) -> None:
        template = getattr(scope.get("route"), "path", "unmatched")
        self.requests.labels(self.service, scope["method"], template, status).inc()
        self.latency.labels(self.service, scope["method"], template).observe(seconds)


class MetricsMiddleware:
    """Count each request by the status it was answered with, and time it to its last byte.

    Pure ASGI, not Starlette's `BaseHTTPMiddleware`: that one ends a streamed body cleanly when the app
    fails halfway through it, and the client would take the cut-short body for a whole one.
    """

    def __init__(self, app: ASGIApp, *, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers if the app fails before it does

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            self.metrics.record(scope, status, time.perf_counter() - started)


def install_operational_routes(
    app: FastAPI, *, registry: CollectorRegistry, ready: ReadinessCheck, watch: Watch | None = None
) -> None:
    """`/health` (the process lives), `/ready` (its dependencies answer) and Prometheus `/metrics`.

    `watch` refreshes the service's own gauges and returns what operations should act on soon (a
    calendar about to run out, say): `/health` lists it as `warnings` and stays 200, since none of it
    stops the process from working; `/metrics` refreshes the gauges before every scrape.
    """

    async def warnings() -> list[str]:
        if watch is None:
            return []
        try:
            return await watch()
        except Exception as exc:  # liveness never depends on the database
            log.warning("health watch failed", error=repr(exc))
            return [f"could not check: {type(exc).__name__}"]

    @app.get(
        "/health", tags=["operations"], summary="Liveness: the process is up, and what needs attention soon"
    )
    async def health() -> dict[str, Any]:
        return {"status": "ok", "warnings": await warnings()}

    quiet = RateLimiter()  # a probe asks every few seconds: one line per interval is enough

    @app.get(
        "/ready",
        tags=["operations"],
        summary="Readiness: the database answers at its migrations' head and the broker is reachable",
    )
    async def readiness(request: Request) -> Response:
        try:
            await ready()
        except Exception as exc:
            if (suppressed := quiet.allow()) is not None:
                log.warning("not ready", error=str(exc), suppressed=suppressed)
            return problem(
                503, "Not ready", "not-ready", str(exc) or type(exc).__name__, instance=request.url.path
            )
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        await warnings()
        return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def harden(app: FastAPI, *, max_body_bytes: int, metrics: HttpMetrics) -> None:
    """The middleware stack, outermost first: correlation id, body limit, metrics, unhandled errors; the
    problem handlers; the input screen on every route; and the OpenAPI document that describes all of it.

    Each `add_middleware` wraps the ones added before it, so they are added innermost first. The
    unhandled-error 500 is innermost so that it carries the correlation id and the metrics count it.
    """
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=max_body_bytes)
    app.add_middleware(CorrelationIdMiddleware)
    install_problem_handlers(app)
    app.router.dependencies.append(Depends(screen_input))  # every route included from here on
    app.openapi = truthful(app)  # type: ignore[method-assign]


def compose(apps: dict[str, FastAPI], *, title: str) -> FastAPI:
    """One ASGI app that serves each service under `/<name>`, plus a root `/health` over all of them.

    Starlette does not run a mounted app's lifespan, so the root runs each one in turn.
    """

    @contextlib.asynccontextmanager
    async def lifespan(_root: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            for app in apps.values():
                await stack.enter_async_context(app.router.lifespan_context(app))
            yield

    root = FastAPI(title=title, docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)

    @root.get("/health", include_in_schema=False)
    async def health() -> dict[str, Any]:
        return {"status": "ok", "services": sorted(apps)}

    for name, app in apps.items():
        root.router.routes.append(Mount(f"/{name}", app=app, name=name))
    return root
