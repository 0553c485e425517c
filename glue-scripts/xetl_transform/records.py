"""RFC 4180 records from lines (contract: Source feed): a quoted field may hold line breaks, so a
record may span several lines.

Every line is first read as if it were a record. Its *quote state* says how it ends when read
from a record's start: `CLOSED` (a complete record), `OPEN` (inside a quoted field: the record
goes on in the next line) or `BROKEN` (a closing quote followed by something other than a comma
or the end). Most feeds have no `OPEN` line, and then every line is a record: nothing more to do.

Otherwise the *openers* are followed on the driver (`find_spans`): from an opener, the record
goes on, inside its quoted field, to the next line that holds a quote; read from inside a quoted
field, that line either closes the record (`CLOSED`: the span ends there), keeps it open (`OPEN`:
go on) or breaks it (`BROKEN`). A record that breaks, or reaches the end of its file still open,
is an unterminated quote: its first line alone is quarantined as `unterminated_quote` and
reading resumes at the next line, which is read as a record of its own. So a stray quote costs
one line, and the quarantine names exactly that line.

`merge_spans` then replaces the lines of every span by one record: the lines joined with the
line breaks they had (LF or CRLF), numbered by the first line, placed where the first line was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

CLOSED, OPEN, BROKEN = 0, 1, 2

# The grammar in Java regular expressions: a quoted field, an unquoted one (not starting with a
# quote; a quote inside it is a character), or an empty one. Possessive, so never backtracking,
# and "unrolled" (runs of [^"] between doubled quotes): an alternation per character costs
# several times more in Java's engine.
_QUOTED_TEXT = r'[^"]*+(?:""[^"]*+)*+'  # the inside of a quoted field: doubled quotes only
_QUOTED = rf'"{_QUOTED_TEXT}"'
_FIELD = rf'(?:{_QUOTED}|[^",][^,]*+|(?=,|\z))'
_OPEN_TAIL = rf'"{_QUOTED_TEXT}\z'  # a quoted field still open at the end of the line
_INSIDE = rf"^{_QUOTED_TEXT}"  # the rest of a quoted field, read from inside it
OPEN_FROM_START = rf"^(?:{_FIELD},)*+{_OPEN_TAIL}"
CLOSED_FROM_INSIDE = rf'{_INSIDE}"(?:,{_FIELD})*+\z'
OPEN_FROM_INSIDE = rf'{_INSIDE}\z|{_INSIDE}"(?:,{_FIELD})*+,{_OPEN_TAIL}'
# One field and its comma, each match starting where the last one ended (\G), quoted fields with
# their quotes; an empty field only at the start or after a comma. On a CLOSED record the matches
# cover it exactly; elsewhere they stop at the first field that does not fit.
_FIELD_AND_COMMA = rf'\G({_QUOTED}|[^",][^,]*+|(?<=^|,))(?:,|\z)'


def has_quote(text: Column) -> Column:
    return text.contains('"')


def record_fields(text: Column) -> Column:
    """The fields of `text` read as a record, as an array, quoted ones still quoted. A line
    without a quote is split on commas (cheap); one with a quote goes through the grammar."""
    return F.when(has_quote(text), F.regexp_extract_all(text, F.lit(_FIELD_AND_COMMA), 1)).otherwise(
        F.split(text, ",")
    )


def state_from_start(text: Column, fields: Column) -> Column:
    """The quote state of `text` read from a record's start, given its `record_fields`: CLOSED
    when the fields put back together are the text (always so without a quote, and so for
    almost every line); only the others run one more regular expression. Regular expressions
    read the text decoded, bytes that are not UTF-8 replaced (quotes and commas are never among
    them), hence the second comparison."""
    rejoined = F.array_join(fields, ",")
    return (
        F.when(~has_quote(text) | (rejoined == text), F.lit(CLOSED))
        .when(rejoined == F.decode(text.cast("binary"), "UTF-8"), F.lit(CLOSED))
        .when(text.rlike(OPEN_FROM_START), F.lit(OPEN))
        .otherwise(F.lit(BROKEN))
    )


def state_from_inside(text: Column) -> Column:
    """The quote state at the end of `text` read from inside a quoted field."""
    return (
        F.when(~has_quote(text), F.lit(OPEN))
        .when(text.rlike(CLOSED_FROM_INSIDE), F.lit(CLOSED))
        .when(text.rlike(OPEN_FROM_INSIDE), F.lit(OPEN))
        .otherwise(F.lit(BROKEN))
    )


Position = tuple[int, int]  # (block_start, row_id): orders the lines of one file


@dataclass(frozen=True)
class NextQuoteLine:
    """For an opener or a line that keeps a quoted field open: the file's next line holding a
    quote, and its state read from inside a quoted field; None at the end of the file."""

    position: Position
    next_position: Position | None
    next_state_from_inside: int | None


def find_spans(openers: Sequence[Position], links: Iterable[NextQuoteLine]) -> list[tuple[Position, Position]]:
    """The multi-line records of one file as (first line, last line). `openers` are the lines
    whose state from a record's start is OPEN, in order; `links` hold every opener and every
    line whose state from inside is OPEN. Linear: each line's outcome is worked out once."""
    link_of = {link.position: link for link in links}
    end_of: dict[Position, Position | None] = {}  # where a record open at this line closes

    def closing_line(position: Position) -> Position | None:
        path = []
        while position not in end_of:
            path.append(position)
            link = link_of[position]
            if link.next_position is None or link.next_state_from_inside == BROKEN:
                end = None
            elif link.next_state_from_inside == CLOSED:
                end = link.next_position
            else:  # still open at that line: go on from it
                position = link.next_position
                continue
            end_of[position] = end
            break
        for step in path:
            end_of[step] = end_of[position]
        return end_of[position]

    spans, covered_to = [], None
    for opener in openers:
        if covered_to is not None and opener <= covered_to:
            continue  # inside a record found already
        last = closing_line(opener)
        if last is not None:
            spans.append((opener, last))
            covered_to = last
    return spans


