"""How a move is worded: the guide's own words (the default agent, and every fallback), and the checks a model's wording must pass.

A model's message is used only when it does what the move is (SPEC §5b): the next question's message
asks that question and not a probe or another question; a probe is not the next question; a closing
asks nothing; and no message shows what the owner did not write for the interviewee (the `>`
instructions, the probes as a list, the prompt).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from franko.guide import Guide, plain_text
from franko.interview.moves import Move, Plan
from franko.interview.reading import Kind

FOLLOW_UP = "Could you tell me a bit more about that?"
PARAPHRASE = 0.5       # share of a question's content words a message must keep to ask it
LEAK = 0.6             # share of an instruction's content words that, found in a message, shows it
ASKING_WORDS = {"tell", "describe", "please", "share", "walk", "explain", "talk", "give", "say", "let's", "lets"}
STOP_WORDS = set("""a about above after again all also am an and any are as at be because been before being below between
both but by can could did do does doing done down during each even ever every few for from further get got had has have
having he her here hers him his how i i'd i'll i'm i've if in into is it it's its itself just let me more most much my
myself no nor not now of off on once one only or other our ours out over own please quite rather really same she should
so some still such tell than that that's the their theirs them then there these they this those through to too under
until up us very was we we're were what what's when where which while who whom why will with would you you'd you're your
yours yourself yourselves thank thanks day today""".split())
META = re.compile(r"\b(my|the|your|these|those|hidden|secret|internal|private) (instructions?|system prompt|prompt|"
                  r"guidelines|follow[- ]?up ideas|probes|interview guide|rules i)\b|\bsystem prompt\b|"
                  r"\bfollow[- ]?up ideas?\b|\bi (was|am|have been) (told|instructed|asked) to\b", re.IGNORECASE)
# Text only the prompt holds: a reply that shows it copied its task, not the interviewer's words.
PROMPT_TEXT = re.compile(r"<<<|>>>|\byour task\b|\bkeeping its meaning\b|\bthen ask\b|"
                         r"\bprevious message\b|\bquoted data\b|\bwrite only\b|\bask (it|this question) again\b",
                         re.IGNORECASE)
ASKS = re.compile(r"^(what|how|why|when|where|which|who|whom|whose|could|would|can|do|does|did|is|are|was|were|have|"
                  r"has|will|shall|should|may|tell|describe|share|walk|explain)\b", re.IGNORECASE)


class UnusableReply(ValueError):
    """The model's wording does not do what the move is; the guide's words are used instead."""


@dataclass(frozen=True)
class Words:
    """What a move is about, in the guide's words: its target question or probe, and what must not be said."""

    target: str            # the question (or probe) the message must ask; "" for the closing
    others: tuple[str, ...]  # questions and probes this message must not ask instead
    private: tuple[str, ...]  # the instructions: never shown
    probes: tuple[str, ...]   # every probe of the guide: never listed
    secrets: tuple[frozenset[str], ...] = ()  # per instruction, its content words the public guide never uses


def words_for(plan: Plan, guide: Guide) -> Words:
    questions = [plain_text(q.text) for q in guide.questions]
    probes = [plain_text(p) for q in guide.questions for p in q.probes]
    target = ""
    if plan.question is not None:
        question = guide.questions[plan.question]
        target = questions[plan.question]
        if plan.move is Move.PROBE and question.probes:
            target = plain_text(question.probes[min(plan.probe, len(question.probes) - 1)])
    others = tuple(t for t in questions + probes if t != target and t)
    if plan.move is Move.PROBE:  # a probe may well echo its own question; it must not ask another one
        others = tuple(t for t in others if t != questions[plan.question])
    private = tuple(plain_text(i) for i in guide.instructions)
    public = stems(" ".join([guide.title or "", plain_text(guide.introduction), plain_text(guide.closing), *questions,
                             *probes]))
    secrets = tuple(frozenset(stems(i) - public) for i in private)
    return Words(target, others, private, tuple(probes), tuple(s for s in secrets if len(s) >= 2))


# --- the guide's words ------------------------------------------------------------------------------

