"""The guide format (SPEC §5a), parsed in one place: every construct, old guides, imported ones, safe rendering."""
import pytest

from franko.guide import Guide, Question, guide_title, parse_guide, plain_text, render, render_inline
from franko.instances.services import clean_guide
from franko.models import ChatInstance

FULL = """# Customer **discovery**

Thanks for helping us bake better bread.
It takes *ten minutes*.

> Be warm; never suggest an answer.

- What do you do?
  - Probe: What does a typical morning look like?
  - Who do you work with?
* What is **hard** about it,
  week after week?
1. What would help?

> Do not mention prices.

## Closing
Thank you, that is all we wanted to know!

See [our site](https://example.com).
"""


def questions(text):
    return [q.text for q in parse_guide(text).questions]


def test_every_construct_of_the_format():
    guide = parse_guide(FULL)
    assert guide.title == "Customer discovery"
    assert guide.introduction == "Thanks for helping us bake better bread.\nIt takes *ten minutes*."
    assert guide.questions == (
        Question("What do you do?", ("What does a typical morning look like?", "Who do you work with?")),
        Question("What is **hard** about it, week after week?"),
        Question("What would help?"),
    )
    assert guide.instructions == ("Be warm; never suggest an answer.", "Do not mention prices.")
    assert guide.closing == "Thank you, that is all we wanted to know!\n\nSee [our site](https://example.com)."
    assert len(guide) == 3


def test_intro_quotes_and_probes_are_never_questions():
    asked = questions(FULL)
    for never in ("Thanks for helping", "Be warm", "Probe", "typical morning", "Thank you, that is all"):
        assert not any(never in q for q in asked)


def test_section_headings_and_paragraphs_after_the_questions_are_not_asked():
    guide = parse_guide("# Title\n## Part one\n- A?\n### Part two\nSome note for us.\n- B?")
    assert [q.text for q in guide.questions] == ["A?", "B?"]
    assert guide.introduction == ""


@pytest.mark.parametrize("marker", ["-", "*", "+", "1.", "12)"])
def test_list_markers(marker):
    assert questions(f"# Title\n{marker} First question?\n{marker} Second question?") == [
        "First question?", "Second question?"]


def test_task_list_boxes_and_probe_labels_are_stripped():
    guide = parse_guide("- [ ] Ask this\n  - follow-up: and this?\n- [x] And this")
    assert guide.questions == (Question("Ask this", ("and this?",)), Question("And this"))


def test_old_guides_one_question_per_line():
    assert questions("What do you do?\n\n   \nWhat is hard about it?\r\nWhat would help?  \n") == [
        "What do you do?", "What is hard about it?", "What would help?"]
    assert questions("# Customer discovery\nWhat do you do?\nWhy?") == ["What do you do?", "Why?"]
    assert questions("First?\n  Second?") == ["First?", "Second?"]
    assert questions("#1 priority for you?\n- \n-") == ["#1 priority for you?"]
    assert questions("2024 - how did it go?\n-1 or +1?") == ["2024 - how did it go?", "-1 or +1?"]
    assert questions("Old question?\n---\nNext one?") == ["Old question?", "Next one?"]


@pytest.mark.parametrize("text", [None, "", "   \n\n", "# Only a title", "# Churn (imported)", "## Just a heading"])
def test_no_questions(text):
    assert parse_guide(text).questions == ()


def test_imported_guide_keeps_its_title():
    assert parse_guide("# Churn (imported)") == Guide(title="Churn (imported)")
    assert ChatInstance(interview_guide="# Sales calls (imported)").title == "Sales calls (imported)"


def test_title():
    assert guide_title(FULL) == "Customer discovery"
    assert ChatInstance(interview_guide="What do you do?").title == "What do you do?"
    assert ChatInstance(interview_guide="**Bold** first line?").title == "Bold first line?"
    assert ChatInstance(interview_guide=None).title.startswith("Interview of ")


def test_rendering_is_safe_html():
    html = render('**bold** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://example.com) '
                  '![img](https://tracker.example/p.png) <img src=x onerror=alert(1)>')
    assert "<strong>bold</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html.replace("[x](javascript:alert(1))", "")  # left as text, never a link
    assert 'href="javascript' not in html
    assert '<a href="https://example.com">ok</a>' in html
    assert "<img" not in html and "&lt;img src=x" in html
    assert render_inline("A *probe*") == "A <em>probe</em>"


def test_plain_text_for_csv_and_transcripts():
    assert plain_text("What is **hard** about `it`, [really](https://example.com)?") == "What is hard about it, really?"
    assert plain_text("Line one\nline two\n\nNew paragraph") == "Line one\nline two\nNew paragraph"
    assert plain_text("<b>as typed</b>") == "<b>as typed</b>"


def test_clean_guide_normalises_line_endings_and_empty_is_none():
    assert clean_guide("A?  \r\nB?\r\n\r\n") == "A?\nB?"
    assert clean_guide("  \n \n") is None
    assert clean_guide(None) is None
