"""docs/data-contract.md written out as plain, sequential Python: what a correct run makes of a
partition's bytes. The property tests compare the Spark job with it. It shares no code with
xetl_transform (a character-by-character reader where the job uses regular expressions and
Spark), so a misreading of the contract has to be made twice to go unnoticed."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

COLUMNS = ("product_id", "product_name", "category", "price", "quantity", "updated_at")
REQUIRED = ("product_id", "product_name", "price", "quantity", "updated_at")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]|\r(?!\n)")
KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
PRICE = re.compile(r"[0-9]+(\.[0-9]{1,2})?")
QUANTITY = re.compile(r"[0-9]+")
TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|\+00:00)?")
LIMITS = {"product_name": 256, "category": 64}


@dataclass(frozen=True)
class Record:
    line_number: int
    text: bytes  # without the record's own line break
    complete: bool  # False: an unterminated quote (one line)


def _end_of_record(lines: list[bytes], first: int) -> int | None:
    """Index of the record's last line when a record starts at `first`, None when a quote is
    not closed properly (a closing quote not followed by a comma or the end, or the file's end)."""
    in_quotes = after_close = False
    at_field_start = True
    for index in range(first, len(lines)):
        line, at = lines[index], 0
        while at < len(line):
            char = line[at:at + 1]
            if in_quotes:
                if char == b'"' and line[at + 1:at + 2] == b'"':
                    at += 2
                    continue
                if char == b'"':
                    in_quotes, after_close = False, True
            elif after_close:
                if char == b",":
                    after_close, at_field_start = False, True
                elif not (char == b"\r" and at == len(line) - 1):  # a CR before the LF ends the line
                    return None
            elif at_field_start and char == b'"':
                in_quotes, at_field_start = True, False
            else:
                at_field_start = char == b","
            at += 1
        if not in_quotes:
            return index
    return None


def records(data: bytes) -> list[Record]:
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()  # the final line break ends the last line, it does not start one
    found, index = [], 0
    while index < len(lines):
        last = _end_of_record(lines, index)
        if last is None:
            found.append(Record(index + 1, lines[index].removesuffix(b"\r"), False))
            index += 1
        else:
            found.append(Record(index + 1, b"\n".join([*lines[index:last], lines[last].removesuffix(b"\r")]), True))
            index = last + 1
    return found


def fields(text: str) -> list[str]:
    """The fields of a complete record."""
    values, current, at, quoted = [], [], 0, False
    while at < len(text):
        char = text[at]
        if quoted:
            if char == '"' and text[at + 1:at + 2] == '"':
                current.append('"')
                at += 1
            elif char == '"':
                quoted = False
            else:
                current.append(char)
        elif char == '"' and not current and (at == 0 or text[at - 1] == ","):
            quoted = True
        elif char == ",":
            values.append("".join(current))
            current = []
        else:
            current.append(char)
        at += 1
    values.append("".join(current))
    return values


@dataclass(frozen=True)
class Layout:
    has_header: bool
    width: int = 0
    positions: dict | None = None
    reason: tuple | None = None
    unknown: tuple = ()


def layout(first: bytes | None, unknown_columns: str = "ignore") -> Layout:
    if first is None:
        return Layout(False)
    no_header = Layout(False, reason=("missing_header", None))
    try:
        text = first.removesuffix(b"\r").decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return no_header
    if _end_of_record([text.encode("utf-8")], 0) != 0:
        return no_header
    spelled = fields(text)
    names = [name.strip().lower() for name in spelled]
    if not set(names) & set(COLUMNS):
        return no_header
    positions = {name: names.index(name) for name in COLUMNS if name in names}
    unknown = tuple(s.strip() for s, n in zip(spelled, names, strict=True) if n not in COLUMNS)
    missing = [name for name in REQUIRED if name not in positions]
    repeated = [name for name in COLUMNS if names.count(name) > 1]
    reason = (("missing_column", ",".join(missing)) if missing
              else ("duplicate_column", ",".join(repeated)) if repeated
              else ("unknown_column", ",".join(unknown)) if unknown and unknown_columns == "reject" else None)
    return Layout(True, len(names), positions, reason, unknown)


def _timestamp(text: str) -> datetime | None:
    if not TIMESTAMP.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text.removesuffix("Z").removesuffix("+00:00")).replace(tzinfo=UTC)
    except ValueError:
        return None


