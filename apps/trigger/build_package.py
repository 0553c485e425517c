"""Builds dist/trigger/trigger.zip, the trigger Lambda's deployment package (handler.py only: boto3
comes with the python3.12 runtime).

Deterministic: the same sources give the same bytes (sorted entries, fixed timestamp and mode), so
an unchanged function never shows a plan diff.

    python apps/trigger/build_package.py [--out dist/trigger/trigger.zip]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = ("handler.py",)
DEFAULT_OUT = HERE.parent.parent / "dist" / "trigger" / "trigger.zip"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def build_zip(out: Path = DEFAULT_OUT) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(temp, "w") as archive:
        for name in sorted(FILES):
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            archive.writestr(info, (HERE / name).read_bytes(), compresslevel=9)
    temp.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    out = build_zip(args.out)
    print(f"{out} ({len(FILES)} files, sha256 {hashlib.sha256(out.read_bytes()).hexdigest()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
