"""How many CPU threads a model may use here, and how many it should use right now.

llama.cpp splits every decoding step across its threads and waits for the slowest: with a
thread per core, one core kept busy by another program stalls every step (a brief took over a
minute instead of 15 s). So the generator never asks for more threads than the cores this
process may use (affinity and the cgroup's cpu.max quota), and leaves out the cores other
programs keep busy, measured from /proc/stat less this process's own CPU time.

The load is looked at over the last moments, never over a long past: before each model call
(a look older than STALE_SECONDS is replaced by a fresh SAMPLE_SECONDS sample) and again about
every RECHOOSE_SECONDS while it decodes, so a competitor that starts or stops in the middle of
a brief is seen within a second, not one call later.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

CPU_MAX = Path("/sys/fs/cgroup/cpu.max")  # cgroup v2: "<quota> <period>" or "max <period>"
PROC_STAT = Path("/proc/stat")
BUSY_CORE = 0.5  # a core other programs keep at least half busy counts as taken
SAMPLE_SECONDS = 0.2  # a fresh look at the machine: the first, or after a stale one
STALE_SECONDS = 2.0  # a last look older than this says nothing about now: sample afresh
RECHOOSE_SECONDS = 1.0  # while decoding, the thread count is chosen again this often


def usable_cores(cpu_max: Path = CPU_MAX) -> int:
    """Cores this process may run on: its affinity, capped by the cgroup's CPU quota."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    try:
        quota, period = cpu_max.read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, math.floor(int(quota) / int(period))))
    except (OSError, ValueError):
        pass  # no cgroup v2 limit to read
    return cores


def threads_for(usable: int, others_busy: float) -> int:
    """Threads to use beside `others_busy` cores' worth of other programs' work: one less per
    core they keep busy, at least one."""
    taken = int(others_busy // 1) + (1 if others_busy % 1 >= BUSY_CORE else 0)
    return max(1, usable - taken)


def _busy_jiffies(stat: Path = PROC_STAT) -> tuple[float, float] | None:
    """(busy, total) CPU time of the whole machine so far, in seconds, or None off Linux."""
    try:
        fields = stat.read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return None
    if fields[0] != "cpu":
        return None
    values = [int(v) for v in fields[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    tick = os.sysconf("SC_CLK_TCK")
    # guest time is already counted in user time
    total = sum(values[:8])
    return (total - idle) / tick, total / tick


def _own_seconds() -> float:
    t = os.times()
    return t.user + t.system


class LoadWatch:
    """Other programs' CPU use (in cores) since the last look: the machine's busy time less
    this process's own. Looks taken while decoding (every RECHOOSE_SECONDS) each measure the
    second before them and wait for nothing; a look after a pause longer than STALE_SECONDS
    (the first one, or the next call after time spent elsewhere) waits SAMPLE_SECONDS and
    measures those."""

    def __init__(self, stat: Path = PROC_STAT):
        self.stat = stat
        self._last: tuple[float, float, float] | None = None  # (busy, wall, own)
        self.value = 0.0  # the last measurement

    def _now(self) -> tuple[float, float, float] | None:
        j = _busy_jiffies(self.stat)
        if j is None:
            return None
        return j[0], time.monotonic(), _own_seconds()

    def others(self) -> float:
        start = self._last
        if start is None or time.monotonic() - start[1] > STALE_SECONDS:
            start = self._now()
            if start is None:
                return self.value
            time.sleep(SAMPLE_SECONDS)
        end = self._now()
        if end is None:
            return self.value
        wall = end[1] - start[1]
        if wall < SAMPLE_SECONDS / 2:  # too short to tell: the last figure, measured on
            return self.value
        self._last = end
        self.value = max(0.0, ((end[0] - start[0]) - (end[2] - start[2])) / wall)
        return self.value


class Rechooser:
    """Calls `choose()` at most every `every` seconds while a decode runs, and `apply(n)` when
    the count it gives changes. `tick()` goes between two decoding steps."""

    def __init__(self, choose, apply, current: int, every: float | None = None):
        self.choose, self.apply, self.current = choose, apply, current
        self.every = RECHOOSE_SECONDS if every is None else every
        self._at = time.monotonic()
        self.counts = [current]  # every count used, in order (for the stats)

    def tick(self) -> None:
        now = time.monotonic()
        if now - self._at < self.every:
            return
        self._at = now
        n = self.choose()
        if n != self.current:
            self.apply(n)
            self.current = n
            self.counts.append(n)
