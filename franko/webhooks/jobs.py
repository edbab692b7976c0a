"""The webhook job: one delivery attempt, retried with backoff while the receiver fails."""
