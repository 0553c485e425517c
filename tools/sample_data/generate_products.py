"""Deterministic generator of the products feed described in docs/data-contract.md.

Writes one or more CSV files for one partition day and returns what a correct pipeline must make
of them (curated count, quarantine counts by reason, and the reason of every rejected line), so
tests and benchmarks can reconcile exactly. The same arguments always produce the same bytes.

Stdlib only: the Airflow (3.12) and Glue (3.11) environments and the benchmarks all import it.

    python tools/sample_data/generate_products.py --rows 1000 --bad-ratio 0.05 \\
        --date 2026-11-21 --files 2 --seed 7 --out /tmp/products/year=2026/month=11/day=21
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from datetime import date as Day
from pathlib import Path

HEADER = "product_id,product_name,category,price,quantity,updated_at"

# The contract's record-level reason codes in its order; every one of them can be generated. (The
# file-level ones, such as missing_header, concern whole files: tests write such files themselves.)
BAD_KINDS = (
    "unterminated_quote",
    "invalid_encoding",
    "wrong_column_count",
    "control_character",
    "missing_required",
    "invalid_key",
    "invalid_decimal",
    "invalid_integer",
    "invalid_timestamp",
    "value_too_long",
    "duplicate_key",
)

_REQUIRED = ("product_id", "product_name", "price", "quantity", "updated_at")
_ADJECTIVES = ("Classic", "Compact", "Deluxe", "Rustic", "Grand", "Petit", "Große", "Élégant", "Nordic",
               "Ultra", "Vintage", "Smørrebrød-style", "Señorial", "Kawaii 可愛い", "Crème")
_NOUNS = ("Chair", "Table", "Lamp", "Kettle", "Backpack", "Notebook", "Headphones", "Sofa", "Teapot",
          "Bicycle", "Blender", "Vase", "Desk", "Rug", "Fauteuil", "Tisch", "Café press", "Ñandú plush")
_MATERIALS = ("oak", "walnut", "steel", "linen", "bamboo", "porcelain", "glass", "cuir", "lã", "陶器")
_NICKNAMES = ("The Classic", "Big Ben", "Émile", "Mini", "24\"", "Pro")
_CATEGORIES = ("furniture", "kitchen", "garden", "toys", "electronics", "books", "épicerie", "outdoor",
               "home_office", "家居")
_KEY_PREFIXES = ("P", "SKU", "ITEM_EU", "prd")
_NOTES = ("Assembly required.", "Ships in 2 boxes", 'Also "petit"', "Colour may vary, slightly")
_RECENT_VALID = 500  # how far back a duplicate may reach for its key (keeps memory flat at 1M rows)
# A byte that is not UTF-8 (a Latin-1 e-acute): held in the text as a surrogate escape, written as
# the raw byte (see generate_products' write).
_LATIN1_E_ACUTE = b"\xe9".decode("utf-8", "surrogateescape")


@dataclass
class ExpectedOutcome:
    """What a correct run of the Glue job must produce for the generated files."""

    files: list[Path]
    rows_read: int
    rows_curated: int
    quarantined_by_reason: dict[str, int]
    # (file name, 1-based line number counting the header) -> (reason_code, reason_detail)
    quarantined_lines: dict[tuple[str, int], tuple[str, str | None]] = field(repr=False)

    @property
    def rows_quarantined(self) -> int:
        return sum(self.quarantined_by_reason.values())

    def summary(self) -> dict[str, object]:
        return {
            "files": [str(p) for p in self.files],
            "rows_read": self.rows_read,
            "rows_curated": self.rows_curated,
            "rows_quarantined": self.rows_quarantined,
            "quarantined_by_reason": dict(sorted(self.quarantined_by_reason.items())),
        }


@dataclass(frozen=True)
class _Occurrence:
    """A valid row of a key that has duplicates, ordered exactly as the contract's dedup rule."""

    updated_at: datetime
    file_name: str
    line_number: int

    def rank(self) -> tuple[datetime, bytes, int]:
        return (self.updated_at, self.file_name.encode("utf-8"), self.line_number)


