"""Real processes for the fault tests: a Chroma server that can be frozen, killed and started
again on its port and data, and the service (`python -m ui.cli serve`, this tree's code) on a
free loopback port. Loops are bounded; only 127.0.0.x is contacted."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from core.settings import StoreSettings

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], bool], what: str, seconds: float = 60,
             step: float = 0.1) -> None:
    """Poll ``check`` until it holds (at most ``seconds``): a bound on hanging, not a limit on
    speed."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not after {seconds} s")
        time.sleep(step)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def rss_mib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines()
                if line.startswith("VmRSS")) // 1024


class Process:
    def __init__(self, args: list[str], log: Path, env: Mapping[str, str] | None = None) -> None:
        self.args = args
        self.log_path = log
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT,
                                         env=dict(self.env) if self.env is not None else None,
                                         cwd=ROOT)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, sig)

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGCONT)  # a frozen process cannot exit
                self.proc.terminate()
                return self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return self.proc.wait(timeout=30)
        return self.proc.returncode

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


class Chroma(Process):
    """``chroma run`` from the chromadb package, on a fixed port and data folder, so that a
    killed server can be started again as the same store."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        chroma = Path(sys.executable).with_name("chroma")
        super().__init__([str(chroma), "run", "--path", str(folder / "data"), "--host",
                          "127.0.0.1", "--port", str(self.port)], folder / "chroma.log")

    @property
    def settings(self) -> StoreSettings:
        return StoreSettings(host="127.0.0.1", port=self.port)

    def up(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v2/heartbeat",
                                        timeout=2):
                return True
        except OSError:
            return False

    def start(self) -> None:
        super().start()
        wait_for(lambda: self.up() or not self.alive(), "chroma server up", 60, 0.3)
        if not self.alive():
            raise RuntimeError("chroma server did not start: " + self.log()[-2000:])

    def freeze(self) -> None:
        self.signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.signal(signal.SIGCONT)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=30)


class Service(Process):
    """The service as ``make run`` starts it, with ``settings`` as environment variables
    (``{"STORE__TIMEOUT": "1"}`` → ``POLICY_ASSISTANT_STORE__TIMEOUT=1``)."""

    def __init__(self, folder: Path, settings: Mapping[str, Any], workers: int = 1) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("POLICY_ASSISTANT_")}
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(
            os.pathsep)
        env.update({f"POLICY_ASSISTANT_{k}": str(v) for k, v in settings.items()})
        super().__init__([sys.executable, "-m", "ui.cli", "serve", "--port", str(self.port),
                          "--workers", str(workers)], folder / f"service-{self.port}.log", env)

    def listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def start(self) -> None:
        super().start()
        wait_for(lambda: self.listening() or not self.alive(), "service listening", 120, 0.1)
        if not self.alive():
            raise RuntimeError("service did not start: " + self.log()[-3000:])

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.base}/readyz", timeout=10).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_ready(self, seconds: float = 120) -> None:
        wait_for(lambda: self.ready() or not self.alive(), "service ready", seconds, 0.2)
        if not self.alive():
            raise RuntimeError("service died: " + self.log()[-3000:])

    def children(self) -> list[int]:
        """The worker processes of ``--workers N`` (Linux /proc)."""
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        pids = [int(p) for p in path.read_text().split()] if path.exists() else []
        # multiprocessing's resource tracker is a child too
        return [p for p in pids if b"spawn_main" in _cmdline(p)]

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=kwargs.pop("timeout", 30), **kwargs)
