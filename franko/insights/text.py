"""The text helpers the offline summary and themes share: sentences, content words, verbatim matching.

Content words are lower-cased words of three letters or more that are not stop words, with plurals
folded simply ("deliveries" → "delivery", "boxes" → "box", "prices" → "price"; not "ss", "us", "is").
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+|\n+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_APOSTROPHES = "'’‘"
_DOUBLE_QUOTES = "\"“”"
_QUOTE_TRIM = " \t\n\"'“”‘’«»…"

STOP_WORDS = frozenset("""
a about above actually after again against all almost also although always am among an and another any anyone
anything anyway are aren't around as at away back be became because been before being below between both
but by can can't cannot could couldn't did didn't do does doesn't doing don't done down during each either else
enough etc even ever every everyone everything few for from further get gets getting give given go goes going
gone good got great had hadn't has hasn't have haven't having he he'd he'll he's her here hers herself him
himself his how however i i'd i'll i'm i've if in into is isn't it it's its itself just keep kind know known
last least less let let's like likely little lot lots made make makes making many may maybe me mean means
might mine more most mostly much must my myself need needs never new next nice no none nor not nothing now of
off often oh ok okay on once one ones only onto or other others otherwise our ours ourselves out over own
part people per perhaps pretty probably put quite rather really right said same say saying says see seem seems
several shall she she'd she'll she's should shouldn't since so some somebody someone something sometimes
somewhat still such sure take takes tell than thank thanks that that's the their theirs them themselves then
there there's these they they'd they'll they're they've thing things think this those though through thus
time times to today together too took toward towards try trying two under unless until up upon us use used
uses using usually very via want wanted wants was wasn't way ways we we'd we'll we're we've well went were
weren't what what's whatever when where whether which while who who's whole whom whose why will with within
without won't would wouldn't yeah year years yes yet you you'd you'll you're you've your yours yourself
yourselves
""".split())


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


def join_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
