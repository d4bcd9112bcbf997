"""Several instances on one store: the location of each result, instances, leases, statuses per location.

Revision ID: 0002
Revises: 0001
Create Date: 2025-02-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("results") as batch:
        batch.add_column(sa.Column("location", sa.Text(), nullable=False, server_default=sa.text("''")))
    op.create_table(
        "cluster_instances",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("started_at", sa.Double(), nullable=False),
        sa.Column("heartbeat_at", sa.Double(), nullable=False),
    )
    op.create_table(
        "cluster_leases",
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("integration_id", sa.Text(), nullable=False),
        sa.Column("holder", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("location", "integration_id", name="pk_cluster_leases"),
    )
    op.create_index("ix_cluster_leases_holder", "cluster_leases", ["holder"])
    op.create_table(
        "cluster_status",
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("integration_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("since", sa.Double(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("successes", sa.Integer(), nullable=False),
        sa.Column("last_ts", sa.Double(), nullable=True),
        sa.Column("last_ok", sa.Boolean(), nullable=True),
        sa.Column("last_ms", sa.Double(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("location", "integration_id", name="pk_cluster_status"),
    )


def downgrade() -> None:
    for table in ("cluster_status", "cluster_leases", "cluster_instances"):
        op.drop_table(table)
    with op.batch_alter_table("results") as batch:
        batch.drop_column("location")
