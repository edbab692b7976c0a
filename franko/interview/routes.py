"""The public interview (no login): intake, the chat, answers by form post or by fetch (JSON)."""
import uuid

from flask import (abort, current_app, flash, jsonify, make_response, redirect, render_template, request,
                   url_for)
from flask_limiter.util import get_remote_address

from franko.extensions import db, limiter
from franko.instances.services import parse_guide
from franko.interview import bp, tokens
from franko.interview.forms import AnswerForm, IntakeForm
from franko.interview.services import (MAX_ANSWER_CHARS, Outcome, load_messages, not_accepting_reason,
                                       organisation_name, public_messages, start_interview, submit_answer)
from franko.models import ChatInstance, ChatResponse


def rate_limit() -> str:
    return current_app.config["FRANKO_INTERVIEW_RATE_LIMIT"]


def response_key() -> str:
    """Rate-limit key of the response being answered (a second limit, on top of the per-IP one)."""
    return f"interview-response:{request.view_args.get('response_id')}"


# Every public endpoint is limited per IP; answers are limited per response too.
per_ip = limiter.limit(rate_limit, key_func=get_remote_address)
per_response = limiter.limit(rate_limit, key_func=response_key)


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def json_error(message: str, status: int):
    return jsonify({"error": message, "status": status}), status


def chat_url(instance_id: uuid.UUID, response_id: uuid.UUID) -> str:
    return url_for("interview.chat", instance_id=instance_id, response_id=response_id, _anchor="latest")


def owned_response(instance_id: uuid.UUID, response_id: uuid.UUID) -> tuple[ChatInstance, ChatResponse]:
    """The instance and the response, when this browser holds the token for exactly this response."""
    instance = db.get_or_404(ChatInstance, instance_id)
    if not tokens.holds(instance_id, response_id):
        abort(403)
    response = db.session.get(ChatResponse, response_id)
    if response is None or response.chat_instance_id != instance.id:
        abort(404)
    return instance, response


@bp.route("/<uuid:instance_id>", methods=["GET", "POST"])
@per_ip
def start(instance_id: uuid.UUID):
    instance = db.get_or_404(ChatInstance, instance_id)
    resume_id = tokens.current_response_id(instance_id)
    if resume_id and not request.args.get("new") and request.method == "GET":
        resumed = db.session.get(ChatResponse, resume_id)
        if resumed is not None and resumed.chat_instance_id == instance.id:
            return redirect(chat_url(instance_id, resume_id))
    owner = instance.owner
    reason = not_accepting_reason(instance, owner)
    form = IntakeForm()
    if reason is None and form.validate_on_submit():
        response_id = start_interview(instance, form.first_name.data, form.second_name.data, form.email.data)
        redirect_to = make_response(redirect(chat_url(instance_id, response_id)))
        tokens.set_token(redirect_to, instance_id, response_id)
        return redirect_to
    return render_template("interview/start.html", instance=instance, organisation=organisation_name(owner),
                           description=owner.organisation_description, reason=reason, form=form,
                           question_count=len(parse_guide(instance.interview_guide)))


@bp.route("/<uuid:instance_id>/r/<uuid:response_id>", methods=["GET"])
@per_ip
def chat(instance_id: uuid.UUID, response_id: uuid.UUID):
    instance, response = owned_response(instance_id, response_id)
    return render_chat(instance, response, AnswerForm(formdata=None))


@bp.route("/<uuid:instance_id>/r/<uuid:response_id>", methods=["POST"])
@per_ip
@per_response
def answer(instance_id: uuid.UUID, response_id: uuid.UUID):
    instance, response = owned_response(instance_id, response_id)
    form = AnswerForm()
    if not form.validate():
        message = " ".join(form.answer.errors) or "Your answer could not be read. Please try again."
        if wants_json():
            return json_error(message, 400)
        return render_chat(instance, response, form), 400
    try:
        result = submit_answer(instance, response_id, form.answer.data)
    except ValueError as error:  # a rule the form cannot see (e.g. the length once trimmed)
        if wants_json():
            return json_error(str(error), 400)
        form.answer.errors = [str(error)]
        return render_chat(instance, response, form), 400

    if result.outcome is Outcome.CONFLICT:
        message = "Your previous answer was still being handled. Here is where the interview stands."
        if wants_json():
            return json_error(message, 409)
        flash(message, "warning")
    if wants_json():
        return jsonify({"outcome": result.outcome.value, "messages": result.new_messages,
                        "finished": result.finished})
    return redirect(chat_url(instance_id, response_id))


def render_chat(instance: ChatInstance, response: ChatResponse, form: AnswerForm):
    owner = instance.owner
    return render_template(
        "interview/chat.html", instance=instance, response=response, form=form,
        organisation=organisation_name(owner), messages=public_messages(load_messages(response)),
        max_chars=MAX_ANSWER_CHARS,
    )
