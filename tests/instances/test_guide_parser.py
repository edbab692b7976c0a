"""parse_guide: the questions the agent asks, read from the owner's interview guide."""
import pytest

from franko.instances.services import clean_guide, parse_guide
from franko.models import ChatInstance


def test_one_question_per_line_blank_lines_ignored():
    text = "What do you do?\n\n   \nWhat is hard about it?\r\nWhat would help?  \n"
    assert parse_guide(text) == ["What do you do?", "What is hard about it?", "What would help?"]


def test_leading_heading_is_the_title_not_a_question():
    text = "# Customer discovery\nWhat do you do?\nWhy?"
    assert parse_guide(text) == ["What do you do?", "Why?"]
    assert ChatInstance(interview_guide=text).title == "Customer discovery"


@pytest.mark.parametrize("marker", ["-", "*", "+", "1.", "12)"])
def test_markdown_list_markers_are_stripped(marker):
    text = f"# Title\n{marker} First question?\n{marker} Second question?"
    assert parse_guide(text) == ["First question?", "Second question?"]


def test_task_list_boxes_are_stripped():
    assert parse_guide("- [ ] Ask this\n- [x] And this") == ["Ask this", "And this"]


def test_indented_line_continues_a_list_item():
    text = "- What is the hardest part\n  of your week?\n- Anything else?"
    assert parse_guide(text) == ["What is the hardest part of your week?", "Anything else?"]


def test_indented_line_after_plain_line_is_its_own_question():
    assert parse_guide("First?\n  Second?") == ["First?", "Second?"]


def test_section_headings_are_not_questions():
    text = "# Title\n## Part one\n- A?\n### Part two\nB?"
    assert parse_guide(text) == ["A?", "B?"]


def test_hash_without_space_is_a_question_and_empty_items_are_dropped():
    assert parse_guide("#1 priority for you?\n- \n-") == ["#1 priority for you?"]


def test_numbers_and_dashes_inside_questions_are_kept():
    assert parse_guide("2024 - how did it go?\n-1 or +1?") == ["2024 - how did it go?", "-1 or +1?"]


@pytest.mark.parametrize("text", [None, "", "   \n\n", "# Only a title"])
def test_no_questions(text):
    assert parse_guide(text) == []


def test_title_is_the_guides_first_line():
    assert ChatInstance(interview_guide="# Sales calls (imported)").title == "Sales calls (imported)"
    assert ChatInstance(interview_guide="What do you do?").title == "What do you do?"
    assert ChatInstance(interview_guide=None).title.startswith("Interview of ")


def test_clean_guide_normalises_line_endings_and_empty_is_none():
    assert clean_guide("A?  \r\nB?\r\n\r\n") == "A?\nB?"
    assert clean_guide("  \n \n") is None
    assert clean_guide(None) is None
