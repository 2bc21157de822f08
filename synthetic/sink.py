"""Bulk writers for the synthetic dataset: PostgreSQL COPY, or executemany elsewhere.

Rows are plain tuples in the column order given when a table is registered. Primary keys
are assigned by the generator (from the table's current maximum), so rows of related
tables can be written in one pass without reading anything back."""

from __future__ import annotations

import json
import uuid
import zlib
from datetime import date, datetime
from decimal import Decimal

from django.db import models


def columns(model: type[models.Model], names: list[str]) -> list[str]:
    """Database column names of these model fields ("id" for the primary key)."""
    meta = model._meta
    return [meta.get_field(n).column for n in names]


def defaults(model: type[models.Model], names: list[str]) -> tuple[list[str], tuple]:
    """The columns of the model's other required fields and the values written to them: the
    field's default ("" for a blank text field). A field added to a model later is written
    as Django would, rather than as NULL (which COPY and INSERT would do otherwise)."""
    listed = {model._meta.get_field(n).column for n in names}
    cols: list[str] = []
    values: list = []
    for f in model._meta.concrete_fields:
        if f.column in listed or f.null or f.db_default is not models.NOT_PROVIDED:
            continue
        if f.has_default() or f.empty_strings_allowed:
            cols.append(f.column)
            values.append(f.get_default())
    return cols, tuple(values)


class Table:
    def __init__(
        self, key: str, db_table: str, cols: list[str], fixed: tuple[list[str], tuple] = ([], ())
    ) -> None:
        self.key = key
        self.db_table = db_table
        self.cols = cols
        # Columns every row gets the same value in (written after the row's own).
        self.fixed_cols, self.fixed = fixed


def m2m_table(model: type[models.Model], field_name: str, key: str) -> Table:
    through = model._meta.get_field(field_name).remote_field.through
    fks = [f for f in through._meta.fields if isinstance(f, models.ForeignKey)]
    # The through table's own order: the source model first, then the target.
    src = next(f for f in fks if f.remote_field.model is model)
    dst = next(f for f in fks if f is not src)
    return Table(key, through._meta.db_table, [src.column, dst.column])


class Sink:
    """Buffers rows per table and writes them in registration order on flush()."""

    def __init__(self, connection, *, dry_run: bool = False) -> None:
        self.connection = connection
        self.dry_run = dry_run
        self.pg = connection.vendor == "postgresql"
        self.tables: dict[str, Table] = {}
        self.buffers: dict[str, list[tuple]] = {}
        self.counts: dict[str, int] = {}
        self.crc: dict[str, int] = {}

    def register(self, table: Table) -> None:
        self.tables[table.key] = table
        self.buffers[table.key] = []
        self.counts[table.key] = 0
        self.crc[table.key] = 0

    def add(self, key: str, row: tuple) -> None:
        self.buffers[key].append(row)

    def pending(self) -> int:
        return sum(len(b) for b in self.buffers.values())

    def flush(self) -> int:
        written = 0
        for key, table in self.tables.items():
            rows = self.buffers[key]
            if not rows:
                continue
            # A checksum of exactly what is written: the same seed gives the same values.
            self.crc[key] = zlib.crc32(repr(rows).encode(), self.crc[key])
            self.counts[key] += len(rows)
            written += len(rows)
            if not self.dry_run:
                self._write(table, rows)
            self.buffers[key] = []
        return written

    def _write(self, table: Table, rows: list[tuple]) -> None:
        cols = ", ".join(f'"{c}"' for c in [*table.cols, *table.fixed_cols])
        if table.fixed:
            rows = [(*row, *table.fixed) for row in rows]
        with self.connection.cursor() as cursor:
            if self.pg:
                raw = cursor.cursor  # the psycopg cursor under Django's wrapper
                with raw.copy(f'COPY "{table.db_table}" ({cols}) FROM STDIN') as copy:
                    write = copy.write_row
                    for row in rows:
                        write(row)
            else:
                marks = ", ".join(["%s"] * (len(table.cols) + len(table.fixed_cols)))
                adapt = self._adapter()
                cursor.executemany(
                    f'INSERT INTO "{table.db_table}" ({cols}) VALUES ({marks})',
                    [tuple(adapt(v) for v in row) for row in rows],
                )

    def _adapter(self):
        ops = self.connection.ops

        def adapt(value):
            if isinstance(value, datetime):
                return ops.adapt_datetimefield_value(value)
            if isinstance(value, date):
                return ops.adapt_datefield_value(value)
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, uuid.UUID):
                return value.hex  # Django keeps UUIDs as 32 hex characters outside PostgreSQL
            if isinstance(value, (dict, list)):
                return json.dumps(value)
            return value

        return adapt

    def checksum(self) -> str:
        total = 0
        for key in sorted(self.crc):
            total = zlib.crc32(f"{key}:{self.counts[key]}:{self.crc[key]}".encode(), total)
        return f"{total:08x}"


def reset_sequences(connection, tables: list[str]) -> None:
    """After inserting explicit ids, make the next generated id follow the largest."""
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows explicit ids by itself
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
            )
