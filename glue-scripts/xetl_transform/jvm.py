"""The transform's JVM functions (glue-scripts/jvm, built into xetl-transform.jar): reading and
checking a record is one pass over its bytes in Java, registered as Spark SQL functions, because
the same rules as Spark expressions decoded every record once per check (docs/benchmarks.md).

On Glue the jar comes with --extra-jars (the analytics stack uploads it beside the script);
locally, `spark_jar()` is the path Spark sessions pass in `spark.jars` (`nx run glue-scripts:jar`
builds it)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql.types import ArrayType, DataType, IntegerType, LongType, StructType

JAR_NAME = "xetl-transform.jar"
PACKAGE = "dev.xetl.transform"
CLASSIFY_RECORD = "xetl_classify_record"
QUOTE_STATE_INSIDE = "xetl_quote_state_inside"
REPEATED_HASHES = "xetl_repeated_hashes"
UNPACK_HASHES = "xetl_unpack_hashes"
# The repository's build output, for local runs and tests (the jar is not part of the Python package).
_BUILT_JAR = Path(__file__).resolve().parents[2] / "dist" / "glue-scripts" / JAR_NAME


class JvmFunctionsMissingError(RuntimeError):
    """The Spark session has no xetl-transform.jar on its class path."""


def spark_jar() -> str:
    """The built jar for a local Spark session's `spark.jars` (XETL_TRANSFORM_JAR overrides)."""
    jar = Path(os.environ.get("XETL_TRANSFORM_JAR") or _BUILT_JAR)
    if not jar.is_file():
        raise JvmFunctionsMissingError(f"{jar} is missing: build it with `npx nx run glue-scripts:jar`")
    return str(jar)


def _java_class(spark: SparkSession, name: str):
    # py4j answers an unknown class with a JavaPackage: that means the jar is not loaded.
    found = getattr(spark.sparkContext._jvm, f"{PACKAGE}.{name}")
    if type(found).__name__ != "JavaClass":
        raise JvmFunctionsMissingError(
            f"{PACKAGE}.{name} is not on the Spark session's class path: start the session with "
            f"spark.jars={JAR_NAME} (on Glue: --extra-jars; locally xetl_transform.jvm.spark_jar())"
        )
    return found


def classify_record_type(spark: SparkSession) -> StructType:
    ddl = _java_class(spark, "ClassifyRecord").RESULT_DDL
    return StructType.fromJson(json.loads(spark.sparkContext._jvm.org.apache.spark.sql.types.StructType.fromDDL(ddl).json()))


def register_functions(spark: SparkSession) -> None:
    """Registers the jar's functions in `spark`: CLASSIFY_RECORD, QUOTE_STATE_INSIDE, UNPACK_HASHES
    and the aggregate REPEATED_HASHES (cheap; idempotent)."""
    functions: dict[str, tuple[str, DataType]] = {
        CLASSIFY_RECORD: ("ClassifyRecord", classify_record_type(spark)),
        QUOTE_STATE_INSIDE: ("QuoteStateInside", IntegerType()),
        UNPACK_HASHES: ("UnpackHashes", ArrayType(LongType())),
    }
    for name, (java_class, result_type) in functions.items():
        _java_class(spark, java_class)
        spark.udf.registerJavaFunction(name, f"{PACKAGE}.{java_class}", result_type)
    jvm = spark.sparkContext._jvm
    aggregate = _java_class(spark, "RepeatedHashes")()
    spark._jsparkSession.udf().register(
        REPEATED_HASHES, jvm.org.apache.spark.sql.functions.udaf(aggregate, jvm.org.apache.spark.sql.Encoders.LONG()))


def contract_constants(spark: SparkSession) -> dict[str, object]:
    """The contract's names as the Java side spells them, for the test that compares them with
    contract.py."""
    java = _java_class(spark, "ClassifyRecord")
    return {
        "columns": tuple(java.COLUMNS),
        "required_columns": tuple(java.REQUIRED_COLUMNS),
        "max_length": dict(zip(java.LIMITED_COLUMNS, java.MAX_LENGTH, strict=True)),
        "reason_codes": tuple(java.REASON_CODES),
    }
