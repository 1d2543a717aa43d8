"""skipped answers: an answer row may hold no value

A question skipped, or answered "prefer not to say", is kept as a row with no value: the
sitting knows it was asked, and scoring treats it as missing rather than as a zero
(docs/decisions.md, "Skipped questions are missing, never zero").

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 05:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch_op:
        batch_op.alter_column("value", existing_type=sa.SmallInteger(), nullable=True)


def downgrade() -> None:
    # A skipped answer has no value to go back to: it is removed, as it would never have
    # been stored before this revision.
    op.execute("DELETE FROM answers WHERE value IS NULL")
    with op.batch_alter_table("answers") as batch_op:
        batch_op.alter_column("value", existing_type=sa.SmallInteger(), nullable=False)
