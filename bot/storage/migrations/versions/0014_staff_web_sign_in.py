"""staff dashboard: one-time sign-in links and signed-in sessions

`/web` gives staff a link into the dashboard, valid 10 minutes and once; opening it starts a
session of 8 hours, renewed on use. Only hashes of the tokens are stored (docs/decisions.md,
"The staff dashboard signs in through the bot").

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-09 09:00:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _person(table: str) -> list[Any]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f(f"fk_{table}_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("token_hash", name=op.f(f"uq_{table}_token_hash")),
    ]


def upgrade() -> None:
    op.create_table(
        "staff_sign_in_links",
        *_person("staff_sign_in_links"),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "staff_web_sessions",
        *_person("staff_web_sessions"),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    )
    for table in ("staff_sign_in_links", "staff_web_sessions"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    for table in ("staff_web_sessions", "staff_sign_in_links"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_person_id"))
        op.drop_table(table)
