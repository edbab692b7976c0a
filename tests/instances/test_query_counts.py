"""The instances list costs the same number of SQL statements whatever the number of rows."""
from tests.factories import make_instance, make_response, profile_by_email
from tests.helpers import recorded_statements


def statements_for_list(client, app) -> int:
    with recorded_statements(app) as n:
        assert client.get("/instances/").status_code == 200
    return len(n)


def test_instances_list_is_constant_in_instances_and_responses(client, owner, app):
    with app.app_context():
        profile = profile_by_email("owner@example.com")
        profile.total_chat_instances_available = 50
        make_response(make_instance(profile))
    one = statements_for_list(client, app)
    with app.app_context():
        profile = profile_by_email("owner@example.com")
        for i in range(12):
            instance = make_instance(profile, guide=f"Study {i}?")
            for _ in range(3):
                make_response(instance)
    many = statements_for_list(client, app)
    assert many == one
    assert one <= 4  # session user, the list with its counts, and transaction statements
