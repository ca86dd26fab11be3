"""hardship recognitions

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 22:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hardship_recognitions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('student_id', sa.String(length=32), nullable=False),
    sa.Column('academic_year', sa.String(length=9), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('recognised_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('student_id', 'academic_year', name='uq_hardship_student_year')
    )
    with op.batch_alter_table('hardship_recognitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hardship_recognitions_student_id'), ['student_id'], unique=False)


def downgrade():
    with op.batch_alter_table('hardship_recognitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hardship_recognitions_student_id'))
    op.drop_table('hardship_recognitions')
