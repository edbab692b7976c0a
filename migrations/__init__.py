"""The migrations as a package, so the revisions import their helpers (`from migrations import legacy_sql`), never the app's models."""
