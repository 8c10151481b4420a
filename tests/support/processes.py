"""Stopping a server process a test started: politely, then for sure."""

from __future__ import annotations

import subprocess


def stop(server: subprocess.Popen[bytes]) -> None:
    """Terminate `server` and wait for it; kill it if it is still there after 10 s."""
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
