"""external cohorts: another programme's scores, kept to compare with (no names, no ids)

`mentorbot report --compare FILE.csv --keep NAME` stores them (docs/compare.md).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "external_cohorts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_cohorts")),
        sa.UniqueConstraint("name", name=op.f("uq_external_cohorts_name")),
    )
    op.create_table(
        "external_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("member", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("before", sa.Float(), nullable=False),
        sa.Column("after", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["external_cohorts.id"],
            name=op.f("fk_external_scores_cohort_id_external_cohorts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_scores")),
        sa.UniqueConstraint(
            "cohort_id",
            "member",
            "instrument",
            "key",
            name=op.f("uq_external_scores_cohort_id_member_instrument_key"),
        ),
    )
    with op.batch_alter_table("external_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_external_scores_cohort_id"), ["cohort_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("external_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_external_scores_cohort_id"))
    op.drop_table("external_scores")
    op.drop_table("external_cohorts")
