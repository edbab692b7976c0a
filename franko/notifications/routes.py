"""The owner's notification settings."""
