"""The dbt project as MWAA gets it, with its pre-built manifest (``nx run dbt:package``).

    python -m xetl_dbt.package [--out dist/dbt/project]

Copies the project's sources (dbt_project.yml, profiles.yml, models, macros, data tests) into the
output folder and runs ``dbt parse`` there for the ``redshift`` target, which writes
``target/manifest.json`` without connecting to any warehouse. Cosmos renders the DAG's dbt tasks
from that manifest (``LoadMode.DBT_MANIFEST``), so the DAG processor never runs dbt. Only the
manifest is kept of dbt's outputs. The stack uploads the folder beside the DAGs (``dags/dbt/``),
where ``xetl_tasks.dbt`` looks for it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from xetl_dbt.warehouse import PROJECT_DIR, REPO_ROOT, run_dbt

DEFAULT_OUT = REPO_ROOT / "dist" / "dbt" / "project"
SHIPPED = ("dbt_project.yml", "profiles.yml", "models", "macros", "data-tests")


class PackageError(RuntimeError):
    """dbt could not parse the project; the message carries dbt's output."""


def package(out: Path = DEFAULT_OUT) -> Path:
    """Write the shipped project with target/manifest.json into ``out`` (replaced); returns the manifest."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in SHIPPED:
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, out / name, ignore=shutil.ignore_patterns("__pycache__", ".*"))
        else:
            shutil.copy2(source, out / name)
    scratch = out / ".parse"
    result = run_dbt(
        ["parse", "--target", "redshift"], {"XETL_DBT_TARGET": "redshift"}, scratch, project_dir=out
    )
    manifest = scratch / "manifest.json"
    if not result.ok or not manifest.is_file():
        raise PackageError(f"dbt parse failed (exit {result.returncode}):\n{result.output[-3000:]}")
    (out / "target").mkdir()
    shipped_manifest = out / "target" / "manifest.json"
    shutil.move(manifest, shipped_manifest)
    shutil.rmtree(scratch)
    nodes = json.loads(shipped_manifest.read_text())["nodes"]
    models = sorted(n["name"] for n in nodes.values() if n["resource_type"] == "model")
    print(f"dbt package: {out} ({len(models)} models: {', '.join(models)})")
    return shipped_manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    try:
        package(args.out.resolve())
    except PackageError as error:
        print(f"dbt package: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
