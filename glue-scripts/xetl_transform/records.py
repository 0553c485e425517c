"""RFC 4180 records from lines (contract: Source feed): a quoted field may hold line breaks, so a
record may span several lines.

Every line is first read as if it were a record. Its *quote state* says how it ends when read
from a record's start: `CLOSED` (a complete record), `OPEN` (inside a quoted field: the record
goes on in the next line) or `BROKEN` (a closing quote followed by something other than a comma
or the end). Most feeds have no `OPEN` line, and then every line is a record: nothing more to do.

Otherwise the *openers* are followed on the driver (`find_spans`): from an opener, the record
goes on, inside its quoted field, line after line; read from inside a quoted field, a line either
closes the record (`CLOSED`: the span ends there), keeps it open (`OPEN`, always so for a line
without a quote: go on) or breaks it (`BROKEN`). A record that breaks, or reaches the end of its
file still open, is an unterminated quote: its first line alone is quarantined as
`unterminated_quote` and reading resumes at the next line, which is read as a record of its own.
So a stray quote costs one line, and the quarantine names exactly that line.

`merge_spans` then replaces the lines of every span by one record: the lines joined with the
line breaks they had (LF or CRLF), numbered by the first line, placed where the first line was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
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


Line = tuple[int, int]  # (file_index, line_number)


@dataclass(frozen=True)
class _Unknown:
    line: Line


def find_spans(
    openers: Sequence[Line], last_line: Mapping[int, int], states: Callable[[Sequence[Line]], Mapping[Line, int]]
) -> list[tuple[Line, Line]]:
    """The multi-line records as (first line, last line). `openers` are the lines whose state
    from a record's start is OPEN, in order; `last_line` the last line of each file; `states`
    fetches the state of lines read from inside a quoted field (one Spark job a call): it is
    asked for the lines after each opener, 8 at first, 64 more for a record still open then, and
    so on, so that the usual two-line record costs one job and a quote left open to the end of
    a long file a few."""
    known: dict[Line, int] = {}
    closes: dict[Line, Line | None] = {}  # for a field open at the end of a line: where it closes

    def follow(line: Line) -> Line | None | _Unknown:
        """The line where a field open at the end of `line` closes (None: it never does), or the
        first line on the way whose state is not known yet."""
        path = []
        while line not in closes:
            path.append(line)
            following = (line[0], line[1] + 1)
            if following[1] > last_line[line[0]]:
                end = None
            elif following not in known:
                return _Unknown(following)
            elif known[following] == OPEN:
                line = following
                continue
            else:
                end = following if known[following] == CLOSED else None
            closes[line] = end
            break
        for step in path:
            closes[step] = closes[line]
        return closes[line]

    window = 8
    while True:
        wanted = set()
        for opener in openers:
            outcome = follow(opener)
            if isinstance(outcome, _Unknown):
                file_index, first = outcome.line
                wanted.update((file_index, n) for n in range(first, min(first + window, last_line[file_index] + 1)))
        if not wanted:
            break
        known.update(states(sorted(wanted)))
        window *= 8

    spans, covered_to = [], None
    for opener in openers:
        if covered_to is not None and opener[0] == covered_to[0] and opener[1] <= covered_to[1]:
            continue  # inside a record found already
        last = closes[opener]
        if last is not None:
            spans.append((opener, last))
            covered_to = last
    return spans


def merge_spans(lines: DataFrame, span_lines: DataFrame) -> tuple[DataFrame, DataFrame]:
    """`span_lines` hold one row per line of a multi-line record: its position (`file_index`,
    `block_start`, `row_id`), `line_number`, and its record's first position (`record_block_start`,
    `record_row_id`). Returns the lines outside every span, and one row per record with the first
    line's position and the lines' text joined by the breaks they had (LF, or CRLF)."""
    position = ["file_index", "block_start", "row_id"]
    outside = lines.join(F.broadcast(span_lines.select(*position)), position, "left_anti")
    parts = F.col("_parts")
    last = F.size(parts) - 1

    def line_with_break(part: Column, index: Column) -> Column:
        # The break after every line but the last belongs to the record: LF, or CRLF if it had one.
        return F.when((index < last) & part["crlf"], F.concat(part["raw_line"], F.lit("\r"))).otherwise(part["raw_line"])

    merged = (
        lines.join(F.broadcast(span_lines), position)
        .groupBy("file_index", "record_block_start", "record_row_id")
        .agg(F.sort_array(F.collect_list(F.struct("line_number", "raw_line", "crlf"))).alias("_parts"))
        .select(
            "file_index",
            F.col("record_block_start").alias("block_start"),
            F.col("record_row_id").alias("row_id"),
            F.array_join(F.transform(parts, line_with_break), "\n").alias("raw_line"),
            F.lit(False).alias("crlf"),
        )
    )
    return outside, merged
