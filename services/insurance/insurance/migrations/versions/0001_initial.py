"""initial

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 23:34:56.504792
"""
from osac_shared.migrations import create_core_tables, drop_core_tables


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    create_core_tables()


def downgrade():
    drop_core_tables()
