"""Load generation for the endpoint benchmark: servers as subprocesses on 127.0.0.1, `wrk` as the
client in its own process, and CPU accounting of both from /proc and wait4.

The client is Debian's `wrk` (C, epoll) with one thread and a Lua script (`WRK_SCRIPT`) that
cycles through a list of GET requests for `-d` seconds and prints its count and latency
percentiles as one JSON line. The run is bounded by time alone: wrk reports the whole `-d` as
its duration even when a script stops a thread early, so a cap on responses would cap the rate
it reports (at 50,000 in 3 s, 16,666 req/s, which Oxigraph passes on the tiny queries). Its CPU
time (from wait4) is reported, since it shares the machine's 2 cores with the server."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

READY_WITHIN_S = 90.0
SETTLE_WITHIN_S = 30.0
WRK_SCRIPT = r"""
local requests, i = {}, 0
function init(args)
  for line in io.lines(args[1]) do
    local path, accept = line:match("^([^\t]*)\t(.*)$")
    requests[#requests + 1] = wrk.format("GET", path, {["Accept"] = accept})
  end
end
function request()
  i = i % #requests + 1
  return requests[i]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p99_us":%d}\n', summary.requests, summary.duration, e.status,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass
class Server:
    name: str
    base: str
    process: subprocess.Popen

    def cpu_seconds(self) -> float:
        """CPU time of the server and its child processes (the query workers) so far."""
        return sum(_cpu_of(pid) for pid in [self.process.pid, *descendants(self.process.pid)])

    def settle(self) -> None:
        """Wait (bounded) until the server stops using CPU: a slow server still answering
        requests the client gave up on would otherwise load the next measurement."""
        deadline, last = time.monotonic() + SETTLE_WITHIN_S, self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(0.15)
            now = self.cpu_seconds()
            if now - last < 0.005:
                return
            last = now


@dataclass
class Run:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    client_cpu_s: float
    server_cpu_s: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _cpu_of(pid: int) -> float:
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def cpu_ticks() -> tuple[int, int]:
    """(stolen, all) CPU ticks of this machine since boot, from /proc/stat: the time the host
    gave to others while this VM wanted to run (steal) says how noisy a run was."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (fields[7] if len(fields) > 7 else 0), sum(fields)


def steal_since(ticks: tuple[int, int]) -> float | None:
    """The share of CPU time stolen since `ticks` (cpu_ticks), None if no time passed."""
    stolen, total = (after - before for after, before in zip(cpu_ticks(), ticks))
    return stolen / total if total else None


def descendants(pid: int) -> list[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError, IndexError):
            if entry.name.isdigit():
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running(name: str, command: list[str], ready_path: str, log: Path):
    """A server subprocess on a free loopback port (`{port}` in the command), stopped after."""
    port = free_port()
    command = [part.replace("{port}", str(port)) for part in command]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    server = Server(name, f"http://127.0.0.1:{port}", process)
    try:
        _wait_ready(server.base + ready_path, process, log)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(5)


def _wait_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + READY_WITHIN_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log.read_text()[-500:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=5).status_code < 500:
                return
        time.sleep(0.2)
    raise RuntimeError(f"server not ready within {READY_WITHIN_S} s: {log.read_text()[-500:]}")


def wrk_available() -> str | None:
    return shutil.which("wrk")


def load(server: Server, requests: list[tuple[str, str]], clients: int, seconds: float) -> Run:
    """`clients` connections sending `requests` (path, Accept) in turn for `seconds`; one wrk thread."""
    with tempfile.TemporaryDirectory(prefix="ictd-wrk-") as scratch:
        script, listing = Path(scratch, "load.lua"), Path(scratch, "requests.tsv")
        script.write_text(WRK_SCRIPT)
        listing.write_text("".join(f"{path}\t{accept}\n" for path, accept in requests))
        command = ["wrk", "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "15s",
                   "-s", str(script), server.base, "--", str(listing)]
        cpu_before = server.cpu_seconds()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        server_cpu = server.cpu_seconds() - cpu_before
        out = process.stdout.read().decode().strip().splitlines()
        process.stdout.close(), process.stderr.close()
    if process.returncode != 0 or not out:
        raise RuntimeError(f"wrk failed ({process.returncode})")
    found = json.loads(out[-1])
    return Run(found["requests"], found["duration_us"] / 1e6, found["status_errors"] + found["socket_errors"],
               found["p50_us"] / 1000, found["p99_us"] / 1000, usage.ru_utime + usage.ru_stime, server_cpu)
