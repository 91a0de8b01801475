"""Problem lists and their rectifications, supervision spot checks, government-purchased services.

Revision ID: 0007
"""

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
