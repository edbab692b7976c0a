"""What the existing pages include: the notice, the private link, the retention policy, the deletions line."""
from flask import Flask

from franko.privacy import services, tokens
from franko.urls import external_url


def private_link(response) -> str:
    """The interviewee's private link to this response (made now; it works FRANKO_PRIVATE_LINK_MAX_AGE)."""
    return external_url("privacy.mine", token=tokens.make_token(response.id))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        privacy_private_link=private_link,
        privacy_policy=services.policy,
        privacy_deletions=services.interviewee_deletions,
    )
