"""Bearer tokens: what the verifier refuses and why, role and district guards, dev keys and minting."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import stat
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID, uuid4

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi import Depends, FastAPI

from shared.auth import (
    CurrentPrincipal,
    Principal,
    Role,
    TokenVerifier,
    ensure_dev_keypair,
    mint_token,
    require_roles,
)
from shared.errors import Forbidden, Unauthorized
from shared.openapi import PROBLEM_JSON
from shared.settings import AuthSettings
from shared.web import install_problem_handlers

ISSUER, AUDIENCE = "safetynet-test", "safetynet"
HOME, OTHER = "110105", "110106"
HOME_A = UUID("3f1c2e4a-0b6e-4b59-9a3e-5f8f1d2c3b4a")

Approver = Annotated[Principal, Depends(require_roles(Role.reviewer, Role.auditor))]


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return ensure_dev_keypair(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def foreign_private_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_dev_keypair(tmp_path_factory.mktemp("foreign"))[0]


def settings(public_key_file: Path) -> AuthSettings:
    return AuthSettings(issuer=ISSUER, audience=AUDIENCE, public_key_file=public_key_file)


@pytest.fixture
async def client(keys: tuple[Path, Path]) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.token_verifier = TokenVerifier(settings(keys[1]))

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, Any]:
        return {"subject": principal.subject}

    @app.get("/districts/{code}/cases")
    async def cases(code: str, principal: Approver) -> dict[str, Any]:
        principal.require_district(code)
        return {"subject": principal.subject, "districts": sorted(principal.districts)}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def token(private_key_file: Path, **overrides: Any) -> str:
    claims: dict[str, Any] = {
        "subject": "reviewer-7",
        "roles": [Role.reviewer],
        "districts": [HOME],
        "issuer": ISSUER,
        "audience": AUDIENCE,
    }
    return mint_token(private_key_file, **{**claims, **overrides})


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(datetime.now(UTC).timestamp())
    base = {"sub": "reviewer-7", "roles": ["reviewer"], "districts": [HOME], "iss": ISSUER, "aud": AUDIENCE}
    return {**base, "iat": now, "exp": now + 600, **overrides}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made(header: dict[str, Any], payload: dict[str, Any], sign: Any = None) -> str:
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    signature = b64url(sign(signing_input.encode())) if sign else ""
    return f"{signing_input}.{signature}"


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def assert_problem(response: httpx.Response, status: int, detail_part: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["type"].endswith("/unauthorized" if status == 401 else "/forbidden")
    assert body["title"] == ("Unauthorized" if status == 401 else "Forbidden")
    assert body["status"] == status
    assert detail_part in body["detail"]
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
    return body


async def test_no_token_is_a_401_problem(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/me"), 401, "Authorization: Bearer")


async def test_another_scheme_is_a_401_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/me", headers={"Authorization": "Basic cmV2aWV3ZXI6cHc="})
    assert_problem(response, 401, "must read 'Bearer <token>'")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda k: token(k, now=datetime.now(UTC) - timedelta(hours=9), ttl=timedelta(hours=1)), "expired"),
        (lambda k: token(k, audience="another-system"), "another audience"),
        (lambda k: token(k, issuer="https://evil.example"), "untrusted issuer"),
        (lambda k: "not.a-jwt", "malformed"),
        (lambda k: token(k, roles=["reviewer"]).rsplit(".", 1)[0] + ".AAAA", "signature"),
    ],
    ids=["expired", "wrong-audience", "wrong-issuer", "malformed", "tampered-signature"],
)
async def test_bad_tokens_are_refused_with_the_reason(
    client: httpx.AsyncClient, keys: tuple[Path, Path], make: Any, reason: str
) -> None:
    bad = make(keys[0])
    body = assert_problem(await client.get("/me", headers=bearer(bad)), 401, reason)
    assert bad not in body["detail"]


async def test_alg_none_is_refused(client: httpx.AsyncClient) -> None:
    unsigned = hand_made({"alg": "none", "typ": "JWT"}, claims())
    assert_problem(await client.get("/me", headers=bearer(unsigned)), 401, "algorithm is not allowed")


async def test_a_token_signed_by_another_key_is_refused(
    client: httpx.AsyncClient, foreign_private_key: Path
) -> None:
    forged = token(foreign_private_key, roles=["admin"], districts=["*"])
    assert_problem(await client.get("/me", headers=bearer(forged)), 401, "signature does not verify")


async def test_public_key_as_hmac_secret_is_refused(
    client: httpx.AsyncClient, keys: tuple[Path, Path]
) -> None:
    # The key-confusion attack: a verifier that let the token pick HS256 would check the MAC with
    # the public key, which the attacker has too.
    public_pem = keys[1].read_bytes()
    forged = hand_made(
        {"alg": "HS256", "typ": "JWT"},
        claims(roles=["admin"], districts=["*"]),
        lambda data: hmac.new(public_pem, data, hashlib.sha256).digest(),
    )
    assert_problem(await client.get("/me", headers=bearer(forged)), 401, "algorithm is not allowed")


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (claims(roles=["reviewer", "superuser"]), "unknown roles ['superuser']"),
        (claims(roles="reviewer"), "'roles' must be a list"),
        (claims(roles=[]), "at least one role"),
        (claims(districts=["11010X"]), "6 ASCII digits"),
        (claims(districts=["١١٠١٠٥"]), "6 ASCII digits"),  # Arabic-Indic digits pass `\d`, not us
        (claims(districts=HOME), "'districts' must be a list"),
        (claims(districts=["*"]), "only auditor or admin"),
        (claims(districts=["*", HOME]), "either ['*']"),
        (claims(roles=["insurer"], districts=[]), "insurer_id"),
        (claims(roles=["facility_manager"]), "a facility manager needs facility_ids"),
        (claims(roles=["facility_manager"], facility_ids=[]), "a facility manager needs facility_ids"),
        (claims(roles=["facility_manager"], facility_ids=str(HOME_A)), "'facility_ids' must be a list"),
        (claims(roles=["facility_manager"], facility_ids=["home-a"]), "must hold facility UUIDs"),
        (claims(roles=["facility_manager"], facility_ids=[f"{{{HOME_A}}}"]), "must hold facility UUIDs"),
        (claims(facility_ids=[str(uuid4()) for _ in range(51)]), "at most 50"),
        ({k: v for k, v in claims().items() if k != "exp"}, "required 'exp' claim"),
        ({k: v for k, v in claims().items() if k != "sub"}, "required 'sub' claim"),
    ],
    ids=[
        "unknown-role",
        "roles-not-list",
        "no-roles",
        "bad-district",
        "non-ascii-digits",
        "districts-not-list",
        "city-wide-reviewer",
        "city-wide-and-codes",
        "insurer-without-id",
        "manager-without-facilities",
        "manager-with-no-facilities",
        "facility-ids-not-list",
        "facility-id-not-uuid",
        "facility-id-not-canonical",
        "too-many-facilities",
        "no-exp",
        "no-sub",
    ],
)
async def test_claims_of_the_wrong_shape_are_refused(
    client: httpx.AsyncClient, keys: tuple[Path, Path], payload: dict[str, Any], reason: str
) -> None:
    private_key = serialization.load_pem_private_key(keys[0].read_bytes(), password=None)
    signed = jwt.encode(payload, private_key, algorithm="RS256")  # type: ignore[arg-type]
    assert_problem(await client.get("/me", headers=bearer(signed)), 401, reason)


async def test_the_wrong_role_is_a_403_problem(client: httpx.AsyncClient, keys: tuple[Path, Path]) -> None:
    caseworker = token(keys[0], roles=[Role.caseworker])
    response = await client.get(f"/districts/{HOME}/cases", headers=bearer(caseworker))
    assert_problem(response, 403, "reviewer, auditor")


async def test_the_right_role_gets_through(client: httpx.AsyncClient, keys: tuple[Path, Path]) -> None:
    response = await client.get(f"/districts/{HOME}/cases", headers=bearer(token(keys[0])))
    assert response.status_code == 200
    assert response.json() == {"subject": "reviewer-7", "districts": [HOME]}


async def test_another_district_is_a_403_problem(client: httpx.AsyncClient, keys: tuple[Path, Path]) -> None:
    response = await client.get(f"/districts/{OTHER}/cases", headers=bearer(token(keys[0])))
    assert_problem(response, 403, f"district {OTHER} is outside")


async def test_a_city_wide_auditor_reaches_every_district(
    client: httpx.AsyncClient, keys: tuple[Path, Path]
) -> None:
    auditor = token(keys[0], subject="auditor-1", roles=[Role.auditor], districts=["*"])
    response = await client.get(f"/districts/{OTHER}/cases", headers=bearer(auditor))
    assert response.status_code == 200
    assert response.json() == {"subject": "auditor-1", "districts": []}


def test_principal_district_scope() -> None:
    reviewer = Principal(subject="r", roles=frozenset({Role.reviewer}), districts=frozenset({HOME}))
    admin = Principal(subject="a", roles=frozenset({Role.admin}), city_wide=True)
    assert reviewer.has_any(Role.caseworker, Role.reviewer)
    assert not reviewer.has_any(Role.admin)
    assert reviewer.can_access_district(HOME)
    assert not reviewer.can_access_district(OTHER)
    reviewer.require_district(HOME)
    with pytest.raises(Forbidden, match=OTHER):
        reviewer.require_district(OTHER)
    admin.require_district(OTHER)


def test_principal_refuses_a_city_wide_caseworker() -> None:
    with pytest.raises(ValueError, match="only auditor or admin"):
        Principal(subject="c", roles=frozenset({Role.caseworker}), city_wide=True)


def test_minted_claims(keys: tuple[Path, Path]) -> None:
    now = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    minted = token(keys[0], roles=["insurer"], districts=[], insurer_id="PICC", now=now)
    payload = jwt.decode(minted, options={"verify_signature": False})
    assert payload["roles"] == ["insurer"]
    assert payload["insurer_id"] == "PICC"
    assert payload["iat"] == payload["nbf"] == int(now.timestamp())
    assert payload["exp"] - payload["iat"] == 8 * 3600
    assert jwt.get_unverified_header(minted)["alg"] == "RS256"
    assert len(payload["jti"]) == 32


def test_a_facility_managers_facilities_are_minted_verified_and_scope_only_the_manager(
    keys: tuple[Path, Path],
) -> None:
    other = uuid4()
    minted = token(keys[0], roles=[Role.facility_manager], facility_ids=[other, str(HOME_A), HOME_A])
    payload = jwt.decode(minted, options={"verify_signature": False})
    assert payload["facility_ids"] == sorted([str(HOME_A), str(other)])
    manager = TokenVerifier(settings(keys[1])).verify(minted)
    assert manager.facility_ids == manager.facility_scope == frozenset({HOME_A, other})
    assert "facility_ids" not in jwt.decode(token(keys[0]), options={"verify_signature": False})
    # Only a facility manager is limited to facilities; with other roles too, still (least privilege).
    reviewer = Principal(subject="r", roles=frozenset({Role.reviewer}), facility_ids=frozenset({HOME_A}))
    assert reviewer.facility_scope is None
    both = Principal(
        subject="b", roles=frozenset({Role.reviewer, Role.facility_manager}), facility_ids=frozenset({HOME_A})
    )
    assert both.facility_scope == frozenset({HOME_A})


def test_minting_refuses_what_the_verifier_would_refuse(keys: tuple[Path, Path]) -> None:
    with pytest.raises(ValueError, match="unknown roles"):
        token(keys[0], roles=["superuser"])
    with pytest.raises(ValueError, match="only auditor or admin"):
        token(keys[0], districts=["*"])
    with pytest.raises(ValueError, match="a facility manager needs facility_ids"):
        token(keys[0], roles=[Role.facility_manager])
    with pytest.raises(ValueError, match="must hold facility UUIDs"):
        token(keys[0], roles=[Role.facility_manager], facility_ids=["home-a"])
    with pytest.raises(ValueError, match="ttl"):
        token(keys[0], ttl=timedelta(0))


def test_dev_keypair_is_created_once_and_private(tmp_path: Path) -> None:
    private_file, public_file = ensure_dev_keypair(tmp_path / "keys")
    assert stat.S_IMODE(private_file.stat().st_mode) == 0o600
    first = private_file.read_bytes(), public_file.read_bytes()
    assert ensure_dev_keypair(tmp_path / "keys") == (private_file, public_file)
    assert (private_file.read_bytes(), public_file.read_bytes()) == first
    public_file.unlink()  # a lost public key is derived again from the private one
    ensure_dev_keypair(tmp_path / "keys")
    assert public_file.read_bytes() == first[1]


def test_a_key_file_that_fits_no_allowed_algorithm_fails_at_startup(keys: tuple[Path, Path]) -> None:
    with pytest.raises(ValueError, match="verifies none of"):
        TokenVerifier(AuthSettings(public_key_file=keys[1], algorithms=["ES256"]))


@pytest.fixture
def jwks_server(keys: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list[str]]]:
    public_key = serialization.load_pem_public_key(keys[1].read_bytes())
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public_key))  # type: ignore[arg-type]
    body = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()
    fetches: list[str] = []

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fetches.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/jwks", fetches
    server.shutdown()
    server.server_close()


def test_jwks_keys_are_fetched_lazily_and_cached(
    jwks_server: tuple[str, list[str]], keys: tuple[Path, Path]
) -> None:
    url, fetches = jwks_server
    verifier = TokenVerifier(AuthSettings(issuer=ISSUER, audience=AUDIENCE, jwks_url=url))
    assert fetches == []
    private_key = serialization.load_pem_private_key(keys[0].read_bytes(), password=None)
    signed = jwt.encode(claims(), private_key, algorithm="RS256", headers={"kid": "k1"})  # type: ignore[arg-type]
    assert verifier.verify(signed).subject == "reviewer-7"
    assert verifier.verify(signed).districts == frozenset({HOME})
    assert fetches == ["/jwks"]
    unknown_kid = jwt.encode(claims(), private_key, algorithm="RS256", headers={"kid": "k9"})  # type: ignore[arg-type]
    with pytest.raises(Unauthorized, match="no published signing key"):
        verifier.verify(unknown_kid)


def test_an_unreachable_identity_provider_is_a_401() -> None:
    verifier = TokenVerifier(AuthSettings(jwks_url="http://127.0.0.1:9/jwks"))
    header_only = hand_made({"alg": "RS256", "kid": "k1"}, claims(), lambda data: b"x")
    with pytest.raises(Unauthorized, match="unreachable"):
        verifier.verify(header_only)


def test_district_scope_is_the_callers_districts_or_none_for_city_wide() -> None:
    caseworker = Principal(subject="cw", roles=frozenset({Role.caseworker}), districts=frozenset({"500103"}))
    auditor = Principal(subject="au", roles=frozenset({Role.auditor}), city_wide=True)
    assert caseworker.district_scope == frozenset({"500103"})
    assert auditor.district_scope is None
