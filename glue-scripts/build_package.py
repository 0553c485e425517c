"""Builds dist/glue-scripts/xetl_transform.zip, the package Glue loads through --extra-py-files.

The zip is deterministic: the same sources give the same bytes (sorted entries, a fixed
timestamp and mode, no caches), so an unchanged package never looks changed to the deployment.

    python glue-scripts/build_package.py [--out dist/glue-scripts/xetl_transform.zip]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "xetl_transform"
DEFAULT_OUT = HERE.parent / "dist" / "glue-scripts" / "xetl_transform.zip"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


def package_files(package_dir: Path) -> list[Path]:
    """The package's Python sources, in a stable order; caches and compiled files left out."""
    return sorted(
        (p for p in package_dir.rglob("*.py") if "__pycache__" not in p.relative_to(package_dir).parts),
        key=lambda p: p.relative_to(package_dir).as_posix(),
    )


def build_zip(package_dir: Path = PACKAGE, out: Path = DEFAULT_OUT) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(temp, "w") as archive:
        for path in package_files(package_dir):
            # Entries sit under the package name, so the zip on sys.path makes it importable.
            info = zipfile.ZipInfo(f"{package_dir.name}/{path.relative_to(package_dir).as_posix()}", FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3  # Unix, whatever the build machine
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    temp.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    out = build_zip(PACKAGE, args.out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    print(f"{out} ({len(package_files(PACKAGE))} files, sha256 {digest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
