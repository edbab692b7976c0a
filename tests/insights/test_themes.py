"""Themes across an instance's responses, on five fixed interviews: offline, and through a local fake model."""
import json
import logging
import re

import pytest

from franko.extensions import db
from franko.insights.jobs import refresh_themes
from franko.models import ChatInstance
from tests.factories import make_instance, make_profile
from tests.insights.conftest import GUIDE, add_interview
from tests.insights.fake_llm import prompt_of

# The offline themes of the five interviews (ids newest first: Eve, Dev, Cleo, Ben, Ada).
OFFLINE = [
    ("flour prices", ["Dev", "Ben", "Ada"], "Flour prices doubled last year, and late deliveries cost me sales."),
    ("deliveries", ["Dev", "Cleo", "Ada"], "Flour prices doubled last year, and late deliveries cost me sales."),
    # "late" is said by exactly the responses that say "deliveries": the same theme, left out.
    ("staff turnover", ["Cleo", "Ben"], "Staff turnover makes training hard."),
    ("café", ["Cleo", "Ada"], "I manage a café near the station."),
]


def stored_themes(app, instance_id):
    with app.app_context():
        return db.session.get(ChatInstance, instance_id).themes


def named(themes, ids):
    names = {str(v): k for k, v in ids.items()}
    return [(t.label, [names[i] for i in t.response_ids], t.quote) for t in themes.themes]


def test_offline_themes_of_five_interviews(app, study):
    instance_id, ids = study
    with app.app_context():
        refresh_themes(str(instance_id))
    themes = stored_themes(app, instance_id)
    assert (themes.by, themes.responses) == ("offline", 5)
    assert named(themes, ids) == OFFLINE
    assert [t.count for t in themes.themes] == [3, 3, 2, 2]


def test_only_completed_responses_count_and_one_is_no_theme(app):
    with app.app_context():
        instance = make_instance(make_profile(), guide=GUIDE)
        add_interview(instance, "Ada", ["Flour prices went up again."])
        add_interview(instance, "Ben", ["Flour prices hurt us."], status="in_progress")
        refresh_themes(str(instance.id))
        themes = db.session.get(ChatInstance, instance.id).themes
    assert (themes.themes, themes.responses) == ((), 1)


def themes_reply(body):
    """The fake model: two themes with words, counts and ids it made up, one theme nobody said, junk."""
    system, user = prompt_of(body)
    assert system.startswith("You find the themes")
    return json.dumps({"themes": [
        {"label": "Staffing", "words": ["staff turnover"], "ids": ["R1"], "count": 4},
        {"label": "Rising  flour costs", "words": ["flour"], "ids": ["R9", "X", True], "count": 5},
        {"label": "Invented", "words": ["unicorns"], "ids": ["R42", "R0"]},
        {"label": "Only one", "words": ["spreadsheets"]},
        "",
        42,
    ]})


def test_model_themes_are_counted_from_what_the_interviewees_said(model_app, fake_model, study):
    instance_id, ids = study
    fake_model.reply = themes_reply
    with model_app.app_context():
        refresh_themes(str(instance_id))
    themes = stored_themes(model_app, instance_id)
    assert (themes.by, themes.responses) == ("model", 5)
    assert [(label, names) for label, names, _ in named(themes, ids)] == [
        ("Rising flour costs", ["Dev", "Ben", "Ada"]),
        ("Staffing", ["Cleo", "Ben"]),
    ]
    assert [t.count for t in themes.themes] == [3, 2]
    flour = themes.themes[0]
    assert flour.quote == "Flour prices doubled last year, and late deliveries cost me sales."
    _, user = prompt_of(fake_model.requests[0])
    assert user.startswith("<interviews>\nR1: I do the accounts") and len(re.findall(r"^R\d: ", user, re.M)) == 5
    assert not any(str(i) in user for i in ids.values()), "the model sees short ids, never the responses' ids"


@pytest.mark.parametrize("failure", ["error", "nothing usable"])
def test_a_failing_model_falls_back_to_the_offline_themes(model_app, fake_model, study, caplog, failure):
    instance_id, ids = study
    if failure == "error":
        fake_model.mode = "error"
    else:
        fake_model.reply = lambda body: json.dumps({"themes": [{"label": "Ghosts", "ids": ["R77", "R78"]}]})
    with caplog.at_level(logging.WARNING, logger="franko.insights.themes"):
        with model_app.app_context():
            refresh_themes(str(instance_id))
    themes = stored_themes(model_app, instance_id)
    assert themes.by == "offline"
    assert named(themes, ids) == OFFLINE
    assert "themes by the model failed" in caplog.text
