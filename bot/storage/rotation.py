"""`mentorbot keys rotate`: re-encrypt every encrypted column with the newest key, in batches.

Put a new key first in MENTORBOT_ENCRYPTION_KEYS (keep the old ones after it), restart, run
this, then the old keys can be dropped. Phone lookup hashes are rewritten under the newest key
too. Each batch is its own transaction, so a rotation stopped half way can simply be run again:
tokens already under the newest key are rewritten harmlessly.
"""

from __future__ import annotations

from sqlalchemy import Column, Table, Text, bindparam, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import crypto
from bot.storage.models import Base
from bot.storage.types import EncryptedJSON, EncryptedText

BATCH = 500
# An encrypted number and the column holding its lookup hash.
HASHED = {"phone": "phone_hash", "pending_phone": "pending_phone_hash"}


def encrypted_columns() -> list[tuple[Table, list[Column[object]]]]:
    """Every table with encrypted columns, and those columns (read from the models)."""
    found = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, EncryptedText | EncryptedJSON)]
        if columns:
            found.append((table, columns))
    return found


async def rotate_all(engine: AsyncEngine, ring: crypto.KeyRing, *, batch: int = BATCH) -> int:
    """Re-encrypt everything under the ring's newest key; the number of rows rewritten."""
    total = 0
    for table, columns in encrypted_columns():
        total += await _rotate_table(engine, ring, table, columns, batch)
    return total


async def _rotate_table(
    engine: AsyncEngine,
    ring: crypto.KeyRing,
    table: Table,
    columns: list[Column[object]],
    batch: int,
) -> int:
    (key,) = table.primary_key.columns
    raw = [type_coerce(column, Text).label(column.name) for column in columns]
    names = [c.name for c in columns] + [HASHED[c.name] for c in columns if c.name in HASHED]
    new_values = {name: bindparam(f"new_{name}", type_=Text) for name in names}
    statement = update(table).where(key == bindparam("old_key")).values(new_values)
    last, rewritten = None, 0
    while True:
        query = select(key, *raw).order_by(key).limit(batch)
        if last is not None:
            query = query.where(key > last)
        async with engine.begin() as connection:
            rows = (await connection.execute(query)).all()
            if not rows:
                return rewritten
            params = [_rotated_row(ring, row._mapping, key.name, columns) for row in rows]
            await connection.execute(statement, params)
        last, rewritten = rows[-1][0], rewritten + len(rows)


def _rotated_row(
    ring: crypto.KeyRing, row: object, key_name: str, columns: list[Column[object]]
) -> dict[str, object]:
    values = dict(row)  # type: ignore[call-overload]
    params: dict[str, object] = {"old_key": values[key_name]}
    for column in columns:
        token = values[column.name]
        params[f"new_{column.name}"] = None if token is None else ring.rotate(token)
        if column.name in HASHED:
            plain = None if token is None else ring.decrypt(token)
            hashed = None if plain is None else ring.phone_hash(plain)
            params[f"new_{HASHED[column.name]}"] = hashed
    return params
