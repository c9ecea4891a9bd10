"""Members changing their own data: imports (preview, commit, history, rollback) and the
match review queue."""
