"""The offline install bundle for MWAA (``nx run dbt:package``): ``dist/mwaa/plugins.zip`` and
``dist/mwaa/startup.sh``.

    python -m xetl_dbt.mwaa_bundle [--out dist/mwaa] [--cache ~/.cache/xetl/mwaa]

MWAA in a private network has no internet, so everything it installs beyond its image comes from
plugins.zip, which MWAA unpacks into /usr/local/airflow/plugins:

    wheels/airflow/*.whl   what dags/requirements.txt needs beyond the image (Cosmos and the few
                           dependencies the image lacks), installed by MWAA with --no-index
                           --find-links /usr/local/airflow/plugins/wheels/airflow
    wheels/dbt/*.whl       the whole dbt environment (sql/dbt/requirements.txt, every package pinned)
    dbt/requirements.txt   that lock, which startup.sh installs into its own virtual environment

Wheels are for MWAA's platform: CPython 3.12 on x86_64 Linux, glibc 2.34 (Amazon Linux 2023);
binary wheels only. Which Airflow-side wheels to ship is computed, not listed: pip resolves
dags/requirements.txt (with the constraints file) in an environment that holds what the MWAA image
has (Airflow 3.0.6 and the providers pinned in dags/requirements-dev.txt), and every package it
would install is shipped. That environment is built once into the cache (from PyPI), as are the
downloaded wheels; later builds reuse them. The cache is the user's (``$XDG_CACHE_HOME/xetl/mwaa``,
else ``~/.cache/xetl/mwaa``), shared by every clone on the machine like the Python environments'
wheels (scripts/python-env.sh), so only the first clone on a machine needs PyPI for it. The zip is deterministic: sorted entries, fixed
timestamps and permissions, so the same inputs give the same bytes (and MWAA sees no new version).
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

from xetl_dbt.warehouse import PROJECT_DIR, REPO_ROOT

DAGS_DIR = REPO_ROOT / "dags"
AIRFLOW_REQUIREMENTS = DAGS_DIR / "requirements.txt"
# The MWAA image's Airflow and providers, as the dags venv pins them (its apache-airflow* lines).
IMAGE_REQUIREMENTS = DAGS_DIR / "requirements-dev.txt"
DBT_LOCK = PROJECT_DIR / "requirements.txt"
STARTUP_SCRIPT = PROJECT_DIR / "mwaa" / "startup.sh"
DEFAULT_OUT = REPO_ROOT / "dist" / "mwaa"
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "xetl" / "mwaa"

# Where MWAA puts things, as dags/requirements.txt and startup.sh name them.
MWAA_AIRFLOW_HOME = "/usr/local/airflow"
AIRFLOW_WHEELS = "wheels/airflow"
DBT_WHEELS = "wheels/dbt"
DBT_LOCK_ENTRY = "dbt/requirements.txt"

PYTHON_VERSION = "3.12"
# Amazon Linux 2023 has glibc 2.34; pip takes each tag literally, so every older one is listed.
PLATFORMS = ("manylinux_2_34_x86_64", "manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64")
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)

_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[A-Za-z0-9,._-]+\])?==(?P<version>[^\s;#]+)\s*$")


class BundleError(RuntimeError):
    """A requirements file is malformed, or pip could not resolve or download; the message says which."""


@dataclass(frozen=True)
class MwaaRequirements:
    """dags/requirements.txt, read the way MWAA's pip reads it."""

    constraint: str  # the --constraint path on MWAA
    find_links: tuple[str, ...]
    no_index: bool
    requirements: tuple[str, ...]  # name==version lines

    @classmethod
    def parse(cls, path: Path = AIRFLOW_REQUIREMENTS) -> MwaaRequirements:
        constraint, links, no_index, reqs = "", [], False, []
        for number, raw in enumerate(path.read_text().splitlines(), start=1):
            line = raw.split(" #", 1)[0].strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith(("--constraint", "-c ")):
                constraint = line.split(None, 1)[1].strip().strip('"')
            elif line.startswith("--find-links"):
                links.append(line.split(None, 1)[1].strip().strip('"'))
            elif line == "--no-index":
                no_index = True
            elif _PIN.match(line):
                reqs.append(line)
            else:
                raise BundleError(f"{path.name}:{number}: expected an option or a name==version pin, got {line!r}")
        return cls(constraint, tuple(links), no_index, tuple(reqs))


def pins(path: Path) -> list[str]:
    """The name==version lines of a pinned requirements file; option lines (-c, -r, --...) and
    comments are skipped, anything else is an error."""
    out = []
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        if not _PIN.match(line):
            raise BundleError(f"{path.name}:{number}: {line!r} is not a name==version pin")
        out.append(line)
    return out


def image_pins() -> list[str]:
    return [p for p in pins(IMAGE_REQUIREMENTS) if _pin_key(p)[0].startswith("apache-airflow")]


def _pip(python: Path | str, *args: str, what: str) -> str:
    proc = subprocess.run(
        [str(python), "-m", "pip", *args, "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PIP_NO_COLOR": "1"},
    )
    if proc.returncode != 0:
        raise BundleError(f"{what} failed (pip exit {proc.returncode}):\n{(proc.stdout + proc.stderr)[-3000:]}")
    return proc.stdout


def _digest(*parts: str | Path) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.read_bytes() if isinstance(part, Path) else part.encode())
    return h.hexdigest()[:16]


