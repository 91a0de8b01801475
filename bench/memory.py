"""This process's peak resident memory per benchmark phase (servers are other processes, not counted)."""

from __future__ import annotations

import contextlib
import re
import resource
from pathlib import Path


def _status_kib(field: str) -> int | None:
    with contextlib.suppress(OSError):
        match = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.MULTILINE)
        return int(match.group(1)) if match else None
    return None


def reset_peak_rss() -> float:
    """Start a new high-water mark (Linux `clear_refs` 5, which costs nothing); returns the RSS now, MiB."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return (_status_kib("VmRSS") or 0) / 1024


def peak_rss_mib() -> float:
    peak = _status_kib("VmHWM")
    return peak / 1024 if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
