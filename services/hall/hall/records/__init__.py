"""Hall records: the database side of each feature (functions over a session)."""
