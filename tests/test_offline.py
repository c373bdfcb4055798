"""Works with no network: the API, a classification, training of a head and the FAQ grouping
in a network namespace whose only interface is loopback (`unshare --net`, root)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # starts a server, loads the encoder, trains

PROBE = Path(__file__).resolve().parent / "offline_probe.py"


def namespace_unavailable() -> str | None:
    if os.geteuid() != 0:
        return "a network namespace needs root (unshare --net)"
    if not shutil.which("unshare") or not shutil.which("ip"):
        return "unshare or ip is not installed (util-linux, iproute2)"
    probe = subprocess.run(["unshare", "--net", "--", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"unshare --net is not allowed here: {probe.stderr.strip()}"
    return None


def test_everything_works_inside_a_namespace_with_loopback_only(tmp_path):
    reason = namespace_unavailable()
    if reason:
        pytest.skip(reason)
    done = subprocess.run(
        ["unshare", "--net", "--", "sh", "-c",
         f'ip link set lo up && exec "{sys.executable}" "{PROBE}" "{tmp_path}"'],
        capture_output=True, text=True, timeout=1500,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "OFFLINE OK" in done.stdout
    assert "outside unreachable" in done.stdout
