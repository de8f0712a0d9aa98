"""Run every benchmark in bench/ one after the other and summarize PASS/FAIL.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/run_all.py [name …]

Each bench_*.py runs in its own process (so imports and memory are its own), prints its figures,
the reference it is compared with and PASS or FAIL; this script shows their output as it comes and
a table at the end. Exit code 1 when any benchmark fails or crashes.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if any(n in s.stem for n in names)]
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    results: list[tuple[str, str, float]] = []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        start = time.perf_counter()
        process = subprocess.run([sys.executable, str(script)], env=env, cwd=HERE.parent,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        print(process.stdout, end="", flush=True)
        verdict = "PASS" if process.returncode == 0 else "FAIL"  # each bench exits 1 when over budget
        results.append((script.name, verdict, time.perf_counter() - start))
    print("\n=== summary ===")
    for name, verdict, seconds in results:
        print(f"{name:32} {verdict}  ({seconds:.0f} s)")
    return 0 if results and all(v == "PASS" for _n, v, _s in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
