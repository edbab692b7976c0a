"""The interview guide: parsed in this one place (CommonMark, markdown-it-py), rendered safely, read as plain text.

The format (SPEC §5a): the first `#` heading is the title; paragraphs before the first question are
the introduction; each top-level list item is a question and its nested items are probes; block
quotes are instructions to the agent; a `## Closing` section is the closing message. A guide with
no list items keeps the old rule: each non-empty line after the title is a question.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from markupsafe import Markup

# No raw HTML (it is shown escaped), no images (no third-party fetches); markdown-it's own link
# check refuses javascript:, vbscript:, file: and data: URLs.
_md = MarkdownIt("commonmark", {"html": False}).disable("image")
_TASK_BOX = re.compile(r"^\[[ xX]\]\s+")
_PROBE_LABEL = re.compile(r"^(?:probe|follow[- ]?up)\s*:\s*", re.IGNORECASE)
_EMPTY_ITEM = re.compile(r"^(?:[-*+]|\d{1,3}[.)])(?:\s+|$)")  # a list marker left on a line of an old guide
_RULE = re.compile(r"^[-=*_\s]+$")  # an underline or a rule: no question
CLOSING_HEADING = "closing"


@dataclass(frozen=True)
class Question:
    """One question as written (inline Markdown) and its probes: follow-up hints, never asked on their own."""

    text: str
    probes: tuple[str, ...] = ()

    @property
    def plain(self) -> str:
        return plain_text(self.text)


@dataclass(frozen=True)
class Guide:
    """An interview guide: what the interviewee sees, what the agent asks and what it is told."""

    title: str | None = None
    introduction: str = ""
    questions: tuple[Question, ...] = ()
    instructions: tuple[str, ...] = ()
    closing: str = ""

    def __len__(self) -> int:
        return len(self.questions)

    @property
    def question_texts(self) -> list[str]:
        return [q.text for q in self.questions]


def _inline(node: SyntaxTreeNode) -> str:
    """The inline Markdown source of a heading or paragraph, its line breaks folded into spaces."""
    inline = node.children[0] if node.children else None
    return " ".join((inline.content if inline else "").split())


def _block_source(node: SyntaxTreeNode, lines: list[str]) -> str:
    start, end = node.map or (0, 0)
    return "\n".join(lines[start:end]).strip()


def _paragraphs(node: SyntaxTreeNode) -> list[str]:
    """The inline sources of every paragraph inside a block (a quote, a list item)."""
    found = []
    for child in node.walk():
        if child.type == "paragraph":
            text = _inline(child)
            if text:
                found.append(text)
    return found


def _question(item: SyntaxTreeNode) -> Question | None:
    text, probes = "", []
    for child in item.children:
        if child.type == "paragraph" and not text:
            text = _TASK_BOX.sub("", _inline(child))
        elif child.type in ("bullet_list", "ordered_list"):
            for sub in child.children:
                probes += [_PROBE_LABEL.sub("", p) for p in _paragraphs(sub)[:1]]
    return Question(text, tuple(p for p in probes if p)) if text else None


@lru_cache(maxsize=512)
def parse_guide(text: str | None) -> Guide:
    """The guide's parts; cached, since every page and every turn reads the same few guides."""
    source = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = source.split("\n")
    nodes = SyntaxTreeNode(_md.parse(source)).children
    title = None
    introduction: list[str] = []
    questions: list[Question] = []
    instructions: list[str] = []
    closing: list[str] = []
    loose: list[SyntaxTreeNode] = []  # blocks that hold questions under the old line-per-question rule
    in_closing = False
    has_items = any(n.type in ("bullet_list", "ordered_list") and any(_question(i) for i in n.children)
                    for n in nodes)
    for node in nodes:
        # (Under the old rule a line underlined by "-" or "=" is a question, not a setext heading.)
        if node.type == "heading" and not (node.markup in ("-", "=") and not has_items):
            if node.tag == "h1" and title is None and not questions and not loose:
                title = plain_text(_inline(node))
            else:
                in_closing = node.tag == "h2" and plain_text(_inline(node)).lower() == CLOSING_HEADING
            continue
        if node.type == "blockquote":
            instructions += _paragraphs(node)
        elif in_closing:
            closing.append(_block_source(node, lines))
        elif node.type in ("bullet_list", "ordered_list") and has_items:
            questions += [q for q in map(_question, node.children) if q]
        elif not has_items:
            loose.append(node)
        elif not questions and node.type == "paragraph":
            introduction.append(_block_source(node, lines))
        # Other blocks after the first question (notes, code) are neither asked nor shown.
    for node in loose:
        for line in _block_source(node, lines).split("\n"):
            line = _EMPTY_ITEM.sub("", line.strip())
            if line and not _RULE.match(line):
                questions.append(Question(" ".join(line.split())))
    return Guide(title, "\n\n".join(introduction), tuple(questions), tuple(instructions),
                 "\n\n".join(c for c in closing if c))


def guide_title(text: str | None) -> str | None:
    """The title: the first `#` heading, else (old guides) the first line as plain text."""
    guide = parse_guide(text)
    if guide.title:
        return guide.title
    for line in (text or "").splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return plain_text(line)
    return None


# --- rendering ---------------------------------------------------------------------------------

def render(text: str | None) -> Markup:
    """Markdown (paragraphs, lists, emphasis, links, code) as safe HTML."""
    return Markup(_md.render(str(text or "")))


def render_inline(text: str | None) -> Markup:
    """One line of Markdown (a question, a probe) as safe HTML, without a paragraph around it."""
    return Markup(_md.renderInline(str(text or "")))


def plain_text(text: str | None) -> str:
    """Markdown as the plain text a reader sees: for the CSV, the clean transcript, titles and prompts."""
    parts: list[str] = []
    for token in _md.parse(str(text or "")):
        if token.type == "inline":
            if parts:
                parts.append("\n")
            for child in token.children or []:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append("\n")
        elif token.type == "code_block" or token.type == "fence":
            parts.append(("\n" if parts else "") + token.content.rstrip("\n"))
    return "".join(parts).strip()
