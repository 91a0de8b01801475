"""Progress of a batched run on the CLI, and the time of each batch."""

from __future__ import annotations

import statistics
import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


class Reporter:
    """A rich bar on a terminal, a line per 10% otherwise; notes each batch's time.

    Called with the rows each batch handled; a call with 0 is the run's last transaction (the empty batch
    and whatever the run does after its batches).
    """

    def __init__(self, total: int, *, doing: str, done: str) -> None:
        self.total = total
        self.done = 0
        self.batch_seconds: list[float] = []
        self.last_transaction_s = 0.0
        self._doing, self._done = doing, done  # "recalculating", "recalculated {done} of {total} cases"
        self._last = time.perf_counter()
        self._console = Console(stderr=True)
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._next_line = 0.1

    def __enter__(self) -> Reporter:
        if self._console.is_terminal:
            self._progress = Progress(
                TextColumn(self._doing),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self._console,
            )
            self._progress.start()
            self._task = self._progress.add_task(self._doing, total=self.total)
        self._last = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def __call__(self, rows: int) -> None:
        now = time.perf_counter()
        if rows:
            self.batch_seconds.append(now - self._last)
        else:
            self.last_transaction_s = now - self._last
        self._last = now
        self.done += rows
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=self.done)
        elif self.total and self.done >= self._next_line * self.total and rows:
            print(f"  {self._done.format(done=self.done, total=self.total)}", flush=True)
            while self._next_line * self.total <= self.done:
                self._next_line += 0.1

    def batches(self, last: str) -> str:
        """The batches' times; `last` names what the final transaction did besides the empty batch."""
        times = self.batch_seconds
        if not times:
            return "no batches"
        tenth = max(1, len(times) // 10)
        return (
            f"{len(times)} batches, median {statistics.median(times) * 1000:.0f} ms "
            f"(first tenth {statistics.mean(times[:tenth]) * 1000:.0f} ms, "
            f"last tenth {statistics.mean(times[-tenth:]) * 1000:.0f} ms), then the empty batch and "
            f"{last} {self.last_transaction_s:.2f} s"
        )
