"""One local Spark session for the whole suite (starting Spark costs seconds), shaped like a small
Glue worker: two cores, few shuffle partitions, no UI, UTC, the transform's jar."""

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "glue-scripts"), str(REPO / "tools" / "sample_data")]


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession
    from xetl_transform.jvm import spark_jar

    session = (
        SparkSession.builder.master("local[2]")
        .appName("xetl-glue-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.jars", spark_jar())  # the jar the stack ships: dist/glue-scripts/xetl-transform.jar
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