def python312() -> Path:
    """This interpreter when it is Python 3.12 (the dbt venv is), the MWAA version."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" != PYTHON_VERSION:
        raise BundleError(f"the bundle is built with Python {PYTHON_VERSION} (MWAA's); this is {sys.version.split()[0]}")
    return Path(sys.executable)


def image_environment(cache: Path) -> Path:
    """A virtual environment holding what the MWAA image holds (Airflow 3.0.6 and its providers,
    installed with the constraints), built once per set of pins; returns its directory."""
    constraints = DAGS_DIR / "constraints-3.0.6-3.12.txt"
    wanted = image_pins()
    venv = cache / f"image-{_digest(constraints, *wanted)}"
    if (venv / "complete").is_file():
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    base = Path(getattr(sys, "_base_executable", sys.executable))
    subprocess.run([str(base), "-m", "venv", str(venv)], check=True)
    print(f"mwaa bundle: building the MWAA image stand-in ({', '.join(wanted)}) in {venv} (once, a few minutes)")
    _pip(venv / "bin" / "python", "install", "--quiet", "-c", str(constraints), *wanted, what="installing the image stand-in")
    (venv / "complete").write_text("\n".join(wanted) + "\n")
    return venv


def airflow_wheel_pins(cache: Path) -> list[str]:
    """name==version of every package dags/requirements.txt makes MWAA install beyond its image."""
    mwaa = MwaaRequirements.parse()
    constraints = DAGS_DIR / Path(mwaa.constraint).name
    image = image_environment(cache)
    report = cache / f"airflow-install-{_digest(AIRFLOW_REQUIREMENTS, constraints, image.name)}.json"
    if not report.is_file():
        _pip(
            image / "bin" / "python", "install", "--dry-run", "--quiet", "--report", str(report),
            "-c", str(constraints), *mwaa.requirements, what="resolving dags/requirements.txt against the image",
        )  # fmt: skip
    installs = json.loads(report.read_text())["install"]
    return sorted(f"{i['metadata']['name']}=={i['metadata']['version']}" for i in installs)


def download_wheels(requirements: list[str], dest: Path) -> list[Path]:
    """The wheel file of each pin for MWAA's platform, downloaded into ``dest`` unless already there."""
    dest.mkdir(parents=True, exist_ok=True)
    have = {_wheel_key(p.name): p for p in dest.glob("*.whl")}
    missing = [r for r in requirements if _pin_key(r) not in have]
    if missing:
        platform_args = [arg for tag in PLATFORMS for arg in ("--platform", tag)]
        _pip(
            python312(), "download", "--quiet", "--no-deps", "--only-binary=:all:", *platform_args,
            "--python-version", PYTHON_VERSION, "--implementation", "cp", "--abi", "cp312",
            "--dest", str(dest), *missing, what=f"downloading {len(missing)} wheels into {dest}",
        )  # fmt: skip
        have = {_wheel_key(p.name): p for p in dest.glob("*.whl")}
    absent = [r for r in requirements if _pin_key(r) not in have]
    if absent:
        raise BundleError(f"no wheel for {absent} in {dest} after download")
    return sorted(have[_pin_key(r)] for r in requirements)


def _wheel_key(filename: str) -> tuple[str, str]:
    name, version, _, _ = parse_wheel_filename(filename)
    return canonicalize_name(name), str(version)


def _pin_key(pin: str) -> tuple[str, str]:
    match = _PIN.match(pin)
    if match is None:
        raise BundleError(f"{pin!r} is not a name==version pin")
    return canonicalize_name(match["name"]), str(Version(match["version"]))


def write_zip(path: Path, entries: dict[str, Path]) -> None:
    """A zip whose bytes depend only on the entries' names and contents."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name].read_bytes())
    tmp.replace(path)


def build(out: Path = DEFAULT_OUT, cache: Path = DEFAULT_CACHE) -> Path:
    """Write out/plugins.zip and out/startup.sh; returns the zip's path."""
    mwaa = MwaaRequirements.parse()
    expected_links = f"{MWAA_AIRFLOW_HOME}/plugins/{AIRFLOW_WHEELS}"
    if not mwaa.no_index or mwaa.find_links != (expected_links,):
        raise BundleError(
            f"{AIRFLOW_REQUIREMENTS.name} must install offline: '--no-index' and '--find-links {expected_links}'"
        )
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # clones share the cache; one builds it at a time
        airflow = download_wheels(airflow_wheel_pins(cache), cache / "wheels")
        dbt = download_wheels(pins(DBT_LOCK), cache / "wheels")
    entries = {f"{AIRFLOW_WHEELS}/{w.name}": w for w in airflow}
    entries.update({f"{DBT_WHEELS}/{w.name}": w for w in dbt})
    entries[DBT_LOCK_ENTRY] = DBT_LOCK
    zip_path = out / "plugins.zip"
    write_zip(zip_path, entries)
    shutil.copy2(STARTUP_SCRIPT, out / "startup.sh")
    size = zip_path.stat().st_size / 1e6
    print(
        f"mwaa bundle: {zip_path} ({size:.1f} MB: {len(airflow)} Airflow-side wheels, {len(dbt)} dbt wheels), "
        f"{out / 'startup.sh'}"
    )
    return zip_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args(argv)
    try:
        build(args.out.resolve(), args.cache.resolve())
    except BundleError as error:
        print(f"mwaa bundle: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
