"""RFC 4180 records from lines (contract: Source feed): a quoted field may hold line breaks, so a
record may span several lines.

Every line is first read as if it were a record (validate.py; the grammar is read by
glue-scripts/jvm's CsvRecord, one pass over the bytes). Its *quote state* says how it ends when read
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

Then the lines of every span are replaced by one record (`join_lines`): the lines joined with the
line breaks they had (LF or CRLF), numbered by the first line, placed where the first line was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pyspark.sql import Column
from pyspark.sql import functions as F

from .jvm import QUOTE_STATE_INSIDE

# CsvRecord.java's states (the grammar is read there, one pass over a record's bytes).
CLOSED, OPEN, BROKEN = 0, 1, 2


def state_from_inside(text: Column) -> Column:
    """The quote state at the end of `text` read from inside a quoted field (a Spark SQL function
    of xetl-transform.jar: jvm.register_functions must have run in the session)."""
    return F.call_function(QUOTE_STATE_INSIDE, text.cast("binary"))


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


def join_lines(parts: Sequence[tuple[bytes, bool]]) -> bytes:
    """One record from its lines, in order, each as (bytes, crlf): joined by the line breaks they
    had, LF or CRLF; the break after the last line is not the record's."""
    return b"".join(text + (b"\r\n" if crlf else b"\n") for text, crlf in parts[:-1]) + parts[-1][0]