def csv_field(value: str, force_quotes: bool = False) -> str:
    """RFC 4180 quoting: quote when needed (or asked), doubling embedded quotes."""
    if force_quotes or any(ch in value for ch in ',"\r\n') or value != value.strip():
        return '"' + value.replace('"', '""') + '"'
    return value


class _FeedWriter:
    def __init__(self, rng: random.Random, day: Day, kinds: Sequence[str], multi_line_ratio: float = 0.0):
        self.rng = rng
        self.multi_line_ratio = multi_line_ratio
        self.day_start = datetime.combine(day, time(), tzinfo=UTC)
        self.kinds = kinds
        self.next_id = 1
        self.recent: deque[tuple[str, _Occurrence]] = deque(maxlen=_RECENT_VALID)
        self.duplicated: dict[str, list[_Occurrence]] = {}
        self.quarantined: dict[tuple[str, int], tuple[str, str | None]] = {}

    # -- valid values -------------------------------------------------------------------------
    def new_key(self) -> str:
        key = f"{self.rng.choice(_KEY_PREFIXES)}-{self.next_id:07d}"
        self.next_id += 1
        return key

    def name(self) -> str:
        r = self.rng
        if r.random() < self.multi_line_ratio:  # a note on a line of its own: LF or CRLF inside the quotes
            return r.choice(_ADJECTIVES) + " " + r.choice(_NOUNS) + r.choice(("\n", "\r\n")) + r.choice(_NOTES)
        shape = r.random()
        if shape < 0.35:
            return f"{r.choice(_ADJECTIVES)} {r.choice(_NOUNS)}, {r.choice(_MATERIALS)}"
        if shape < 0.55:
            return f'{r.choice(_NOUNS)} "{r.choice(_NICKNAMES)}"'
        if shape < 0.56:
            return ("Édition limitée " * 20)[:256]  # exactly at the limit, in characters not bytes
        return f"{r.choice(_ADJECTIVES)} {r.choice(_NOUNS)}"

    def category(self) -> str:
        return "" if self.rng.random() < 0.1 else self.rng.choice(_CATEGORIES)

    def price(self) -> str:
        r = self.rng
        if r.random() < 0.002:
            return "9999999999.99"
        whole = str(r.randint(0, 99_999))
        return whole + r.choice(("", f".{r.randint(0, 9)}", f".{r.randint(0, 99):02d}"))

    def quantity(self) -> str:
        r = self.rng
        return "2147483647" if r.random() < 0.002 else str(r.randint(0, 5_000))

    def instant(self) -> datetime:
        micros = self.rng.choice((0, self.rng.randint(0, 999) * 1000, self.rng.randint(0, 999_999)))
        return self.day_start + timedelta(seconds=self.rng.randint(0, 86_399), microseconds=micros)

    def timestamp_text(self, at: datetime) -> str:
        text = at.strftime("%Y-%m-%dT%H:%M:%S")
        if at.microsecond and at.microsecond % 1000 == 0:
            text += f".{at.microsecond // 1000:03d}"
        elif at.microsecond:
            text += f".{at.microsecond:06d}"
        return text + self.rng.choice(("Z", "+00:00", ""))

    def valid_fields(self, key: str, at: datetime) -> list[str]:
        quote_name = self.rng.random() < 0.2
        return [key, csv_field(self.name(), quote_name), csv_field(self.category()), self.price(),
                self.quantity(), self.timestamp_text(at)]

    # -- rows ---------------------------------------------------------------------------------
    def good_line(self, file_name: str, line_number: int) -> str:
        key, at = self.new_key(), self.instant()
        self.recent.append((key, _Occurrence(at, file_name, line_number)))
        return ",".join(self.valid_fields(key, at))

    def duplicate_line(self, file_name: str, line_number: int) -> str:
        key, earlier = self.rng.choice(self.recent)
        # Older, newer or the same instant (written differently), so both sides of the rule and
        # its (source_file, line_number) tie-break occur.
        shift = self.rng.choice((-1, 1, 0)) * timedelta(seconds=self.rng.randint(1, 3_600))
        at = min(max(earlier.updated_at + shift, self.day_start), self.day_start + timedelta(seconds=86_399))
        occurrence = _Occurrence(at, file_name, line_number)
        self.duplicated.setdefault(key, [earlier]).append(occurrence)
        self.recent.append((key, occurrence))
        return ",".join(self.valid_fields(key, at))

    def bad_line(self, kind: str, file_name: str, line_number: int) -> str:
        r = self.rng
        # Invalid rows often reuse a valid key with the day's latest time: if they took part in
        # de-duplication they would wrongly knock out the valid row.
        reuse = self.recent and r.random() < 0.3
        key = self.recent[-1][0] if reuse else self.new_key()
        fields = self.valid_fields(key, self.day_start + timedelta(seconds=86_399))
        detail: str | None = None
        if kind == "unterminated_quote":
            fields[1] = f'"{r.choice(_ADJECTIVES)} {r.choice(_NOUNS)}'  # opened, never closed
        elif kind == "invalid_encoding":
            fields[1] = csv_field(f"Caf{_LATIN1_E_ACUTE} {r.choice(_NOUNS)}")
        elif kind == "control_character":
            detail = r.choice(("product_name", "category"))
            fields[1 if detail == "product_name" else 2] = r.choice(_NOUNS) + r.choice(("\x00", "\x07", "\x1b"))
        elif kind == "wrong_column_count":
            variant = r.randrange(4)
            if variant == 0:
                fields[1] = f"{r.choice(_NOUNS)}, {r.choice(_MATERIALS)}"  # unquoted comma: 7 fields
            elif variant == 1:
                del fields[2]
            elif variant == 2:
                fields.append("extra")
            else:
                fields = [""]  # a blank line is one empty field, not six
        elif kind == "missing_required":
            detail = r.choice(_REQUIRED)
            fields[("product_id", "product_name", "category", "price", "quantity",
                    "updated_at").index(detail)] = r.choice(("", '""'))
        elif kind == "invalid_key":
            detail = "product_id"
            fields[0] = csv_field(r.choice(("P 0042", "P#0042", "Ü-0042", "P-12/3", "K" * 65, "P-1,2")))
        elif kind == "invalid_decimal":
            detail = "price"
            fields[3] = csv_field(r.choice(("abc", "12.345", "-3.50", "1,50", "12345678901.00", "1e3", "NaN")))
        elif kind == "invalid_integer":
            detail = "quantity"
            fields[4] = r.choice(("3.0", "-1", "2147483648", "ten", "1e3", "99999999999"))
        elif kind == "invalid_timestamp":
            detail = "updated_at"
            day = self.day_start.strftime("%Y-%m-%d")
            fields[5] = r.choice((f"{day} 08:00:00", "21/11/2026 08:00", f"{day[:4]}-13-01T00:00:00Z",
                                  f"{day}T25:00:00Z", f"{day}T08:00:00+02:00", "yesterday",
                                  f"{day}T08:00:00.1234567Z", f"{day}T08:00Z"))
        elif kind == "value_too_long":
            detail = r.choice(("product_name", "category"))
            if detail == "product_name":
                fields[1] = csv_field("é" * r.randint(257, 300))
            else:
                fields[2] = csv_field("c" * r.randint(65, 80))
        else:
            raise ValueError(f"unknown bad-row kind {kind!r}; expected one of {', '.join(BAD_KINDS)}")
        self.quarantined[(file_name, line_number)] = (kind, detail)
        return ",".join(fields)

    def line(self, bad_ratio: float, file_name: str, line_number: int) -> str:
        if self.kinds and self.rng.random() < bad_ratio:
            kind = self.rng.choice(self.kinds)
            if kind != "duplicate_key":
                return self.bad_line(kind, file_name, line_number)
            if self.recent:
                return self.duplicate_line(file_name, line_number)
        return self.good_line(file_name, line_number)

    def duplicate_losers(self) -> Iterable[tuple[str, int]]:
        for occurrences in self.duplicated.values():
            winner = max(occurrences, key=_Occurrence.rank)
            for occ in occurrences:
                if occ is not winner:
                    yield (occ.file_name, occ.line_number)


