"""Read record files (CSV, JSON Lines, Parquet) as rows, each with the line it came from."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sincerity.core.errors import Problem, RecordError

FORMATS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
}


@dataclass(frozen=True, slots=True)
class Row:
    """One input row: where it came from, and its fields (empty cells left out)."""

    line: int
    data: dict[str, Any]


def detect_format(path: Path) -> str:
    """The file's format from its extension."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise RecordError(
            f"{path}: unknown file type {path.suffix!r}",
            [Problem("use .csv, .jsonl (JSON Lines) or .parquet", str(path))],
        )
    return fmt


def count_rows(path: Path) -> int:
    """How many rows the file holds (for a progress bar); cheap for every format."""
    fmt = detect_format(path)
    if fmt == "parquet":
        return int(_open_parquet(path).metadata.num_rows)
    with path.open("rb") as handle:
        lines = sum(1 for line in handle if line.strip())
    return max(0, lines - 1) if fmt == "csv" else lines


CSV_DELIMITERS = ",;\t"


def _delimiter(header: str) -> str:
    """The header's separator: a comma, or the semicolon (or tab) that spreadsheets in many
    locales write instead."""
    return max(CSV_DELIMITERS, key=lambda d: (header.count(d), d == ","))


def _csv_rows(path: Path) -> Iterator[Row | Problem]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header = handle.readline()
        handle.seek(0)
        if header.startswith("\ufeff"):  # utf-8-sig strips the BOM on read, not on seek
            header = header[1:]
        reader = csv.DictReader(handle, delimiter=_delimiter(header))
        if reader.fieldnames is None:
            return
        names = [name.strip() for name in reader.fieldnames]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            for name in repeated:
                yield Problem("column named more than once in the header", str(path), 1, name)
            return
        for data in reader:
            line = reader.line_num
            if None in data:
                yield Problem("more cells than there are columns in the header", str(path), line)
                continue
            cleaned = {
                k.strip(): v.strip() for k, v in data.items() if v is not None and v.strip() != ""
            }
            if cleaned:
                yield Row(line, cleaned)


def _jsonl_rows(path: Path) -> Iterator[Row | Problem]:
    with path.open(encoding="utf-8") as handle:
        for line_number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Problem(
                    f"not valid JSON ({exc.msg}, column {exc.colno})", str(path), line_number
                )
                continue
            except RecursionError:
                yield Problem(
                    "JSON nested too deeply: a record is one flat object of fields",
                    str(path),
                    line_number,
                )
                continue
            if not isinstance(data, dict):
                yield Problem("each line must be a JSON object", str(path), line_number)
                continue
            yield Row(line_number, {k: v for k, v in data.items() if v is not None})


def _open_parquet(path: Path) -> Any:
    """A Parquet file opened for reading, or RecordError saying it is not one."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise RecordError(f"{path}: not a readable Parquet file ({exc})") from None


def _parquet_rows(path: Path) -> Iterator[Row | Problem]:
    parquet = _open_parquet(path)
    row_number = 0
    for batch in parquet.iter_batches(batch_size=10_000):
        for data in batch.to_pylist():
            row_number += 1
            yield Row(row_number, {k: v for k, v in data.items() if v is not None})


def read_rows(path: Path) -> Iterator[Row | Problem]:
    """Every row of a record file, or a Problem for a row that cannot even be read.

    Lines are 1-based file lines for CSV (the header is line 1) and JSON Lines; for Parquet they
    are row numbers.
    """
    if not path.exists():
        raise RecordError(f"{path}: no such file")
    fmt = detect_format(path)
    try:
        if fmt == "csv":
            yield from _csv_rows(path)
        elif fmt == "jsonl":
            yield from _jsonl_rows(path)
        else:
            yield from _parquet_rows(path)
    except UnicodeDecodeError:
        raise RecordError(f"{path}: not a UTF-8 text file") from None
    except (csv.Error, OSError) as exc:
        raise RecordError(f"{path}: cannot be read ({exc})") from None
    except Exception as exc:  # pyarrow raises its own ArrowInvalid family
        if type(exc).__module__.startswith("pyarrow"):
            raise RecordError(f"{path}: not a readable Parquet file ({exc})") from None
        raise
