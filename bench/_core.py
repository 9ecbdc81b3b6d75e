"""What every benchmark shares: rows of the table, child processes, peak memory of a process tree.

A heavy benchmark runs each repetition in a fresh child process, so its figure and its
peak memory are its own. Peak memory is measured two ways and the larger is reported:

- ``os.wait4`` gives the child's own peak resident set (``ru_maxrss``), exact but for one
  process only;
- a thread polls ``/proc`` every ``POLL_INTERVAL`` seconds, finds every descendant of the
  child (pool workers included) and sums their resident sets (``VmRSS`` from
  ``/proc/PID/statm``). Summed RSS counts pages that forked workers share with their
  parent once per process, so it is an upper bound of what the tree really occupies;
  a peak shorter than the poll interval can be missed.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

POLL_INTERVAL = 0.05
MIB = 2**20
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


# --- the table ------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: a figure measured ``len(values)`` times, and how it is judged.

    ``kind="ratio"``: passes when the median of the per-run ratios figure/reference is at most
    ``target``. ``kind="limit"``: passes when the median figure is at most ``target`` (a reference,
    when given, is shown for information).
    """

    name: str
    title: str
    unit: str
    kind: Literal["ratio", "limit"]
    target: float
    values: list[float] = field(default_factory=list)
    references: list[float] = field(default_factory=list)
    reference_label: str = ""
    details: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    def add(self, value: float, reference: float | None = None, **details: Any) -> None:
        self.values.append(value)
        if reference is not None:
            self.references.append(reference)
        self.details.append(details)

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    @property
    def reference(self) -> float | None:
        return statistics.median(self.references) if self.references else None

    @property
    def ratio(self) -> float | None:
        """The median of each run's figure over the reference measured in that same run."""
        pairs = [v / r for v, r in zip(self.values, self.references, strict=False) if r > 0]
        return statistics.median(pairs) if pairs else None

    @property
    def passed(self) -> bool:
        if self.error is not None:
            return False
        judged = self.ratio if self.kind == "ratio" else self.median
        return judged is not None and judged <= self.target

    def target_text(self) -> str:
        return f"<= {self.target:g}x" if self.kind == "ratio" else f"<= {self.target:g} {self.unit}"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(median=self.median, reference=self.reference, ratio=self.ratio, passed=self.passed)
        return data


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return f"{value:.0f} {unit}" if value >= 100 else f"{value:.3g} {unit}"


def table(rows: Sequence[Row]) -> str:
    header = ("Figure", "Runs", "Median", "Reference (same run)", "Ratio", "Target", "Result")
    lines = []
    for row in rows:
        reference = _number(row.reference, row.unit)
        if row.reference is not None and row.reference_label:
            reference += f" ({row.reference_label})"
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else "-"
        result = "pass" if row.passed else ("ERROR" if row.error else "FAIL")
        median = _number(row.median, row.unit)
        lines.append((row.title, str(len(row.values)), median, reference, ratio, row.target_text(), result))
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]

    def format_line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    out = [format_line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [format_line(line) for line in lines]
    out += [f"{row.title}: {row.error}" for row in rows if row.error]
    notes = [note for row in rows if (note := cpu_line(row))]
    if notes:
        out += ["", "CPU (medians over the runs; on a shared machine the wall time follows the cores we got):", *notes]
    return "\n".join(out)


def cpu_line(row: Row) -> str | None:
    """How many cores a row's processes had, how many the rest of the machine took, and the CPU bound."""
    measured = [d for d in row.details if "cpu_seconds" in d]
    if not measured:
        return None

    def median(key: str) -> float:
        return float(statistics.median(d[key] for d in measured))

    cores = os.cpu_count() or 1
    return (
        f"- {row.title}: {median('cpu_seconds'):.0f} CPU-s, {median('cores_used'):.2f} of {cores} cores on average "
        f"(the rest of the machine used {median('cores_used_by_others'):.2f}); "
        f"all {cores} cores to itself: at least {median('cpu_seconds') / cores:.0f} s"
    )


# --- what a benchmark is given --------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    quick: bool
    repeat: int | None
    """``None``: each benchmark's own default."""
    scratch: Path

    def repeats(self, default: int) -> int:
        if self.quick:
            return 1
        return self.repeat if self.repeat is not None else default

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full


@dataclass(frozen=True)
class Benchmark:
    name: str
    """For ``--only``: the family (``pdf``) or the benchmark (``pdf.summary``)."""
    rows: Callable[[Settings], list[Row]]
    """Empty rows to show when the benchmark fails before measuring anything."""
    run: Callable[[Settings, list[Row]], None]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- child processes and their memory ------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    wall: float
    """Seconds from start to exit, as the parent saw them (interpreter start-up included)."""
    peak_tree_mib: float
    """Peak of the summed RSS of the child and its descendants (or the child's own peak, if larger)."""
    peak_child_mib: float
    """The child's own peak RSS (``ru_maxrss`` from ``wait4``)."""
    processes: int
    """The most processes seen in the tree at once."""
    cpu: float
    """CPU seconds (user and system) of the child and the descendants it waited for."""
    machine_cpu: float
    """CPU seconds the whole machine spent meanwhile (``/proc/stat``): ``machine_cpu - cpu`` is
    what everything else took (the parent, an emulator, other users)."""
    stdout: str
    result: Any = None
    """What a ``job`` child returned (JSON)."""


class TreeMonitor:
    """Polls ``/proc`` for the summed RSS of ``pid`` and all its descendants."""

    def __init__(self, pid: int, interval: float = POLL_INTERVAL) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_bytes = 0
        self.processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, name="bench-rss", daemon=True)

    def __enter__(self) -> TreeMonitor:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        while not self._stop.is_set():
            pids = tree(self.pid)
            total = sum(rss_bytes(pid) for pid in pids)
            self.peak_bytes = max(self.peak_bytes, total)
            self.processes = max(self.processes, len(pids))
            self._stop.wait(self.interval)


