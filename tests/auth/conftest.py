"""Fixtures of the auth tests."""
import re

import pytest


def csrf_token(html: str) -> str:
    """The CSRF token a rendered form carries."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def legacy_profile(ctx):
    """A migrated legacy account: a profile with no password, as the old auth provider left it."""
    from tests.factories import make_profile

    return make_profile(email="legacy@example.com", password=None)
