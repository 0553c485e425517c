"""Lexical helpers for SQL text: cut a script into statements and tell code from literals and comments.

Stdlib only, on purpose: the Airflow environment imports `render` and `migrations` (which use this
module) at DAG run time, and neither should need sqlglot there. The scanner knows exactly the
lexical forms the xetl SQL uses, in both Redshift and PostgreSQL:

- `'...'` string literals, with `''` as the escaped quote (no backslash escapes: xetl SQL never
  relies on them, and the renderer never emits a backslash);
- `"..."` quoted identifiers, with `""` as the escaped quote;
- `-- ...` line comments and `/* ... */` block comments (not nested: Redshift does not nest them);
- `$$ ... $$` / `$tag$ ... $tag$` dollar-quoted bodies (stored procedures).

`tests/test_sqltext.py` checks that `split_statements` cuts every migration and query exactly where
sqlglot's Redshift tokenizer finds the statement-ending semicolons.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

SegmentKind = Literal["code", "string", "identifier", "line_comment", "block_comment", "dollar"]

_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$")


class SqlLexError(ValueError):
    """The text is not lexically well formed (an unterminated literal, identifier or comment)."""


@dataclass(frozen=True)
class Segment:
    """A run of SQL text of one lexical kind; `start`/`end` index the original text."""

    kind: SegmentKind
    start: int
    end: int


def _line_col(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {col}"


def _end_of_quoted(text: str, start: int, quote: str, what: str) -> int:
    """Index just past the closing `quote` of a literal opened at `start` (doubled quotes escape)."""
    pos = start + 1
    while True:
        close = text.find(quote, pos)
        if close == -1:
            raise SqlLexError(f"unterminated {what} starting at {_line_col(text, start)}")
        if text.startswith(quote, close + 1):
            pos = close + 2
            continue
        return close + 1


def segments(text: str) -> Iterator[Segment]:
    """Yield the lexical segments of `text` in order; together they cover the whole text."""
    pos = 0
    code_start = 0
    length = len(text)
    while pos < length:
        char = text[pos]
        kind: SegmentKind | None = None
        end = pos
        if char == "'":
            kind, end = "string", _end_of_quoted(text, pos, "'", "string literal")
        elif char == '"':
            kind, end = "identifier", _end_of_quoted(text, pos, '"', "quoted identifier")
        elif text.startswith("--", pos):
            newline = text.find("\n", pos)
            kind, end = "line_comment", (length if newline == -1 else newline)
        elif text.startswith("/*", pos):
            close = text.find("*/", pos + 2)
            if close == -1:
                raise SqlLexError(f"unterminated block comment starting at {_line_col(text, pos)}")
            kind, end = "block_comment", close + 2
        elif char == "$" and (pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] == "_")):
            # `$` inside an identifier (a$b) or a positional parameter ($1) is not a dollar quote.
            match = _DOLLAR_TAG.match(text, pos)
            if match:
                tag = match.group(0)
                close = text.find(tag, match.end())
                if close == -1:
                    raise SqlLexError(f"unterminated {tag} body starting at {_line_col(text, pos)}")
                kind, end = "dollar", close + len(tag)
        if kind is None:
            pos += 1
            continue
        if code_start < pos:
            yield Segment("code", code_start, pos)
        yield Segment(kind, pos, end)
        pos = code_start = end
    if code_start < length:
        yield Segment("code", code_start, length)


def strip_comments(text: str) -> str:
    """`text` without its comments (literals and bodies untouched); used to spot empty statements."""
    return "".join(
        text[seg.start : seg.end] for seg in segments(text) if seg.kind not in ("line_comment", "block_comment")
    )


def split_statements(text: str) -> list[str]:
    """Cut a script at its top-level semicolons.

    Each statement keeps its own leading comments (they document it in logs and in the Data API
    console) and loses its terminating semicolon; statements that hold nothing but comments and
    whitespace are dropped.
    """
    statements: list[str] = []
    start = 0

    def close(end: int) -> None:
        piece = text[start:end].strip()
        if strip_comments(piece).strip():
            statements.append(piece)

    for seg in segments(text):
        if seg.kind != "code":
            continue
        semicolon = text.find(";", seg.start, seg.end)
        while semicolon != -1:
            close(semicolon)
            start = semicolon + 1
            semicolon = text.find(";", start, seg.end)
    close(len(text))
    return statements
