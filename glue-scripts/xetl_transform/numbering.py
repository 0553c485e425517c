"""Line numbers (1-based, the header is line 1) for lines read by `reader.read_lines`.

Within one file split the lines arrive in order with consecutive `row_id`s, and the splits of a
file are ordered by `block_start`. So counting the lines of every split is enough: a split's
first line number is one more than the lines of the file's earlier splits. The counts come from
a small aggregate; numbering a row is then one addition, with no shuffle of the rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


@dataclass(frozen=True)
class LineNumbering:
    # (file_index, block_start, base): line_number = row_id + base for the rows of that split
    bases: list[tuple[int, int, int]]
    header_row_ids: list[int]  # line 1 of every non-empty file
    rows_read: int  # data lines: every line but the headers

    def without_headers(self, rows: DataFrame) -> DataFrame:
        return rows.where(~F.col("row_id").isin(self.header_row_ids)) if self.header_row_ids else rows

    def with_line_numbers(self, rows: DataFrame) -> DataFrame:
        """Adds `line_number` to rows that carry `file_index`, `block_start` and `row_id`."""
        bases = rows.sparkSession.createDataFrame(
            self.bases, "file_index int, block_start long, _line_base long"
        )
        return rows.join(F.broadcast(bases), ["file_index", "block_start"]).select(
            *rows.columns, (F.col("row_id") + F.col("_line_base")).alias("line_number")
        )


def number_lines(lines: DataFrame) -> LineNumbering:
    """`lines` must hold every line of the files (headers included), with their positions."""
    splits = (
        lines.groupBy("file_index", "block_start")
        .agg(F.count(F.lit(1)).alias("lines"), F.min("row_id").alias("first_row_id"))
        .collect()
    )
    by_file = defaultdict(list)
    for split in splits:
        by_file[split["file_index"]].append(split)

    bases, headers, total = [], [], 0
    for file_index, file_splits in by_file.items():
        file_splits.sort(key=lambda s: s["block_start"])
        headers.append(file_splits[0]["first_row_id"])
        next_line = 1
        for split in file_splits:
            bases.append((file_index, split["block_start"], next_line - split["first_row_id"]))
            next_line += split["lines"]
        total += next_line - 1
    return LineNumbering(bases=bases, header_row_ids=headers, rows_read=total - len(headers))
