#!/usr/bin/python3
"""Runs the metrics_dump tool and pipes its output into `promtool check metrics`.

Fails (exit 1) when the dump tool fails (our own invariant checks), when promtool exits non-zero,
or when promtool prints anything at all: its lint findings are warnings we treat as errors.
Usage: promtool_check.py <metrics_dump binary> [promtool binary]
"""
import subprocess
import sys


def main() -> int:
    dump = sys.argv[1]
    promtool = sys.argv[2] if len(sys.argv) > 2 else "/usr/bin/promtool"
    produced = subprocess.run([dump], capture_output=True, check=False)
    if produced.returncode != 0 or produced.stderr:
        sys.stderr.write(f"{dump} exited {produced.returncode}\n{produced.stderr.decode()}")
        return 1
    if not produced.stdout:
        sys.stderr.write(f"{dump} printed no metrics\n")
        return 1
    checked = subprocess.run([promtool, "check", "metrics"], input=produced.stdout,
                             capture_output=True, check=False)
    complaints = (checked.stdout + checked.stderr).decode().strip()
    if checked.returncode != 0 or complaints:
        sys.stderr.write(f"promtool exited {checked.returncode}:\n{complaints}\n")
        return 1
    families = produced.stdout.decode().count("# TYPE ")
    print(f"promtool check metrics: clean ({families} families)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
