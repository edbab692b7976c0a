"""The text helpers the offline summary and themes share: sentences, content words, verbatim matching.

Content words are lower-cased words of three letters or more that are not stop words (the `stop-words`
package's English list, plus discourse fillers such as "honestly" and "first"), with plurals
folded simply ("deliveries" → "delivery", "boxes" → "box", "prices" → "price"; not "ss", "us", "is").
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from stop_words import get_stop_words

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+|\n+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_APOSTROPHES = "'’‘"
_DOUBLE_QUOTES = "\"“”"
_QUOTE_TRIM = " \t\n\"'“”‘’«»…"
_TOKEN = re.compile(r"[^\W_]+(?:['’‘][^\W_]+)*")
MIN_SNAP_WORDS = 3  # a quote matched on its words alone has at least this many

# Discourse fillers and interview chatter (spans of time too): said by everyone, a theme of no one ("Honestly, first of all…").
FILLERS = frozenset("""
absolutely anyway basically bit certainly clearly completely definitely especially exactly finally first firstly
frankly generally genuinely guess honestly hopefully just kinda lastly literally lot lots mainly maybe nice
obviously personally pretty probably quite really second secondly seriously simply sorta stuff suppose sure
surely third thirdly thing things time times totally truly yeah
people day days week weeks month months year years morning mornings evening evenings night nights
""".split())
# The Alir3z4 English stop-word list (the `stop-words` package), with the fillers.
STOP_WORDS = frozenset(w.lower().replace("’", "'") for w in get_stop_words("en")) | FILLERS


def sentences(text: str) -> list[str]:
    """The sentences of a text, each exactly as written (a substring of `text`, stripped)."""
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s and s.strip()]


def words(text: str) -> list[str]:
    """Every word, lower-cased, apostrophes made straight."""
    return [w.lower().replace("’", "'").strip("'-") for w in _WORD.findall(text or "")]


def fold(word: str) -> str:
    """A simple plural folding: deliveries → delivery, boxes → box, prices → price."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "'s")):
        return word[:-1]
    return word


def is_content(word: str) -> bool:
    return len(word) >= 3 and word not in STOP_WORDS and not word.endswith("n't")


def content_words(text: str) -> list[str]:
    """The text's content words, folded, in order (repeats kept)."""
    return [fold(w) for w in words(text) if is_content(w)]


def terms(text: str) -> Iterator[tuple[str, str]]:
    """(folded term, surface form) for each content word and each two adjacent content words in a sentence."""
    for sentence in sentences(text):
        previous: tuple[str, str] | None = None
        for word in words(sentence):
            if not is_content(word):
                previous = None
                continue
            folded = fold(word)
            yield folded, word
            if previous is not None:
                yield f"{previous[0]} {folded}", f"{previous[1]} {word}"
            previous = (folded, word)


def mentions(sentence: str, term: str) -> bool:
    """Whether a sentence holds a folded term (one word, or two adjacent content words)."""
    return any(found == term for found, _ in terms(sentence))


def find_verbatim(quote: str, sources: Iterable[str]) -> str | None:
    """The text of `quote` exactly as it appears in one of `sources` (runs of whitespace and the kind of
    apostrophe or quotation mark aside; surrounding quotation marks trimmed), or None: a quote nobody said is never kept."""
    core = (quote or "").strip(_QUOTE_TRIM)
    if len(core.split()) < 2:
        return None
    parts = []
    for piece in core.split():
        escaped = "".join(f"[{_APOSTROPHES}]" if c in _APOSTROPHES else f"[{_DOUBLE_QUOTES}]" if c in _DOUBLE_QUOTES
                          else re.escape(c) for c in piece)
        parts.append(escaped)
    pattern = re.compile(r"\s+".join(parts))
    for source in sources:
        match = pattern.search(source or "")
        if match:
            return match.group(0)
    return None


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """(word lower-cased, apostrophes straight; start; end) for each word of a text."""
    return [(m.group(0).lower().replace("’", "'").replace("‘", "'"), m.start(), m.end())
            for m in _TOKEN.finditer(text or "")]


def snap_quote(quote: str, sources: Iterable[str]) -> str | None:
    """The span of a source that says `quote`'s words in the same order, as the source has it.

    A model copying a quote may change its spacing, punctuation or case, never its words: the quote
    is matched exactly first (`find_verbatim`), then as the same run of at least three words (the
    source's sentence-ending punctuation right after it kept). A word added, left out or changed: None.
    """
    sources = [s or "" for s in sources]
    exact = find_verbatim(quote, sources)
    if exact is not None:
        return exact
    wanted = [word for word, _, _ in _tokens(quote)]
    if len(wanted) < MIN_SNAP_WORDS:
        return None
    for source in sources:
        said = _tokens(source)
        for i in range(len(said) - len(wanted) + 1):
            if all(said[i + k][0] == wanted[k] for k in range(len(wanted))):
                start, end = said[i][1], said[i + len(wanted) - 1][2]
                while end < len(source) and source[end] in ".!?…":
                    end += 1
                return source[start:end]
    return None


def join_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
