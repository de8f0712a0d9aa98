"""Build the one-folder app with PyInstaller and run its self-check.

    python packaging/build.py            # build into dist/sollhaben and self-check it
    python packaging/build.py --no-check

Needs the packaging extra: pip install -e ".[packaging]".
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-check", action="store_true")
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                    "--distpath", str(ROOT / "dist"), "--workpath", str(ROOT / "build"),
                    str(ROOT / "packaging" / "sollhaben.spec")], check=True, cwd=ROOT)
    exe = ROOT / "dist" / "sollhaben" / ("sollhaben.exe" if os.name == "nt" else "sollhaben")
    print(f"built: {exe}")
    if args.no_check:
        return 0
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    result = subprocess.run([str(exe), "--self-check"], env=env)
    print(f"self-check exit code: {result.returncode}")
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
