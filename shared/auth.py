"""Who is calling: bearer-token verification, the Principal it yields, FastAPI guards and dev minting."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID, uuid4

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jwt.exceptions import InvalidSubjectError

from shared.errors import FieldIssue, Forbidden, Unauthorized
from shared.observability import get_logger
from shared.settings import AuthSettings

log = get_logger(__name__)

CITY_WIDE = "*"
DEV_PRIVATE_KEY_NAME = "dev-signing-key.pem"
DEV_PUBLIC_KEY_NAME = "dev-signing-key.pub.pem"

# ASCII only: `\d` would also accept digits of other scripts (FIELD_NOTES, Security).
_DISTRICT_CODE = re.compile(r"[0-9]{6}")
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]
# A manager runs a home or a few; a bound keeps every facility-scoped query's IN list small.
MAX_FACILITY_IDS = 50
# Short enough that an unreachable identity provider cannot hold a request for long.
_JWKS_TIMEOUT_SECONDS = 5.0

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | ed448.Ed448PublicKey
_KEY_TYPES_BY_ALGORITHM: dict[str, tuple[type[Any], ...]] = {
    "RS256": (rsa.RSAPublicKey,),
    "ES256": (ec.EllipticCurvePublicKey,),
    "EdDSA": (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey),
}


class Role(StrEnum):
    applicant = "applicant"
    caseworker = "caseworker"
    reviewer = "reviewer"
    finance_officer = "finance_officer"
    facility_manager = "facility_manager"
    insurer = "insurer"
    auditor = "auditor"
    admin = "admin"


# Municipal oversight sees every district; nobody else may hold a city-wide token.
CITY_WIDE_ROLES = frozenset({Role.auditor, Role.admin})


@dataclass(frozen=True, slots=True)
class Principal:
    """The verified caller. `districts` are 6-digit codes; `city_wide` covers every district;
    `facility_ids` are the care facilities a facility manager runs."""

    subject: str
    roles: frozenset[Role]
    districts: frozenset[str] = frozenset()
    city_wide: bool = False
    insurer_id: str | None = None
    facility_ids: frozenset[UUID] = frozenset()

    def __post_init__(self) -> None:
        if not self.subject:
            raise ValueError("subject must not be empty")
        if not self.roles:
            raise ValueError("a principal needs at least one role")
        if bad := sorted(code for code in self.districts if not _DISTRICT_CODE.fullmatch(code)):
            raise ValueError(f"district codes must be 6 ASCII digits: {bad}")
        if self.city_wide and not self.roles & CITY_WIDE_ROLES:
            raise ValueError("only auditor or admin may be city-wide")
        if Role.insurer in self.roles and not self.insurer_id:
            raise ValueError("an insurer needs an insurer_id")
        if Role.facility_manager in self.roles and not self.facility_ids:
            raise ValueError("a facility manager needs facility_ids")

    @property
    def insurer(self) -> UUID | None:
        """The insurer an insurer client acts for (its `insurer_id` claim as a UUID); None for bureau staff."""
        if Role.insurer not in self.roles:
            return None
        try:
            return UUID(self.insurer_id or "")
        except ValueError:
            raise Forbidden(
                "the token's insurer_id is not an insurer's id",
                errors=[FieldIssue("insurer_id", "uuid", "the insurer_id claim must be the insurer's UUID")],
            ) from None

    def has_any(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def district_scope(self) -> frozenset[str] | None:
        """The districts every query of this caller is limited to; None for a city-wide caller."""
        return None if self.city_wide else self.districts

    @property
    def facility_scope(self) -> frozenset[UUID] | None:
        """The facilities every query of a facility manager is limited to; None for anyone else.

        Least privilege: a token that also carries other roles is still limited to its facilities."""
        return self.facility_ids if Role.facility_manager in self.roles else None

    def can_access_district(self, code: str) -> bool:
        return self.city_wide or code in self.districts

    def require_district(self, code: str) -> None:
        if not self.can_access_district(code):
            raise Forbidden(f"district {code} is outside the caller's scope")


def _facility_ids(claim: object) -> frozenset[UUID]:
    """The `facility_ids` claim: absent, or a list of at most MAX_FACILITY_IDS UUIDs in canonical form."""
    if claim is None:
        return frozenset()
    if not isinstance(claim, list) or not all(isinstance(f, str) for f in claim):
        raise ValueError("'facility_ids' must be a list of strings")
    if len(claim) > MAX_FACILITY_IDS:
        raise ValueError(f"'facility_ids' holds at most {MAX_FACILITY_IDS} facilities")
    return frozenset(_canonical_uuid(text) for text in claim)


def _canonical_uuid(text: str) -> UUID:
    # UUID() also takes braces, URNs and bare hex; one spelling keeps the claim comparable.
    try:
        parsed = UUID(text)
    except ValueError:
        parsed = None
    if parsed is None or str(parsed) != text.lower():
        raise ValueError(f"'facility_ids' must hold facility UUIDs, not {text[:40]!r}")
    return parsed


def _principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """Read roles, districts, insurer id and facility ids; raises ValueError on any claim of the wrong shape."""
    roles, districts, insurer_id = claims.get("roles"), claims.get("districts"), claims.get("insurer_id")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise ValueError("'roles' must be a list of strings")
    # Refuse rather than ignore: a role this code does not know may be one it must not grant.
    if unknown := sorted(set(roles) - set(Role)):
        raise ValueError(f"unknown roles {unknown}")
    if not isinstance(districts, list) or not all(isinstance(d, str) for d in districts):
        raise ValueError("'districts' must be a list of strings")
    city_wide = CITY_WIDE in districts
    if city_wide and len(districts) > 1:
        raise ValueError(f"'districts' is either [{CITY_WIDE!r}] or a list of district codes")
    if insurer_id is not None and not isinstance(insurer_id, str):
        raise ValueError("'insurer_id' must be a string")
    return Principal(
        subject=str(claims["sub"]),
        roles=frozenset(Role(r) for r in roles),
        districts=frozenset() if city_wide else frozenset(districts),
        city_wide=city_wide,
        insurer_id=insurer_id,
        facility_ids=_facility_ids(claims.get("facility_ids")),
    )


# Most specific first: InvalidSignatureError is a DecodeError, PyJWKClientConnectionError a PyJWKClientError.
_REASONS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "token has expired"),
    (jwt.ImmatureSignatureError, "token is not valid yet"),
    (jwt.InvalidIssuedAtError, "token issue time (iat) is invalid"),
    (jwt.InvalidAudienceError, "token was issued for another audience"),
    (jwt.InvalidIssuerError, "token was issued by an untrusted issuer"),
    (jwt.InvalidAlgorithmError, "token signing algorithm is not allowed"),
    (jwt.InvalidSignatureError, "token signature does not verify"),
    (InvalidSubjectError, "token subject (sub) must be a string"),
    (jwt.InvalidKeyError, "token signing algorithm does not fit the verifying key"),
    (jwt.DecodeError, "token is malformed"),
    (jwt.PyJWKClientConnectionError, "identity provider's signing keys are unreachable"),
    (jwt.PyJWKClientError, "no published signing key matches the token"),
)


def _reason(exc: jwt.PyJWTError) -> str:
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return f"token lacks the required '{exc.claim}' claim"
    return next((text for kind, text in _REASONS if isinstance(exc, kind)), "token is invalid")


class TokenVerifier:
    """Checks signature, algorithm allow-list, issuer, audience and expiry, then builds the Principal."""

    def __init__(self, settings: AuthSettings) -> None:
        self._settings = settings
        self._algorithms = list(settings.algorithms)
        self._keys: PublicKey | jwt.PyJWKClient
        if settings.public_key_file is not None:
            self._keys = _load_public_key(settings.public_key_file, self._algorithms)
        else:
            assert settings.jwks_url is not None  # AuthSettings demands exactly one key source
            # The client only fetches on first use; its JWK-set cache is refreshed every five minutes,
            # and per-key caching stays off so a key the provider withdraws stops verifying.
            self._keys = jwt.PyJWKClient(settings.jwks_url, lifespan=300, timeout=_JWKS_TIMEOUT_SECONDS)

    def verify(self, token: str) -> Principal:
        """The caller behind `token`, or Unauthorized saying what was wrong (never echoing the token).

        Blocking: the first call, and one call every few minutes, fetch the JWKS over the network.
        """
        try:
            keys = self._keys
            key = keys.get_signing_key_from_jwt(token) if isinstance(keys, jwt.PyJWKClient) else keys
            claims = jwt.decode(
                token,
                key,
                algorithms=self._algorithms,
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                leeway=self._settings.leeway_seconds,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as exc:
            reason = _reason(exc)
            log.info("bearer token refused", reason=reason, error=type(exc).__name__)
            raise Unauthorized(reason) from None
        try:
            return _principal_from_claims(claims)
        except ValueError as exc:
            log.info("bearer token refused", reason=str(exc), subject=claims["sub"])
            raise Unauthorized(f"token claims are invalid: {exc}") from None


def _load_public_key(path: Path, algorithms: Sequence[str]) -> PublicKey:
    """Fail at startup, not on the first request, when the key file cannot verify any allowed algorithm."""
    key = serialization.load_pem_public_key(path.read_bytes())
    fitting = [alg for alg in algorithms if isinstance(key, _KEY_TYPES_BY_ALGORITHM[alg])]
    if not fitting or not isinstance(key, PublicKey):
        raise ValueError(f"{path} holds a {type(key).__name__}, which verifies none of {algorithms}")
    return key


# auto_error=False: a missing header must become our 401 problem, not FastAPI's own error body.
_bearer = HTTPBearer(auto_error=False, description="JWT from the bureau's identity provider")


def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """The caller of this request. A sync dependency so FastAPI runs it in a thread: JWKS fetches block."""
    if credentials is None:
        if "authorization" in request.headers:
            raise Unauthorized("the Authorization header must read 'Bearer <token>'")
        raise Unauthorized("send an Authorization: Bearer <token> header")
    verifier = getattr(request.app.state, "token_verifier", None)
    if not isinstance(verifier, TokenVerifier):
        raise RuntimeError("app.state.token_verifier is not set; the composition root must install it")
    return verifier.verify(credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets the request through only if the caller holds at least one of `roles`."""
    if not roles:
        raise ValueError("require_roles needs at least one role")
    allowed = ", ".join(roles)

    async def holds_role(principal: CurrentPrincipal) -> Principal:
        if not principal.has_any(*roles):
            raise Forbidden(f"this action needs one of the roles: {allowed}")
        return principal

    _GUARDED[holds_role] = roles
    return holds_role


