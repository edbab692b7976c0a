"""An answer costs the same few statements however many responses the owner has stored."""
from franko.extensions import db
from franko.models import ChatInstance
from tests.factories import make_response
from tests.helpers import recorded_statements
from tests.interview.conftest import Interviewee, make_setup


def answer_costs(app, stored: int) -> tuple[int, int, int]:
    """Statements for the intake, the first (charged) answer and a later answer, at an owner with `stored` responses."""
    with app.app_context():
        setup = make_setup(credits=50)
        instance = db.session.get(ChatInstance, setup.instance_id)
        for _ in range(stored):
            make_response(instance)
    person = Interviewee(app, setup.instance_id)
    with recorded_statements(app) as intake:
        person.start()
    with recorded_statements(app) as first:
        person.answer("I run a small bakery with five people.")
    with recorded_statements(app) as later:
        person.answer("Flour prices rise every single month.")
    return len(intake), len(first), len(later)


def test_answer_statements_do_not_grow_with_stored_responses(app):
    few, many = answer_costs(app, 0), answer_costs(app, 30)
    assert few == many
    intake, first, later = few
    # Intake: the instance, its owner, the guide's latest version (and, for this guide written without
    # the editor, recording it as version 1), the insert, its question records' insert. An answer:
    # the instance, the response, the response's guide version, the owner by primary key; the row
    # claim, the response again, the charge (first answer only), the update, the question records
    # replaced (a delete, an insert); the first answer also queues the quota check in the same commit
    # (the outbox row), which tests then run at once (claimed, the owner read, done).
    assert (intake, first, later) == (6, 17, 9)
