"""Line numbers (1-based, a header is line 1) for lines read by `reader.read_lines`.

Within one file split the lines arrive in order with consecutive `row_id`s, and the splits of a
file are ordered by `block_start`. So counting the lines of every split is enough: a split's
first line number is one more than the lines of the file's earlier splits. The counts come from
a small aggregate; numbering a row is then one addition, with no shuffle of the rows. The same
aggregate finds the files that hold lines opening a multi-line record (records.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from .records import OPEN


@dataclass(frozen=True)
class LineNumbering:
    # (file_index, block_start, base): line_number = row_id + base for the rows of that split
    bases: list[tuple[int, int, int]]
    header_row_ids: list[int]  # line 1 of every file with a header
    data_lines: int  # every line but the headers
    files_with_openers: list[int]  # files with a line whose quote state is OPEN

    def line_number(self, file_index: int, block_start: int, row_id: int) -> int:
        return row_id + self._base_of[(file_index, block_start)]

    @cached_property
    def _base_of(self) -> dict[tuple[int, int], int]:
        return {(file_index, block_start): base for file_index, block_start, base in self.bases}

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


def number_lines(lines: DataFrame, has_header: Sequence[bool]) -> LineNumbering:
    """`lines` must hold every line of the files (headers included), with their positions and
    `quote_state`; `has_header[i]` says whether line 1 of file i is a header."""
    opens = F.col("quote_state") == OPEN
    splits = (
        lines.groupBy("file_index", "block_start")
        .agg(F.count(F.lit(1)).alias("lines"), F.min("row_id").alias("first_row_id"),
             F.count(F.when(opens, 1)).alias("openers"))
        .collect()
    )
    by_file = defaultdict(list)
    for split in splits:
        by_file[split["file_index"]].append(split)

    bases, headers, total = [], [], 0
    for file_index, file_splits in by_file.items():
        file_splits.sort(key=lambda s: s["block_start"])
        if has_header[file_index]:
            headers.append(file_splits[0]["first_row_id"])
        next_line = 1
        for split in file_splits:
            bases.append((file_index, split["block_start"], next_line - split["first_row_id"]))
            next_line += split["lines"]
        total += next_line - 1
    with_openers = sorted(i for i, file_splits in by_file.items() if any(s["openers"] for s in file_splits))
    return LineNumbering(bases=bases, header_row_ids=headers, data_lines=total - len(headers),
                         files_with_openers=with_openers)