_GUARDED: dict[Callable[..., Any], tuple[Role, ...]] = {}
"""Each `require_roles` guard and the roles it lets through: guards are made once, at import."""


def required_roles(dependency: Callable[..., Any]) -> tuple[Role, ...]:
    """The roles `dependency` lets through if it is a `require_roles` guard (the OpenAPI states them); else ()."""
    return _GUARDED.get(dependency, ())


def ensure_dev_keypair(directory: Path) -> tuple[Path, Path]:
    """The development signing key pair (RSA 2048, PEM) in `directory`, created on first call only."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    private_file, public_file = directory / DEV_PRIVATE_KEY_NAME, directory / DEV_PUBLIC_KEY_NAME
    if not private_file.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            # O_EXCL with mode 0600: the key is never readable by others, and of two processes
            # starting at once only one writes it.
            fd = os.open(private_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
            public_file.unlink(missing_ok=True)  # a public key left over from an older pair
    if not public_file.exists():
        public_file.write_bytes(
            _load_private_key(private_file)
            .public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
    return private_file, public_file


def _load_private_key(path: Path) -> rsa.RSAPrivateKey:
    """The key in `path`, loaded once per version of the file (checking an RSA key costs ~50 ms)."""
    changed = path.stat()
    return _private_key(path.resolve(), changed.st_mtime_ns, changed.st_size)


@functools.lru_cache(maxsize=8)
def _private_key(path: Path, _mtime_ns: int, _size: int) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path} is not an RSA private key; RS256 tokens need one")
    return key


def mint_token(
    private_key_file: Path,
    *,
    subject: str,
    roles: Iterable[Role | str],
    districts: Iterable[str],
    insurer_id: str | None = None,
    facility_ids: Iterable[UUID | str] = (),
    issuer: str,
    audience: str,
    ttl: timedelta = timedelta(hours=8),
    now: datetime | None = None,
) -> str:
    """An RS256 development token; `districts` of ["*"] is city-wide; `facility_ids` are a facility
    manager's facilities. ValueError on invalid claims."""
    if ttl <= timedelta(0):
        raise ValueError("ttl must be positive")
    issued = int((now or datetime.now(UTC)).timestamp())
    claims: dict[str, Any] = {
        "sub": subject,
        "roles": sorted({str(role) for role in roles}),
        "districts": sorted(set(districts)),
        "iss": issuer,
        "aud": audience,
        "iat": issued,
        "nbf": issued,
        "exp": issued + int(ttl.total_seconds()),
        "jti": uuid4().hex,
    }
    if insurer_id is not None:
        claims["insurer_id"] = insurer_id
    if facilities := sorted({str(f) for f in facility_ids}):
        claims["facility_ids"] = facilities
    _principal_from_claims(claims)  # what is minted here must pass the verifier's claim rules
    return jwt.encode(claims, _load_private_key(private_key_file), algorithm="RS256")
