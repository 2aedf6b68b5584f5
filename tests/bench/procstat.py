"""CPU seconds and resident memory of a service process, read from /proc (Linux).

CPU is user+system time (``utime`` + ``stime`` of /proc/<pid>/stat, in clock ticks over
``SC_CLK_TCK``) summed over the process and any live descendants, so a launcher that forks the
real server would still be counted; the memory figures are the Python process's own (VmRSS now,
VmHWM its peak since it started), in MiB.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def _stat_fields(pid: int) -> list[str]:
    text = (PROC / str(pid) / "stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # after "pid (comm) ": field 3 (state) onwards


def cpu_seconds(pid: int) -> float:
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / TICKS  # fields 14 and 15: utime, stime


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in (PROC / str(pid) / "task").iterdir():
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return found


def descendants(pid: int) -> list[int]:
    found = []
    for child in children(pid):
        found += [child, *descendants(child)]
    return found


def status_kb(pid: int, key: str) -> int:
    for line in (PROC / str(pid) / "status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    raise KeyError(f"{key} not in /proc/{pid}/status")


def cmdline(pid: int) -> list[str]:
    return (PROC / str(pid) / "cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]


@dataclass
class Service:
    """A running service, by the pid we started; ``pid`` is the Python process serving."""

    name: str
    started: int
    pid: int

    @classmethod
    def of(cls, name: str, started: int, module: str) -> Service:
        """The process running ``python -m module``: the one started, or (if that is a launcher)
        its descendant that is."""
        for pid in [started, *descendants(started)]:
            argv = cmdline(pid)
            if "-m" in argv and module in argv and Path(argv[0]).name.startswith("python"):
                return cls(name, started, pid)
        raise RuntimeError(f"{name}: no process runs -m {module} under pid {started}")

    def describe(self) -> str:
        exe = os.readlink(PROC / str(self.pid) / "exe")
        via = "" if self.pid == self.started else f", under launcher {self.started}"
        return f"{self.name} pid {self.pid} ({exe} {' '.join(cmdline(self.pid)[1:])}{via})"

    def cpu(self) -> float:
        """User+system CPU seconds of the process tree so far (live descendants included)."""
        total = 0.0
        for pid in [self.started, *descendants(self.started)]:
            try:
                total += cpu_seconds(pid)
            except (FileNotFoundError, ProcessLookupError):
                continue
        return total

    def rss_mb(self) -> float:
        return status_kb(self.pid, "VmRSS") / 1024

    def peak_rss_mb(self) -> float:
        return status_kb(self.pid, "VmHWM") / 1024


class CpuMeter:
    """CPU seconds each service spent between ``start()`` and ``stop()``."""

    def __init__(self, services: list[Service]) -> None:
        self.services = services
        self.before: dict[str, float] = {}
        self.spent: dict[str, float] = {}

    def start(self) -> CpuMeter:
        self.before = {s.name: s.cpu() for s in self.services}
        return self

    def stop(self) -> dict[str, float]:
        self.spent = {s.name: s.cpu() - self.before[s.name] for s in self.services}
        return self.spent

    def us_per_event(self, events: int) -> dict[str, float]:
        return {name: seconds / events * 1e6 for name, seconds in self.spent.items()}
