"""Starting and stopping qtrail's own processes in tests, by the pid we started, bounded in time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.stack import ARTIFACTS, ROOT, Environment


class Process:
    """A qtrail process (``python -m <module>``, by default ``services.<name>``) with the
    environment's settings; ``name`` is what its log file is called."""

    def __init__(
        self, name: str, environment: Environment, module: str | None = None, **extra_env: str
    ) -> None:
        self.name = name
        self.module = module or f"services.{name}"
        self.environment = environment
        self.extra_env = extra_env
        self.popen: subprocess.Popen[bytes] | None = None
        ARTIFACTS.mkdir(exist_ok=True)
        self.log_path: Path = ARTIFACTS / f"{name}-{environment.suffix}.log"

    def start(self) -> Process:
        env = {**os.environ, **self.environment.env, **self.extra_env}
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            [sys.executable, "-m", self.module],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def kill(self) -> None:
        """SIGKILL: a crash, with no chance to clean up."""
        if self.popen is not None and self.popen.poll() is None:
            os.kill(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)

    def stop(self, timeout_s: float = 20) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        os.kill(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class Api(Process):
    """The HTTP API (``python -m services.http``), logging to ``api-<suffix>.log``."""

    def __init__(self, environment: Environment, port: int | None = None) -> None:
        """A second API of the same environment takes its own ``port`` (and log file)."""
        self.port = port or int(environment.env["QTRAIL_HTTP_PORT"])
        extra = {} if port is None else {"QTRAIL_HTTP_PORT": str(port)}
        name = "api" if port is None else f"api-{port}"
        super().__init__(name, environment, module="services.http", **extra)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Api:
        super().start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"api exited at start:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"api not healthy within 60 s:\n{self.log_tail()}")
