"""What the figures were measured on, and what a server process tree holds in memory (Linux)."""
from __future__ import annotations

import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def _field(path: str, key: str, sep: str = ":") -> str:
    """The value of the first `key<sep>value` line of a file ("" if none)."""
    try:
        for line in Path(path).read_text().splitlines():
            name, _, value = line.partition(sep)
            if name.strip() == key:
                return value.strip().strip('"')
    except OSError:
        pass
    return ""


def description(oxigraph: str) -> dict[str, str]:
    """CPU model, cores, memory, OS, Python and the store engines' versions."""
    memory_kb = _field("/proc/meminfo", "MemTotal").split()
    try:
        pyoxigraph = version("pyoxigraph")
    except PackageNotFoundError:
        pyoxigraph = "?"
    server = subprocess.run([oxigraph, "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpu": _field("/proc/cpuinfo", "model name") or platform.processor() or platform.machine(),
        "cores": f"{len(os.sched_getaffinity(0))} usable of {os.cpu_count()}",
        "memory": f"{int(memory_kb[0]) / 1024 / 1024:.1f} GiB" if memory_kb else "?",
        "os": f"{_field('/etc/os-release', 'PRETTY_NAME', '=') or platform.system()}, kernel {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "pyoxigraph": pyoxigraph,
        "oxigraph": server.replace("oxigraph", "").strip() or "?",
    }


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def _children(pid: int) -> set[int]:
    """The process and all its descendants."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return tree


def tree_peak_rss_mb(pid: int) -> float:
    """The sum of each process's peak resident memory (VmHWM) over a process and its
    descendants (the server and its reader processes), in MB: at least the tree's peak."""
    total = 0
    for p in _children(pid):
        try:
            total += int(_field(f"/proc/{p}/status", "VmHWM").split()[0])
        except (IndexError, ValueError):
            continue
    return total / 1024


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its living descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _children(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except (OSError, ValueError, IndexError):
            continue
    return total / ticks