def quote_links(lines: DataFrame, file_indexes: Sequence[int]) -> dict[int, tuple[list[Position], list[NextQuoteLine]]]:
    """Per file of `file_indexes`: its openers and links (see `find_spans`), from `lines`, which
    carry `file_index`, `block_start`, `row_id`, `raw_line` and `quote_state`. Only lines with a
    quote move (a window over them); only openers and lines that stay open reach the driver."""
    quoted = lines.where(F.col("file_index").isin(list(file_indexes)) & has_quote(F.col("raw_line"))).select(
        "file_index", "block_start", "row_id", "quote_state",
        state_from_inside(F.col("raw_line")).alias("inside_state"),
    )
    following = Window.partitionBy("file_index").orderBy("block_start", "row_id")
    linked = quoted.select(
        "*",
        F.lead("block_start").over(following).alias("next_block_start"),
        F.lead("row_id").over(following).alias("next_row_id"),
        F.lead("inside_state").over(following).alias("next_inside_state"),
    ).where((F.col("quote_state") == OPEN) | (F.col("inside_state") == OPEN))

    by_file: dict[int, tuple[list[Position], list[NextQuoteLine]]] = defaultdict(lambda: ([], []))
    for row in linked.collect():
        openers, links = by_file[row["file_index"]]
        position = (row["block_start"], row["row_id"])
        if row["quote_state"] == OPEN:
            openers.append(position)
        following_position = None if row["next_row_id"] is None else (row["next_block_start"], row["next_row_id"])
        links.append(NextQuoteLine(position, following_position, row["next_inside_state"]))
    for openers, _ in by_file.values():
        openers.sort()
    return dict(by_file)


def merge_spans(lines: DataFrame, spans: DataFrame) -> tuple[DataFrame, DataFrame]:
    """`lines` carry `line_number` (numbering.py); `spans` are (`file_index`, `first_line`,
    `last_line`). Returns the lines outside every span, and one record per span with the
    first line's position and the lines' text joined by the breaks they had."""
    span_lines = F.broadcast(
        spans.select("file_index", "first_line", F.explode(F.sequence("first_line", "last_line")).alias("line_number"))
    )
    outside = lines.join(span_lines, ["file_index", "line_number"], "left_anti")
    parts = F.col("_parts")
    last = F.size(parts) - 1

    def line_with_break(part: Column, index: Column) -> Column:
        # The break after every line but the last belongs to the record: LF, or CRLF if it had one.
        text = F.when((index < last) & part["crlf"], F.concat(part["raw_line"], F.lit("\r"))).otherwise(part["raw_line"])
        return text

    merged = (
        lines.join(span_lines, ["file_index", "line_number"])
        .groupBy("file_index", "first_line")
        .agg(F.sort_array(F.collect_list(F.struct("line_number", "block_start", "row_id", "raw_line", "crlf")))
             .alias("_parts"))
        .select(
            "file_index",
            parts[0]["block_start"].alias("block_start"),
            parts[0]["row_id"].alias("row_id"),
            F.array_join(F.transform(parts, line_with_break), "\n").alias("raw_line"),
            F.lit(False).alias("crlf"),
        )
    )
    return outside, merged
