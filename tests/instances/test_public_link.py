"""public_link: the interview feature's `interview.start` endpoint."""
import uuid

from flask import Flask

from franko.instances.services import public_link


def test_uses_the_interview_start_endpoint_when_defined():
    app = Flask(__name__)
    app.add_url_rule("/interview/<uuid:instance_id>/begin", endpoint="interview.start", view_func=lambda instance_id: "")
    instance_id = uuid.uuid4()
    with app.test_request_context("/"):
        assert public_link(instance_id) == f"http://localhost/interview/{instance_id}/begin"


def test_the_app_builds_the_link_at_i(app):
    instance_id = uuid.uuid4()
    expected = f"http://localhost/i/{instance_id}"
    with app.test_request_context("/"):
        assert public_link(instance_id) in (expected, expected + "/")
