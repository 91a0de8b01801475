"""Reading another department's file as rows of text cells: CSV (UTF-8, or GB18030 as Excel on a Chinese
system saves it) or XLSX (the first sheet), bounded in rows, columns and cell length."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from typing import Literal

from openpyxl import load_workbook

from shared.errors import FieldIssue, InvalidInput

FileFormat = Literal["csv", "xlsx"]

MAX_COLUMNS = 20
MAX_XLSX_UNPACKED_BYTES = 512 * 1_048_576
"""An XLSX file is a zip: its parts unpacked are bounded too, so a small upload cannot expand without limit."""


def read_rows(content: bytes, file_format: FileFormat, *, max_rows: int) -> list[list[str]]:
    """Every row, the header first, as stripped text; refuses an unreadable file or more than `max_rows`
    data rows (a file is loaded whole or not at all, so a bound is checked before anything is kept)."""
    rows = _csv_rows(content) if file_format == "csv" else _xlsx_rows(content)
    kept: list[list[str]] = []
    for row in rows:
        if not any(row):
            continue  # blank lines, and the empty tail spreadsheets keep
        if len(kept) > max_rows:
            raise _unreadable("too_many_rows", f"a file has at most {max_rows} data rows; split it")
        row = row[:MAX_COLUMNS]
        while row and not row[-1]:
            row.pop()  # spreadsheets pad every row to the widest column
        kept.append(row)
    if len(kept) < 2:
        raise _unreadable("no_rows", "the file has a header but no data rows")
    return kept


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError:
            raise _unreadable("encoding", "a CSV file is UTF-8 or GB18030 text") from None
    if "\x00" in text:
        raise _unreadable("encoding", "a CSV file is text; this one holds NUL characters")
    try:
        for row in csv.reader(io.StringIO(text, newline=""), strict=True):
            yield [cell.strip() for cell in row]
    except csv.Error as error:
        raise _unreadable("csv", f"not a well-formed CSV file: {error}") from None


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
    except zipfile.BadZipFile:
        raise _unreadable("xlsx", "not an XLSX workbook") from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise _unreadable("too_large", f"the workbook unpacks to more than {MAX_XLSX_UNPACKED_BYTES} bytes")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise _unreadable("xlsx", "not an XLSX workbook") from None
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield [_cell_text(value) for value in values]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _unreadable(rule: str, message: str) -> InvalidInput:
    return InvalidInput(f"the file was not imported: {message}", errors=[FieldIssue("file", rule, message)])