def judge(record: Record, file_layout: Layout) -> tuple[tuple[str, str | None] | None, dict | None]:
    """(reason, None) for a rejected record, (None, values) for a valid one."""
    if file_layout.reason:
        return file_layout.reason, None
    if not record.complete:
        return ("unterminated_quote", None), None
    try:
        text = record.text.decode("utf-8")
    except UnicodeDecodeError:
        return ("invalid_encoding", None), None
    values = fields(text)
    if len(values) != file_layout.width:
        return ("wrong_column_count", None), None
    row = {name: values[file_layout.positions[name]] if name in file_layout.positions else None for name in COLUMNS}
    for name in COLUMNS:
        if row[name] is not None and CONTROL.search(row[name]):
            return ("control_character", name), None
    for name in REQUIRED:
        if not row[name]:
            return ("missing_required", name), None
    if not KEY.fullmatch(row["product_id"]):
        return ("invalid_key", "product_id"), None
    if not PRICE.fullmatch(row["price"]) or Decimal(row["price"]) >= Decimal("1e10"):
        return ("invalid_decimal", "price"), None
    if not QUANTITY.fullmatch(row["quantity"]) or int(row["quantity"]) > 2**31 - 1:
        return ("invalid_integer", "quantity"), None
    updated_at = _timestamp(row["updated_at"])
    if updated_at is None:
        return ("invalid_timestamp", "updated_at"), None
    for name, limit in LIMITS.items():
        if row[name] is not None and len(row[name]) > limit:
            return ("value_too_long", name), None
    return None, {
        "product_id": row["product_id"], "product_name": row["product_name"], "category": row["category"] or None,
        "price": Decimal(row["price"]).quantize(Decimal("0.01")), "quantity": int(row["quantity"]),
        "updated_at": updated_at,
    }


@dataclass
class Outcome:
    rows_read: int
    curated: dict  # (file name, line number) -> values
    quarantined: dict  # (file name, line number) -> (reason_code, reason_detail, text bytes)

    @property
    def by_reason(self) -> Counter:
        return Counter(reason for reason, _, _ in self.quarantined.values())


def expected_outcome(files: dict[str, bytes], unknown_columns: str = "ignore") -> Outcome:
    """`files`: name -> bytes of the partition's *.csv files."""
    curated, quarantined, rows_read = {}, {}, 0
    for name in sorted(files, key=lambda n: n.encode("utf-8")):
        data = files[name]
        file_layout = layout(data.split(b"\n", 1)[0] if data else None, unknown_columns)
        found = records(data)
        if file_layout.has_header:
            found = [r for r in found if r.line_number > 1]
            assert found[:1] == [] or found[0].line_number == 2
        for record in found:
            rows_read += 1
            reason, values = judge(record, file_layout)
            if reason:
                quarantined[(name, record.line_number)] = (*reason, record.text)
            else:
                curated[(name, record.line_number)] = values
    by_key: dict[str, list] = {}
    for place, values in curated.items():
        by_key.setdefault(values["product_id"], []).append(place)
    for places in by_key.values():
        winner = max(places, key=lambda p: (curated[p]["updated_at"], p[0].encode("utf-8"), p[1]))
        for place in places:
            if place != winner:
                quarantined[place] = ("duplicate_key", "product_id", _text_of(files[place[0]], place[1]))
                del curated[place]
    return Outcome(rows_read, curated, quarantined)


def _text_of(data: bytes, line_number: int) -> bytes:
    return next(r.text for r in records(data) if r.line_number == line_number)
