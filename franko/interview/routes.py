"""The public interview (no login): intake, the chat, answers by form post, by fetch (JSON) or streamed (SSE)."""
import json
import uuid

from flask import (Response, current_app, flash, jsonify, make_response, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_limiter.util import get_remote_address

from franko.extensions import db, limiter
from franko.guide import render
from franko.interview import bp, tokens
from franko.interview.agent import Turn
from franko.interview.forms import AnswerForm, IntakeForm
from franko.interview.services import (MAX_ANSWER_CHARS, AnswerResult, Outcome, begin_answer, estimate_minutes,
                                       not_accepting_reason, organisation_name, progress, public_messages,
                                       open_interview, prepare_interview, reply_stream, store_answer)
from franko.guide_versions import guide_of
from franko.jobs.queue import crash_point
from franko.models import ChatInstance, ChatResponse

CONFLICT_MESSAGE = "Your previous answer was still being handled. Here is where the interview stands."


def rate_limit() -> str:
    return current_app.config["FRANKO_INTERVIEW_RATE_LIMIT"]


def response_key() -> str:
    """Rate-limit key of the response being answered (a second limit, on top of the per-IP one)."""
    return f"interview-response:{request.view_args.get('response_id')}"


# Every public endpoint is limited per IP; answers are limited per response too.
per_ip = limiter.limit(rate_limit, key_func=get_remote_address)
per_response = limiter.limit(rate_limit, key_func=response_key)


def wants(mimetype: str) -> bool:
    return request.accept_mimetypes.best == mimetype


def json_error(message: str, status: int):
    return jsonify({"error": message, "status": status}), status


def chat_url(instance_id: uuid.UUID, response_id: uuid.UUID) -> str:
    return url_for("interview.chat", instance_id=instance_id, response_id=response_id, _anchor="latest")


def unavailable(reason: str, status: int):
    """The interviewee's own page for a link that leads nowhere (not the dashboard's error page)."""
    if wants("application/json"):
        return json_error(reason, status)
    return render_template("interview/unavailable.html", reason=reason), status


BAD_LINK = "This interview link is not valid. Please check the link you were given, or ask whoever sent it."
OTHER_BROWSER = ("This interview was started in another browser. Please continue it there, on the device where "
                 "you began.")


def owned_response(instance_id: uuid.UUID, response_id: uuid.UUID):
    """(instance, response, None) when this browser holds the token for exactly this response, else (.., error page)."""
    instance = db.session.get(ChatInstance, instance_id)
    if instance is None:
        return None, None, unavailable(BAD_LINK, 404)
    if not tokens.holds(instance_id, response_id):
        return None, None, unavailable(OTHER_BROWSER, 403)
    response = db.session.get(ChatResponse, response_id)
    if response is None or response.chat_instance_id != instance.id:
        return None, None, unavailable(BAD_LINK, 404)
    return instance, response, None


@bp.route("/<path:anything>", methods=["GET", "POST"])
@per_ip
def bad_link(anything: str):
    return unavailable(BAD_LINK, 404)


@bp.route("/<uuid:instance_id>", methods=["GET", "POST"])
@per_ip
def start(instance_id: uuid.UUID):
    instance = db.session.get(ChatInstance, instance_id)
    if instance is None:
        return unavailable(BAD_LINK, 404)
    resume_id = tokens.current_response_id(instance_id)
    if resume_id and not request.args.get("new") and request.method == "GET":
        resumed = db.session.get(ChatResponse, resume_id)
        if resumed is not None and resumed.chat_instance_id == instance.id:
            return redirect(chat_url(instance_id, resume_id))
    owner = instance.owner
    reason = not_accepting_reason(instance, owner)
    form = IntakeForm()
    if reason is None and form.validate_on_submit():
        starting = prepare_interview(instance, form.first_name.data, form.second_name.data, form.email.data)
        db.session.commit()  # no transaction open while the agent thinks, nor one that read before it writes
        response_id = open_interview(starting)
        db.session.commit()
        redirect_to = make_response(redirect(chat_url(instance_id, response_id)))
        tokens.set_token(redirect_to, instance_id, response_id)
        return redirect_to
    guide = instance.guide
    return render_template("interview/start.html", instance=instance, organisation=organisation_name(owner),
                           description=owner.organisation_description, reason=reason, form=form, guide=guide,
                           question_count=len(guide), minutes=estimate_minutes(len(guide)))


@bp.route("/<uuid:instance_id>/r/<uuid:response_id>", methods=["GET"])
@per_ip
def chat(instance_id: uuid.UUID, response_id: uuid.UUID):
    instance, response, error = owned_response(instance_id, response_id)
    if error:
        return error
    return render_chat(instance, response, AnswerForm(formdata=None))


@bp.route("/<uuid:instance_id>/r/<uuid:response_id>", methods=["POST"])
@per_ip
@per_response
def answer(instance_id: uuid.UUID, response_id: uuid.UUID):
    instance, response, error = owned_response(instance_id, response_id)
    if error:
        return error
    form = AnswerForm()
    streamed, as_json = wants("text/event-stream"), wants("application/json")
    if not form.validate():
        message = " ".join(form.answer.errors) or "Your answer could not be read. Please try again."
        if streamed or as_json:
            return json_error(message, 400)
        return render_chat(instance, response, form), 400
    try:
        pending = begin_answer(instance, response_id, form.answer.data, form.key.data or None)
        db.session.commit()  # the read ends: no transaction open while the agent thinks
        if isinstance(pending, AnswerResult):
            result = pending
        elif streamed:
            return stream_reply(pending)
        else:  # the plain-form and JSON path: the agent's whole reply, then the write
            turn = None
            for item in reply_stream(pending):
                if isinstance(item, Turn):
                    turn = item
            result = store(pending, turn)
    except ValueError as error:  # a rule the form cannot see (e.g. the length once trimmed)
        if streamed or as_json:
            return json_error(str(error), 400)
        form.answer.errors = [str(error)]
        return render_chat(instance, response, form), 400

    if result.outcome is Outcome.CONFLICT:
        if streamed or as_json:
            return json_error(CONFLICT_MESSAGE, 409)
        flash(CONFLICT_MESSAGE, "warning")
    if streamed or as_json:
        return jsonify(result_json(result))
    return redirect(chat_url(instance_id, response_id))


def store(pending, turn: Turn | None) -> AnswerResult:
    """Store the answer and the reply (store_answer), then commit what it kept or roll back what it refused."""
    result = store_answer(pending, turn)
    if not result.kept:
        db.session.rollback()
        return result
    db.session.commit()
    if result.outcome is Outcome.ANSWERED and result.finished:
        crash_point("completion_committed")  # the fault test's hook (FRANKO_TEST_CRASH_AT); nothing otherwise
    return result


def result_json(result: AnswerResult) -> dict:
    """The outcome for the page's script; the agent's messages come with their safe HTML too."""
    messages = [dict(m, html=str(render(m["content"]))) if m["role"] == "assistant" else m
                for m in result.new_messages]
    return {"outcome": result.outcome.value, "messages": messages, "finished": result.finished,
            "progress": result.progress, "replayed": result.replayed, "next_key": uuid.uuid4().hex}


def sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def stream_reply(pending):
    """Server-Sent Events: `token` events with the reply's text as the agent writes it, then `done` with what was stored.

    The stored reply (in `done`) is the one that counts: a reply the agent withdrew (a broken
    stream, a rule broken) was replaced by the default agent's, and the page shows that instead.
    """
    def events():
        replies = reply_stream(pending)
        turn, storing = None, False
        try:
            yield ": reply on its way\n\n"  # headers and a first byte at once: the page shows its typing indicator
            for item in replies:
                if isinstance(item, Turn):
                    turn = item
                elif item:
                    yield sse("token", {"text": item})
            storing = True
            result = store(pending, turn)
            if result.outcome is Outcome.CONFLICT:
                yield sse("error", {"error": CONFLICT_MESSAGE, "status": 409})
            else:
                yield sse("done", result_json(result))
        finally:
            if not storing:  # the browser went away mid-reply: the answer (and the reply) are kept all the same
                for item in replies:
                    if isinstance(item, Turn):
                        turn = item
                store(pending, turn)

    return Response(stream_with_context(events()), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def render_chat(instance: ChatInstance, response: ChatResponse, form: AnswerForm):
    owner = instance.owner
    if not form.key.data:
        form.key.data = uuid.uuid4().hex  # a new answer gets a new key; a refused one keeps its own
    conversation = response.conversation
    total = len(guide_of(response, instance))
    return render_template(
        "interview/chat.html", instance=instance, response=response, form=form,
        organisation=organisation_name(owner), messages=public_messages(conversation),
        progress=progress(conversation, total), max_chars=MAX_ANSWER_CHARS,
    )