def file_names(date_text: str, files: int) -> list[str]:
    """Zero-padded so that byte order equals generation order."""
    return [f"products-{date_text}-{i:03d}.csv" for i in range(1, files + 1)]


def generate_products(
    out_dir: str | Path,
    *,
    rows: int,
    date: str,
    files: int = 1,
    bad_ratio: float = 0.0,
    seed: int = 0,
    kinds: Sequence[str] = BAD_KINDS,
    multi_line_ratio: float = 0.0,
) -> ExpectedOutcome:
    """Write `rows` records (plus one header per file) spread over `files` CSV files.

    Each record is bad with probability `bad_ratio`, of a kind drawn from `kinds`; a valid
    record's name holds a line break with probability `multi_line_ratio` (the record then spans
    two lines, and the lines after it are numbered accordingly).
    """
    if rows < 0 or files < 1 or not 0.0 <= bad_ratio <= 1.0 or not 0.0 <= multi_line_ratio <= 1.0:
        raise ValueError("need rows >= 0, files >= 1, 0 <= bad_ratio <= 1 and 0 <= multi_line_ratio <= 1")
    unknown = sorted(set(kinds) - set(BAD_KINDS))
    if unknown:
        raise ValueError(f"unknown bad-row kinds {unknown}; expected some of {', '.join(BAD_KINDS)}")
    day = _parse_day(date)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    writer = _FeedWriter(random.Random(seed), day, tuple(kinds), multi_line_ratio)
    paths = []
    for index, name in enumerate(file_names(day.isoformat(), files)):
        count = rows // files + (1 if index < rows % files else 0)
        records, line_number = [HEADER], 2
        for _ in range(count):
            records.append(writer.line(bad_ratio, name, line_number))
            line_number += records[-1].count("\n") + 1
        path = out / name
        path.write_text("\n".join(records) + "\n", encoding="utf-8", errors="surrogateescape", newline="")
        paths.append(path)

    quarantined = dict(writer.quarantined)
    for loser in writer.duplicate_losers():
        quarantined[loser] = ("duplicate_key", "product_id")
    by_reason = Counter(reason for reason, _ in quarantined.values())
    return ExpectedOutcome(
        files=paths,
        rows_read=rows,
        rows_curated=rows - len(quarantined),
        quarantined_by_reason=dict(by_reason),
        quarantined_lines=quarantined,
    )


def _parse_day(text: str) -> Day:
    try:
        return Day.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--date must be YYYY-MM-DD, got {text!r}") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True, help="records in total (headers excluded)")
    parser.add_argument("--bad-ratio", type=float, default=0.0, help="share of bad records, 0..1")
    parser.add_argument("--multi-line-ratio", type=float, default=0.0,
                        help="share of valid records whose name holds a line break, 0..1")
    parser.add_argument("--date", required=True, help="partition day, YYYY-MM-DD")
    parser.add_argument("--files", type=int, default=1, help="number of CSV files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kinds", default=",".join(BAD_KINDS),
                        help="comma-separated bad-row kinds to draw from (default: all)")
    parser.add_argument("--out", required=True, help="directory to write the CSV files into")
    args = parser.parse_args(argv)
    try:
        expected = generate_products(
            args.out, rows=args.rows, date=args.date, files=args.files, bad_ratio=args.bad_ratio,
            seed=args.seed, kinds=[k for k in args.kinds.split(",") if k], multi_line_ratio=args.multi_line_ratio,
        )
    except ValueError as err:
        parser.error(str(err))
    json.dump(expected.summary(), sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
