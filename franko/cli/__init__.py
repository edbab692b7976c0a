"""The database's commands (backup, upgrade, verify, archive) and the demo data's, on the `flask franko` group (franko.commands)."""