def tree(root: int) -> list[int]:
    """``root`` and every live descendant, from the parent ids in ``/proc/PID/stat``."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # the command name is in parentheses and may contain spaces; fields after it are plain
        ppid = int(stat[stat.rindex(b")") + 2 :].split(b" ", 2)[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def machine_busy() -> float:
    """CPU seconds all cores have been busy since boot (``/proc/stat``; 0 where there is none)."""
    try:
        with open("/proc/stat", "rb") as handle:
            fields = [int(x) for x in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and iowait
    guest = sum(fields[8:10])  # already counted in user and nice
    return (sum(fields) - idle - guest) / os.sysconf("SC_CLK_TCK")


def cpu_note(measured: Measured) -> dict[str, float]:
    """What the details of a row keep about CPU: ours, the machine's, the cores we had on average."""
    return {
        "cpu_seconds": round(measured.cpu, 2),
        "machine_cpu_seconds": round(measured.machine_cpu, 2),
        "cores_used": round(measured.cpu / measured.wall, 2) if measured.wall else 0.0,
        "cores_used_by_others": round((measured.machine_cpu - measured.cpu) / measured.wall, 2)
        if measured.wall
        else 0.0,
    }


def measure(
    command: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float | None = None,
) -> Measured:
    """Run ``command`` to completion; its wall time and the peak memory of its process tree."""
    busy_before = machine_busy()
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command), env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    out: list[str] = []
    err: list[str] = []
    readers = [
        threading.Thread(target=lambda: out.append(process.stdout.read()), daemon=True),  # type: ignore[union-attr]
        threading.Thread(target=lambda: err.append(process.stderr.read()), daemon=True),  # type: ignore[union-attr]
    ]
    for reader in readers:
        reader.start()
    deadline = None if timeout is None else started + timeout
    with TreeMonitor(process.pid) as monitor:
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.01)
    wall = time.perf_counter() - started
    busy = machine_busy() - busy_before
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    if process.returncode != 0:
        tail = "".join(err).strip().splitlines()[-15:]
        raise RuntimeError(f"{' '.join(command[:4])}... exited with {process.returncode}:\n" + "\n".join(tail))
    child = usage.ru_maxrss * 1024
    return Measured(
        wall=wall,
        peak_tree_mib=max(monitor.peak_bytes, child) / MIB,
        peak_child_mib=child / MIB,
        processes=monitor.processes,
        cpu=usage.ru_utime + usage.ru_stime,
        machine_cpu=busy,
        stdout="".join(out),
    )


def job(
    target: str, params: dict[str, Any], scratch: Path, *, env: dict[str, str] | None = None, timeout: float = 3600
) -> Measured:
    """Run ``module:function(**params)`` in a fresh interpreter (``bench._child``); its JSON result."""
    scratch.mkdir(parents=True, exist_ok=True)
    stamp = f"{os.getpid()}-{time.monotonic_ns()}"
    params_file = scratch / f"job-{stamp}.json"
    result_file = scratch / f"result-{stamp}.json"
    params_file.write_text(json.dumps(params))
    command = [sys.executable, "-m", "bench._child", target, str(params_file), str(result_file)]
    measured = measure(command, env=env or bench_env(), timeout=timeout)
    result = json.loads(result_file.read_text())
    params_file.unlink()
    result_file.unlink()
    return Measured(**{**asdict(measured), "result": result})


def bench_env() -> dict[str, str]:
    """The environment of child processes: this one, with the repository importable."""
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def peak_self_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the emulator as a child sees it -----------------------------------------------------------


def emulator_params(emulator: Any, ca_file: Path) -> dict[str, str]:
    """How a child process reaches ``emulator`` (running in this one) as the partner's app: JSON-able."""
    return {
        "graph_url": emulator.graph_url,
        "authority_url": emulator.authority_url,
        "tenant_id": emulator.tenant_id,
        "client_id": emulator.client_id,
        "client_secret": emulator.client_secret,
        "ca_bundle": str(emulator.write_ca(ca_file)),
    }


def emulator_settings(graph: dict[str, str], kind: type[Any]) -> Any:
    """In the child: ``kind`` (``GraphSettings`` or a subclass) from ``emulator_params``."""
    from reporter.secret import Secret

    return kind(**{**graph, "client_secret": Secret(graph["client_secret"]), "ca_bundle": Path(graph["ca_bundle"])})
