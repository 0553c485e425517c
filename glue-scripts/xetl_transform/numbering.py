"""Line numbers (1-based, a header is line 1) for lines read by `reader.read_lines`.

Within one file split the lines arrive in order with consecutive `row_id`s, and the splits of a
file are ordered by `block_start`. So counting the lines of every split is enough: a split's
first line number is one more than the lines of the file's earlier splits. The counts come from
a small aggregate; numbering a row is then one addition, with no shuffle of the rows. The same
aggregate finds the files that hold lines opening a multi-line record (records.py).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from .records import OPEN


@dataclass(frozen=True)
class Split:
    file_index: int
    block_start: int
    first_row_id: int
    first_line: int
    lines: int


@dataclass(frozen=True)
class LineNumbering:
    splits: list[Split]  # every file's splits, in file and byte order
    header_row_ids: list[int]  # line 1 of every file with a header
    data_lines: int  # every line but the headers
    openers: list[tuple[int, int]]  # (file_index, line_number) of lines whose quote state is OPEN, in order

    @property
    def bases(self) -> list[tuple[int, int, int]]:
        """(file_index, block_start, base): line_number = row_id + base for the rows of that split."""
        return [(s.file_index, s.block_start, s.first_line - s.first_row_id) for s in self.splits]

    def line_number(self, file_index: int, block_start: int, row_id: int) -> int:
        split = self._split_at[(file_index, block_start)]
        return row_id - split.first_row_id + split.first_line

    def position(self, file_index: int, line_number: int) -> tuple[int, int]:
        """(block_start, row_id) of a line: the inverse of `line_number`."""
        splits = self._splits_of[file_index]
        split = splits[bisect_right([s.first_line for s in splits], line_number) - 1]
        return split.block_start, line_number - split.first_line + split.first_row_id

    def last_line(self, file_index: int) -> int:
        split = self._splits_of[file_index][-1]
        return split.first_line + split.lines - 1

    @cached_property
    def _split_at(self) -> dict[tuple[int, int], Split]:
        return {(s.file_index, s.block_start): s for s in self.splits}

    @cached_property
    def _splits_of(self) -> dict[int, list[Split]]:
        by_file = defaultdict(list)
        for split in self.splits:
            by_file[split.file_index].append(split)
        return dict(by_file)

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
             F.collect_list(F.when(opens, F.col("row_id"))).alias("opener_row_ids"))
        .collect()
    )
    by_file = defaultdict(list)
    for split in splits:
        by_file[split["file_index"]].append(split)

    numbered, openers, headers, total = [], [], [], 0
    for file_index in sorted(by_file):
        file_splits = sorted(by_file[file_index], key=lambda s: s["block_start"])
        if has_header[file_index]:
            headers.append(file_splits[0]["first_row_id"])
        next_line = 1
        for split in file_splits:
            numbered.append(Split(file_index, split["block_start"], split["first_row_id"], next_line, split["lines"]))
            openers.extend((file_index, row_id - split["first_row_id"] + next_line)
                           for row_id in sorted(split["opener_row_ids"]))
            next_line += split["lines"]
        total += next_line - 1
    return LineNumbering(splits=numbered, header_row_ids=headers, data_lines=total - len(headers), openers=openers)
