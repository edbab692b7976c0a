"""Commands around the schema upgrade: backup, upgrade with a report, verify, archive purge."""
