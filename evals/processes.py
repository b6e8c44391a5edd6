"""Real processes for the serving benchmarks: a Chroma server and ``policy-assistant serve``
(this tree's code, ``--workers N``) on free loopback ports, and what they use (RSS, open files,
read from Linux /proc). Loops are bounded."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], bool], what: str, seconds: float, step: float = 0.2) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not after {seconds:g} s")
        time.sleep(step)


def rss_mib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines()
                if line.startswith("VmRSS")) // 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Running:
    """A started process with its log file."""

    def __init__(self, args: list[str], log: Path, env: Mapping[str, str] | None = None) -> None:
        self._log: IO[bytes] = log.open("ab")
        self.log_path = log
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT,
                                     env=dict(env) if env is not None else None, cwd=ROOT)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self._log.close()


def start_chroma(folder: Path) -> tuple[Running, int]:
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    server = Running([str(chroma), "run", "--path", str(folder / "chroma-data"), "--host",
                      "127.0.0.1", "--port", str(port)], folder / "chroma.log")

    def up() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2).is_success
        except httpx.HTTPError:
            return not server.alive()

    wait_for(up, "chroma server", 60, 0.3)
    if not server.alive():
        raise RuntimeError("the chroma server did not start; see " + str(folder / "chroma.log"))
    return server, port


class Served(Running):
    """``policy-assistant serve --workers N`` with settings as environment variables."""

    def __init__(self, folder: Path, settings: Mapping[str, Any], workers: int = 1) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        env = {k: v for k, v in os.environ.items() if not k.startswith("POLICY_ASSISTANT_")}
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(
            os.pathsep)
        env.update({f"POLICY_ASSISTANT_{k}": str(v) for k, v in settings.items()})
        more = ["--workers", str(workers)] if workers > 1 else []
        super().__init__([sys.executable, "-m", "ui.cli", "serve", "--port", str(self.port),
                          *more], folder / f"serve-{self.port}.log", env)

    def children(self) -> list[int]:
        """The worker processes (multiprocessing's resource tracker left out)."""
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        pids = [int(p) for p in path.read_text().split()] if path.exists() else []
        return [p for p in pids if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]

    def wait_ready(self, seconds: float = 600) -> None:
        """Until every worker has said ready (a new connection per look: any worker may
        take it)."""
        ready: set[int] = set()

        def all_ready() -> bool:
            if not self.alive():
                raise RuntimeError("the service died; see " + str(self.log_path))
            try:
                response = httpx.get(f"{self.base}/readyz", timeout=10)
            except httpx.HTTPError:
                return False
            if response.status_code == 200:
                ready.add(response.json().get("pid", 0))
            return len(ready) >= self.workers

        wait_for(all_ready, "service ready", seconds, 0.2)

    def processes(self) -> dict[str, int]:
        """name -> pid: the service process and, with workers, each worker."""
        return {"service" if self.workers == 1 else "parent": self.pid,
                **{f"worker {p}": p for p in (self.children() if self.workers > 1 else [])}}
