"""Runs 06's virtual-time simulator (build/tools/reliability_sim) and reads its CSV."""

from __future__ import annotations

import csv
import io
import pathlib
import subprocess


def run(build: str, scenario: str, **flags) -> list[dict]:
    binary = pathlib.Path(build) / "tools" / "reliability_sim"
    argv = [str(binary), scenario] + [f"--{k.replace('_', '-')}={v}" for k, v in flags.items()]
    out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=600).stdout
    return list(csv.DictReader(io.StringIO(out)))


def command(scenario: str, **flags) -> str:
    return " ".join(["build/tools/reliability_sim", scenario] + [f"--{k.replace('_', '-')}={v}" for k, v in flags.items()])
