"""The contract's de-duplication rule: among the valid rows of one partition that share a
`product_id`, the greatest `updated_at` wins, ties going to the greatest (source_file,
line_number); every other valid row of that key becomes a `duplicate_key` rejection.

Most keys occur once, and a row alone with its key always wins. So only the rows of keys that
occur more than once are ranked; the partition's full rows never go through a shuffle, which was
the costliest step of the job. The keys that occur more than once are found by counting 64-bit
hashes of the keys in tables of primitive longs (RepeatedHashes.java, an aggregate over slices of
the hash space): only the tables move between tasks, not a row per key. A hash collision can only
add a key to the ranked ones, where the real key decides: the outcome never depends on the hash.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from .contract import DUPLICATE_KEY
from .jvm import REPEATED_HASHES, UNPACK_HASHES, register_functions

# Above this many keys (or losing rows) the small side is not broadcast but joined by shuffle:
# a pathological feed then costs time, never the driver's memory.
BROADCAST_LIMIT = 1_000_000


def _materialised(frame: DataFrame, broadcast_limit: int) -> DataFrame:
    kept = frame.localCheckpoint(eager=True)
    return F.broadcast(kept) if kept.count() <= broadcast_limit else kept


def latest_first() -> Window:
    # (file_index, block_start, row_id) orders lines as (source_file, line_number) does: file
    # indexes follow the files' byte order, splits their offsets, row ids the lines within a
    # split (reader.read_lines). Line numbers themselves are only known later (numbering.py).
    return Window.partitionBy("product_id").orderBy(
        F.col("updated_at_value").desc(),
        F.col("file_index").desc(),
        F.col("block_start").desc(),
        F.col("row_id").desc(),
    )


def mark_duplicates(classified: DataFrame, *, broadcast_limit: int = BROADCAST_LIMIT) -> DataFrame:
    """`classified` is `validate.classify`'s output, best already materialised (this runs two
    small jobs over it). Same rows and columns back, the losers' reason set to `duplicate_key`;
    invalid rows neither win nor lose."""
    register_functions(classified.sparkSession)
    valid = classified.where(F.col("reason_code").isNull()).withColumn("_key_hash", F.xxhash64("product_id"))
    slices = F.pmod(F.col("_key_hash"), F.lit(max(1, classified.rdd.getNumPartitions())))
    repeated = valid.groupBy(slices).agg(F.call_function(REPEATED_HASHES, F.col("_key_hash")).alias("_packed"))
    repeated_hashes = _materialised(
        repeated.select(F.explode(F.call_function(UNPACK_HASHES, F.col("_packed"))).alias("_key_hash")), broadcast_limit
    )
    contested = valid.join(repeated_hashes, "_key_hash", "left_semi")
    losers = _materialised(
        contested.withColumn("_rank", F.row_number().over(latest_first()))
        .where(F.col("_rank") > 1)
        .select("row_id", F.lit(True).alias("_loses")),
        broadcast_limit,
    )
    loses = F.col("_loses").isNotNull()
    return classified.join(losers, "row_id", "left").select(
        *(c for c in classified.columns if c not in ("reason_code", "reason_detail")),
        F.when(loses, F.lit(DUPLICATE_KEY)).otherwise(F.col("reason_code")).alias("reason_code"),
        F.when(loses, F.lit("product_id")).otherwise(F.col("reason_detail")).alias("reason_detail"),
    )
