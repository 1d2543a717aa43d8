"""whatsapp: the 24-hour window, opt-out and channel order per person; pictures for Twilio

A person's WhatsApp is their `phone` (docs/decisions.md, "WhatsApp ..."): what is new is when
they last wrote on WhatsApp (Meta's 24-hour window), when they said STOP there, and the order of
channels to try for them. `sent_pictures` keeps a picture, encrypted, until Twilio fetches it
from `/media/<token>`.

Revision ID: 0015_whatsapp
Revises: 0014
Create Date: 2026-12-12 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_whatsapp"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("whatsapp_seen_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("whatsapp_opted_out_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("channel_order", sa.String(length=32), nullable=True))
    op.create_table(
        "sent_pictures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("png", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_sent_pictures_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_pictures")),
    )
    with op.batch_alter_table("sent_pictures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sent_pictures_person_id"), ["person_id"])
        batch_op.create_index(batch_op.f("ix_sent_pictures_expires_at"), ["expires_at"])


def downgrade() -> None:
    with op.batch_alter_table("sent_pictures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sent_pictures_expires_at"))
        batch_op.drop_index(batch_op.f("ix_sent_pictures_person_id"))
    op.drop_table("sent_pictures")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("channel_order")
        batch_op.drop_column("whatsapp_opted_out_at")
        batch_op.drop_column("whatsapp_seen_at")
