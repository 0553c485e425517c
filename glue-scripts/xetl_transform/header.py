"""A file's header line and what it says about the file's columns (contract: Source feed).

Pure Python, run on the driver once per file: columns are matched by name (case and surrounding
spaces ignored, a UTF-8 byte order mark stripped), in any order. The outcome is a `FileLayout`:
where each contract column sits in the file's records, how many fields a record has, which
columns are unknown, and the file's rejection reason, if any (every record of a rejected file is
quarantined with it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .contract import (
    DUPLICATE_COLUMN,
    MISSING_COLUMN,
    MISSING_HEADER,
    REQUIRED_COLUMNS,
    SOURCE_COLUMNS,
    UNKNOWN_COLUMN,
    UNKNOWN_COLUMNS_IGNORE,
    UNKNOWN_COLUMNS_POLICIES,
    UNKNOWN_COLUMNS_REJECT,
)

_BOM = "\ufeff"
# One field of a complete record: quoted (quotes doubled inside) or unquoted (not starting with a
# quote, no comma); the contract's grammar, as records.py's Spark expressions read it.
_FIELD = re.compile(r'"((?:[^"]|"")*)"(?=,|\Z)|([^",][^,]*|)(?=,|\Z)', re.DOTALL)


def split_record(text: str) -> list[str] | None:
    """The fields of one complete CSV record (no trailing line break), unquoted; None when a
    quote is not closed properly (a closing quote must be followed by a comma or the end)."""
    fields, at = [], 0
    while True:
        match = _FIELD.match(text, at)
        if match is None:
            return None
        quoted, plain = match.groups()
        fields.append(quoted.replace('""', '"') if quoted is not None else plain)
        at = match.end()
        if at == len(text):
            return fields
        at += 1  # the comma


@dataclass(frozen=True)
class FileLayout:
    has_header: bool  # False: line 1 is data (an empty file, or a file whose header is missing)
    width: int = 0  # fields in every record: the header's
    positions: Mapping[str, int] = field(default_factory=dict)  # contract column -> field index
    unknown_columns: tuple[str, ...] = ()  # as spelled in the header, in header order
    reason: tuple[str, str | None] | None = None  # (reason_code, reason_detail) of a rejected file

    @property
    def rejected(self) -> bool:
        return self.reason is not None


EMPTY_FILE = FileLayout(has_header=False)
NO_HEADER = FileLayout(has_header=False, reason=(MISSING_HEADER, None))


def layout_from_header(line: bytes | None, unknown_columns: str = UNKNOWN_COLUMNS_IGNORE) -> FileLayout:
    """`line` is the file's first line without its LF (a CR before it is dropped here), or None
    for an empty file. A line that is not valid UTF-8, not a complete record, or names none of
    the contract's columns is not a header: the file is rejected, its line 1 counted as data."""
    if unknown_columns not in UNKNOWN_COLUMNS_POLICIES:
        raise ValueError(f"unknown_columns must be one of {UNKNOWN_COLUMNS_POLICIES}, got {unknown_columns!r}")
    if line is None:
        return EMPTY_FILE
    try:
        text = line.removesuffix(b"\r").decode("utf-8").removeprefix(_BOM)
    except UnicodeDecodeError:
        return NO_HEADER
    fields = split_record(text)
    names = [name.strip().lower() for name in fields or ()]
    if not set(names) & set(SOURCE_COLUMNS):
        return NO_HEADER
    positions = {name: names.index(name) for name in SOURCE_COLUMNS if name in names}
    unknown = tuple(spelled.strip() for spelled, name in zip(fields, names, strict=True) if name not in SOURCE_COLUMNS)
    missing = [name for name in REQUIRED_COLUMNS if name not in positions]
    repeated = [name for name in SOURCE_COLUMNS if names.count(name) > 1]
    reason = None
    if missing:
        reason = (MISSING_COLUMN, ",".join(missing))
    elif repeated:
        reason = (DUPLICATE_COLUMN, ",".join(repeated))
    elif unknown and unknown_columns == UNKNOWN_COLUMNS_REJECT:
        reason = (UNKNOWN_COLUMN, ",".join(unknown))
    return FileLayout(has_header=True, width=len(names), positions=positions, unknown_columns=unknown, reason=reason)
