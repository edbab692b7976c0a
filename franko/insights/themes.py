"""The themes across an instance's completed responses: by the LLM when configured, else offline."""


def refresh(instance_id: str) -> None:
    """Recompute and store the instance's themes."""
    # TODO(issue 12)
