"""The instance page's coverage chart and table, in a real browser, at desktop and phone widths, with axe-core."""
import pytest

from tests.factories import agent_says as agent
from tests.factories import interviewee_says as said
from tests.factories import make_instance, make_interview, make_profile
from tests.helpers import axe_findings
from tests.conftest import screenshot

pytestmark = pytest.mark.browser

GUIDE = "# Bakery study\n- What do you bake every morning?\n- What is the hardest part of it?\n- What would help you most?"


def test_coverage_chart_and_table_on_the_instance_page(live_server, page):
    with live_server.app.app_context():
        owner = make_profile(email="cover@example.com", password="correct horse", plan="starter")
        instance = make_instance(owner, guide=GUIDE)
        everything = [agent(0), said(0), agent(1), said(1), agent(2), said(2), agent(None, "Thanks", move="close")]
        for messages in (everything, everything, [agent(0), said(0), agent(1), said(1, "skip", "refuse")],
                         [agent(0)]):
            make_interview(instance, messages)
        instance_id = instance.id
    base = live_server.url
    page.goto(base + "/auth/login")
    page.get_by_label("Email").fill("cover@example.com")
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/instances/{instance_id}")
    section = page.locator("#coverage")
    rows = section.locator("tbody tr").all_inner_texts()
    assert [r.split("\t") for r in rows] == [["1", "What do you bake every morning?", "4", "3", "0"],
                                             ["2", "What is the hardest part of it?", "3", "2", "1"],
                                             ["3", "What would help you most?", "2", "2", "0"]]
    chart = section.locator("img.coverage-chart")
    chart.scroll_into_view_if_needed()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", chart.element_handle())
    assert axe_findings(page) == []
    screenshot(page, "coverage-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    assert axe_findings(page) == []
    screenshot(page, "coverage-phone")
