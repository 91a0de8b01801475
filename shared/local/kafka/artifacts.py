"""The broker's jars and the Java that runs them: fetched once with Maven into the home's classpath."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

from shared.local.kafka.config import CLASSPATH_DIR, POM, KafkaBrokerError

# Tried in order; 3.9 is the fallback for when no 4.1 release can be resolved.
KAFKA_VERSION_RANGES = ("[4.1.0,4.2.0)", "[3.9.0,3.10.0)")
_POM_STAMP = ".pom.sha256"
_MAVEN_TIMEOUT_S = 900.0


def ensure_classpath(home: Path, *, pom: Path = POM) -> Path:
    """The directory of broker jars under `home`, fetched with Maven unless already there for this pom."""
    classpath = home.resolve() / CLASSPATH_DIR
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    stamp = classpath / _POM_STAMP
    if stamp.is_file() and stamp.read_text().strip() == digest and _kafka_jars(classpath):
        return classpath
    mvn = shutil.which("mvn")
    if mvn is None:
        raise KafkaBrokerError("Maven (mvn) is not on PATH; it is needed once to fetch the Kafka broker jars")
    # Fetch into a side directory and rename, so an interrupted download never looks complete.
    staging = classpath.with_name(CLASSPATH_DIR + ".partial")
    failures: list[str] = []
    for version_range in KAFKA_VERSION_RANGES:
        shutil.rmtree(staging, ignore_errors=True)
        command = [
            mvn,
            "-q",
            "-B",
            "-Dstyle.color=never",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}",
            "-DincludeScope=runtime",
            f"-Dkafka.version={version_range}",
        ]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, check=False, timeout=_MAVEN_TIMEOUT_S
            )
        except subprocess.TimeoutExpired:
            failures.append(f"kafka {version_range}: mvn took longer than {_MAVEN_TIMEOUT_S:.0f} s")
            continue
        if result.returncode == 0 and _kafka_jars(staging):
            break
        failures.append(f"kafka {version_range}: mvn exited {result.returncode}\n" + _maven_errors(result))
    else:
        shutil.rmtree(staging, ignore_errors=True)
        raise KafkaBrokerError("could not fetch the Kafka broker jars:\n" + "\n\n".join(failures))
    (staging / _POM_STAMP).write_text(digest + "\n")
    shutil.rmtree(classpath, ignore_errors=True)
    staging.rename(classpath)
    return classpath


def _maven_errors(result: subprocess.CompletedProcess[str]) -> str:
    # Even in batch mode Maven 3.8 colours some lines; and its first errors are the telling ones.
    lines = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr).splitlines()
    errors = [line for line in lines if line.startswith("[ERROR]") and line[7:].strip()]
    return "\n".join(errors[:1] or lines[-15:])


def _kafka_jars(classpath: Path) -> list[Path]:
    return list(classpath.glob("kafka_2.13-*.jar")) if classpath.is_dir() else []


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise KafkaBrokerError("java is not on PATH (and JAVA_HOME is not set); the broker needs Java 17+")
    return java