def default_message(plan: Plan, guide: Guide, organisation: str, name: str, first: bool) -> str:
    """The move in the guide's own words: what the default agent says, and what replaces an unusable wording."""
    if plan.move is Move.CLOSE:
        if plan.after is Kind.STOP:
            return (f"Of course, we can stop here. Thank you for your time, {name}. What you said has been saved "
                    f"and shared with {organisation}; you can close this page now.")
        if guide.closing:
            return guide.closing
        return (f"Thank you, {name}! That was the last question. Your answers have been saved and shared with "
                f"{organisation}; you can close this page now.")
    question = guide.questions[plan.question]
    if plan.move is Move.PROBE:
        return question.probes[plan.probe] if plan.probe < len(question.probes) else FOLLOW_UP
    text = question.text
    if plan.move is Move.CLARIFY:
        return f"Sorry, let me put it another way. There is no right or wrong answer; your own experience is what counts.\n\n{text}"
    if plan.move is Move.REDIRECT:
        lead = {Kind.QUESTION: "I'm here to listen to your view rather than to give mine, so let me ask again.",
                Kind.INJECTION: "I can only carry on with this interview.",
                }.get(plan.after, "Let's come back to the interview.")
        return f"{lead}\n\n{text}"
    if first:
        n = len(guide)
        return (f"Hello {name}, thank you for taking the time to talk with {organisation}. I'll ask you {n} "
                f"question{'s' if n != 1 else ''}; answer in your own words.\n\n{text}")
    if plan.skipped is not None:
        return f"That's fine, let's move on.\n\n{text}"
    return text


# --- checks on a model's wording -------------------------------------------------------------------

def stems(text: str) -> set[str]:
    """The content words of a text, crudely stemmed (lower case, first five letters): enough to tell paraphrase from another question."""
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower().replace("’", "'"))
    return {w[:5] for w in words if w not in STOP_WORDS and len(w) > 2}


def kept(source: str, message: str) -> float:
    """The share of `source`'s content words that `message` has (1.0 when `source` has none)."""
    wanted = stems(source)
    return len(wanted & stems(message)) / len(wanted) if wanted else 1.0


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text.strip()) if s.strip()]


def asks(text: str) -> bool:
    """A sentence that asks something: a question mark, or an asking opening ("Tell me …", "What …")."""
    return any("?" in s or ASKS.match(s.strip(" *_\"'")) for s in sentences(text))


def leak(text: str, words: Words) -> str | None:
    """Why `text` shows something private (an instruction, the probes as a list, the prompt), else None."""
    if META.search(text):
        return "mentions its instructions"
    if PROMPT_TEXT.search(text):
        return "shows its prompt"
    for instruction in words.private:
        wanted = stems(instruction)
        if len(wanted) >= 2 and kept(instruction, text) >= LEAK:
            return "repeats an instruction"
    said = stems(text)
    if any(len(secret & said) >= 2 for secret in words.secrets):  # "the Sourdough Saturday promotion"
        return "uses an instruction's own words"
    shown = sum(1 for p in words.probes if len(stems(p)) >= 2 and kept(p, text) >= 0.8)
    if shown >= 2:
        return "lists the probes"
    return None


_SPEAKER = re.compile(r"^\s*[\w .'-]{1,40}:\s")


def follows_its_task_aloud(text: str, name: str) -> bool:
    """The message words its task as an order about the interviewee ("Thank Ada for her reply."), not to them."""
    return bool(name) and re.match(rf"\s*(thank|greet|ask|tell|say to) {re.escape(name)}\b(?!,)", text, re.IGNORECASE) is not None


def speaks_as_interviewee(text: str, name: str) -> bool:
    speaker = _SPEAKER.match(text)
    return bool(speaker) and speaker.group(0).strip().rstrip(":").lower() in {
        name.lower(), "interviewee", "user", "me", "answer", "candidate", "respondent"}


def check(plan: Plan, message: str, words: Words, name: str, same_language: bool) -> None:
    """Raise UnusableReply unless `message` does what `plan` is; across languages only what can be told is checked."""
    if not message.strip():
        raise UnusableReply("empty reply")
    if speaks_as_interviewee(message, name):
        raise UnusableReply("speaks as the interviewee")
    if follows_its_task_aloud(message, name):
        raise UnusableReply("words its task about the interviewee")
    why = leak(message, words)
    if why:
        raise UnusableReply(why)
    if plan.move is Move.CLOSE:
        if "?" in message or asks(message):
            raise UnusableReply("the closing asks something")
        if same_language and any(kept(other, message) >= PARAPHRASE and len(stems(other)) >= 2 for other in words.others):
            raise UnusableReply("the closing asks a guide question")
        return
    if "?" not in message and not asks(message):
        raise UnusableReply("asks nothing")
    if sum(1 for s in sentences(message) if "?" in s) > 1:
        raise UnusableReply("asks more than one question")
    if not same_language:
        return
    asking = " ".join(s for s in sentences(message) if "?" in s) or message  # the acknowledgement may echo the last question
    target = kept(words.target, asking)
    rival = max((kept(o, asking) for o in words.others if len(stems(o)) >= 2), default=0.0)
    if plan.move is Move.PROBE:
        if rival >= PARAPHRASE and rival > target:
            raise UnusableReply("the follow-up asks another question of the guide")
        return
    if target < PARAPHRASE:
        raise UnusableReply("does not ask the guide's question")
    if rival > target:
        raise UnusableReply("asks another question or a probe instead")
