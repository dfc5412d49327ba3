"""A real `pepdocs serve` process on a free loopback port, for the tests that talk to it over the network."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    url: str
    log: Path
    stopped_log: str | None = None

    def log_text(self) -> str:
        """What the server printed: all of it once it has stopped."""
        if self.stopped_log is not None:
            return self.stopped_log
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def serving(*args: str, keys: str = "", start_within: float = 30.0) -> Iterator[Server]:
    """`python -m pepdocs serve` on 127.0.0.1 until the block ends; it is stopped (then killed) whatever happens."""
    port = free_port()
    env = {**os.environ, "PEPDOCS_API_KEYS": keys}
    with tempfile.TemporaryDirectory() as work:
        log = Path(work, "server.log")
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "pepdocs", "serve", "--host", "127.0.0.1", "--port", str(port), *args],
                stdout=out, stderr=subprocess.STDOUT, env=env,
            )  # fmt: skip
            server = Server(f"http://127.0.0.1:{port}", log)
            try:
                url = server.url
                deadline = time.monotonic() + start_within
                while True:
                    if process.poll() is not None:
                        raise AssertionError(f"the server stopped at start:\n{log.read_text(errors='replace')}")
                    try:
                        if httpx2.get(f"{url}/healthz", timeout=1).status_code == 200:
                            break
                    except httpx2.TransportError:
                        pass
                    if time.monotonic() > deadline:
                        raise AssertionError(f"the server did not answer within {start_within:g} s")
                    time.sleep(0.1)
                yield server
            finally:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(10)
                server.stopped_log = log.read_text(encoding="utf-8", errors="replace")
