"""`credstack serve --workers 2` (credstack.serve): workers on their own SO_REUSEPORT sockets share the connections of
clients that keep them open, answer on the one port, and stop on SIGTERM. Linux (SO_REUSEPORT, /proc)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from credstack.serve import listening_socket

CREDSTACK = Path(sys.executable).parent / "credstack"
pytestmark = pytest.mark.skipif(
    not hasattr(socket, "SO_REUSEPORT") or not Path("/proc/net/tcp").exists(), reason="Linux only"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDSTACK_")}
    env["CREDSTACK_DATA_DIR"] = str(tmp_path)
    env["CREDSTACK_JOB_WORKER"] = "0"
    subprocess.run([str(CREDSTACK), "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    command = [str(CREDSTACK), "serve", "--port", str(port), "--workers", "2"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(_listening_workers(process.pid, port)) < 2 or not _answers(port):
            assert process.poll() is None, "the supervisor exited"
            assert time.monotonic() < deadline, "the two workers did not start listening"
            time.sleep(0.2)
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _workers(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    found = [int(child) for child in children.read_text().split()] if children.exists() else []
    # The spawn start method also starts a resource tracker; workers are the ones with sockets on the port.
    return [child for child in found if _socket_inodes(child)]


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    except (FileNotFoundError, PermissionError):
        pass
    return inodes


def _inodes(port: int, state: str) -> set[str]:
    """Inodes of the local TCP sockets on `port` in `state` (/proc/net/tcp: 01 established, 0A listening)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state:
            inodes.add(fields[9])
    return inodes


def _listening_workers(pid: int, port: int) -> list[int]:
    listening = _inodes(port, "0A")
    return [worker for worker in _workers(pid) if _socket_inodes(worker) & listening]


def test_workers_share_keep_alive_connections(server: tuple[subprocess.Popen[bytes], int]) -> None:
    process, port = server
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]
    try:
        for client in clients:
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            assert client.recv(4096).startswith(b"HTTP/1.1 200")
        established = _inodes(port, "01")
        per_worker = [len(_socket_inodes(worker) & established) for worker in _workers(process.pid)]
        assert sum(per_worker) == 16
        assert len(per_worker) == 2 and min(per_worker) >= 1, per_worker
    finally:
        for client in clients:
            client.close()


def test_sigterm_stops_every_worker(server: tuple[subprocess.Popen[bytes], int]) -> None:
    process, port = server
    workers = _workers(process.pid)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=40) == 0
    for worker in workers:
        assert not Path(f"/proc/{worker}").exists() or "zombie" in Path(f"/proc/{worker}/status").read_text()
    assert not _answers(port)


def test_sockets_can_share_a_port() -> None:
    first = listening_socket("127.0.0.1", 0)
    try:
        second = listening_socket("127.0.0.1", first.getsockname()[1])
        second.close()
    finally:
        first.close()
