"""The transform's JVM functions (glue-scripts/jvm, xetl-transform.jar): the jar the stack ships is
what its sources build, the Java side names the contract as contract.py does, and a session
without the jar fails with a line that says how to get it."""

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from xetl_transform import contract
from xetl_transform.jvm import JvmFunctionsMissingError, contract_constants, spark_jar

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "glue-scripts" / "jvm" / "build.py"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_built_jar_is_what_the_sources_build_byte_for_byte(tmp_path):
    # dist/glue-scripts/xetl-transform.jar is what the tests load and the stack uploads; a build of
    # the sources now, twice, gives the same bytes (no timestamps), so an unchanged jar is no diff.
    first, second = tmp_path / "a.jar", tmp_path / "b.jar"
    for jar in (first, second):
        subprocess.run([sys.executable, str(BUILD), "--jar", str(jar)], check=True, capture_output=True)
    assert digest(first) == digest(second) == digest(Path(spark_jar()))


def test_the_java_side_names_the_contract_as_contract_py_does(spark):
    record_level = tuple(code for code in contract.REASON_CODES
                         if code not in contract.FILE_REASON_CODES and code != contract.DUPLICATE_KEY)
    assert contract_constants(spark) == {
        "columns": contract.SOURCE_COLUMNS,
        "required_columns": contract.REQUIRED_COLUMNS,
        "max_length": contract.MAX_LENGTH,
        "reason_codes": record_level,
    }


def test_a_missing_jar_is_one_clear_error_naming_the_build(monkeypatch, tmp_path):
    monkeypatch.setenv("XETL_TRANSFORM_JAR", str(tmp_path / "nowhere.jar"))
    with pytest.raises(JvmFunctionsMissingError, match=r"nowhere\.jar is missing: build it with `npx nx run glue-scripts:jar`"):
        spark_jar()


def test_repeated_hashes_are_exactly_the_hashes_seen_more_than_once_across_tasks_and_slices(spark):
    from collections import Counter

    from pyspark.sql import functions as F
    from xetl_transform.jvm import REPEATED_HASHES, UNPACK_HASHES, register_functions

    # Unique hashes enough to grow the tables, many with the same low bits (the table's index),
    # the empty slot's value 0, negatives, and repeats that meet only when tasks' tables merge.
    hashes = [*range(-3000, 3000), 0, 0, 5, 5, 5, -7, -7, 1 << 62, 1 << 62, *[i << 20 for i in range(1, 200)] * 2]
    frame = spark.createDataFrame([(h,) for h in hashes], "h long").repartition(3)
    register_functions(spark)
    packed = frame.groupBy(F.pmod("h", F.lit(2))).agg(F.call_function(REPEATED_HASHES, F.col("h")).alias("packed"))
    found = [row[0] for row in packed.select(F.explode(F.call_function(UNPACK_HASHES, F.col("packed")))).collect()]
    assert sorted(found) == sorted(h for h, n in Counter(hashes).items() if n > 1)
