"""Builds xetl-transform.jar (the transform's JVM functions, src/dev/xetl/transform) into
dist/glue-scripts/, byte for byte the same for the same sources and JDK: the analytics stack
uploads it for Glue's --extra-jars, and a jar that changed only in its timestamps would be a new
object on every synth.

    bash scripts/venv-run.sh glue python glue-scripts/jvm/build.py

Compiled with javac --release 17 (Glue 5.0 runs Java 17) against the Spark jars of the glue
environment's PySpark, the Spark version Glue 5.0 runs (3.5)."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pyspark

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
JAR = HERE.parents[1] / "dist" / "glue-scripts" / "xetl-transform.jar"
# The Spark API the functions compile against (Row, RowFactory, UDF1/UDF2).
SPARK_JARS = ("spark-sql-api_*.jar", "spark-catalyst_*.jar", "spark-sql_*.jar", "scala-library-*.jar")
# Zip entries dated 1980-01-01, the earliest a zip can hold: the jar's bytes depend only on its classes.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def class_path() -> str:
    jars = Path(pyspark.__file__).parent / "jars"
    found = [str(path) for pattern in SPARK_JARS for path in sorted(jars.glob(pattern))]
    if len(found) < len(SPARK_JARS):
        raise SystemExit(f"xetl-transform.jar: PySpark's jars are incomplete under {jars}")
    return ":".join(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="builds xetl-transform.jar")
    parser.add_argument("--jar", type=Path, default=JAR, help=f"where to write it (default {JAR})")
    target = parser.parse_args(argv).jar
    javac = shutil.which("javac")
    if javac is None:
        raise SystemExit("xetl-transform.jar: javac not found; install a JDK 17 (e.g. apt install openjdk-17-jdk-headless)")
    sources = sorted(str(path) for path in SOURCES.rglob("*.java"))
    with tempfile.TemporaryDirectory(prefix="xetl-jar-") as classes:
        subprocess.run([javac, "--release", "17", "-Xlint:all", "-Werror", "-encoding", "UTF-8", "-d", classes,
                        "-cp", class_path(), *sources], check=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_suffix(".jar.tmp")
        with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as jar:
            manifest = zipfile.ZipInfo("META-INF/MANIFEST.MF", FIXED_TIME)
            jar.writestr(manifest, "Manifest-Version: 1.0\r\nCreated-By: xetl glue-scripts/jvm/build.py\r\n\r\n")
            for path in sorted(Path(classes).rglob("*.class")):
                entry = zipfile.ZipInfo(path.relative_to(classes).as_posix(), FIXED_TIME)
                entry.compress_type = zipfile.ZIP_DEFLATED
                jar.writestr(entry, path.read_bytes())
        temp.replace(target)
    print(f"xetl-transform.jar: {len(sources)} source file(s) -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
