"""数据库迁移 — Alembic revisions shipped inside the package, so `ggzy db upgrade` works anywhere."""
