"""Webhook deliveries: one row per response and event, sent by a job, signed like Stripe's."""


def queue_event(event: str, response_id: str) -> None:
    """Log and queue the delivery of `event` about a response to its instance's webhook URL, if it has one."""
    # TODO(issue 12)
