// The interview chat without page reloads. An answer is sent once (however the keys are pressed),
// shown at once, and the agent's reply streams in (Server-Sent Events over fetch) behind a typing
// indicator. The answer box stays free to type in meanwhile; nothing typed is ever cleared by a
// reply, and a draft survives a reload. Without JavaScript the form posts and the page reloads.
(function () {
  "use strict";
  var list = document.getElementById("messages");
  var form = document.getElementById("answer-form");
  if (list && list.lastElementChild) list.lastElementChild.scrollIntoView({block: "end"});
  if (!list || !form || !window.fetch || !window.TextDecoder) return;

  var textarea = form.querySelector("textarea[name=answer]");
  var button = form.querySelector("[type=submit]");
  var status = document.getElementById("answer-status");
  var csrf = form.querySelector("input[name=csrf_token]");
  var draftKey = form.dataset.draftKey;
  var sending = false;

  function storage() { try { return window.sessionStorage; } catch (e) { return null; } }
  function saveDraft() { var s = storage(); if (s) s.setItem(draftKey, textarea.value); }
  var saved = storage() && storage().getItem(draftKey);
  if (saved && !textarea.value) textarea.value = saved;
  textarea.addEventListener("input", saveDraft);
  // Focus in the answer box; again once loaded, since going to the #latest anchor moves focus away.
  textarea.focus();
  window.addEventListener("load", function () { setTimeout(function () { textarea.focus(); }, 0); });

  function bubble(role, text) {
    var div = document.createElement("div");
    div.className = "chat-bubble rounded-3 px-3 py-2 " + (role === "assistant" ? "agent md" : "interviewee");
    div.textContent = text;  // text, never HTML: an answer is shown exactly as typed
    return div;
  }

  function scrollDown() {
    if (list.lastElementChild) list.lastElementChild.scrollIntoView({behavior: "smooth", block: "end"});
  }

  function showError(text) {
    var feedback = form.querySelector(".invalid-feedback");
    if (!feedback) {
      feedback = document.createElement("div");
      feedback.className = "invalid-feedback";
      textarea.insertAdjacentElement("afterend", feedback);
    }
    feedback.textContent = text;
    textarea.classList.add("is-invalid");
  }

  function clearError() {
    textarea.classList.remove("is-invalid");
    var feedback = form.querySelector(".invalid-feedback");
    if (feedback) feedback.remove();
  }

  function showProgress(progress) {
    if (!progress) return;
    var text = document.getElementById("progress-text");
    var bar = document.getElementById("progress-bar");
    if (progress.done) text.textContent = "All " + progress.total + " questions answered";
    else text.textContent = "Question " + progress.question + " of " + progress.total;
    if (bar) bar.value = progress.done ? progress.total : Math.max(progress.question - 1, 0);
  }

  function finish(outcome) {
    var closed = document.getElementById("interview-closed");
    var text = document.getElementById("closed-text");
    if (outcome === "no_credit" || outcome === "closed") text.textContent = text.dataset.ended;
    var s = storage(); if (s) s.removeItem(draftKey);
    form.remove();
    closed.classList.remove("d-none");
  }

  // Reads an SSE body: calls onEvent(name, data) for each event as it arrives.
  function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    function pump() {
      return reader.read().then(function (chunk) {
        buffer += decoder.decode(chunk.value || new Uint8Array(), {stream: !chunk.done});
        var parts = buffer.split("\n\n");
        buffer = parts.pop();
        parts.forEach(function (part) {
          var name = "message", data = "";
          part.split("\n").forEach(function (line) {
            if (line.indexOf("event: ") === 0) name = line.slice(7);
            else if (line.indexOf("data: ") === 0) data += line.slice(6);
          });
          if (data) onEvent(name, JSON.parse(data));
        });
        if (!chunk.done) return pump();
      });
    }
    return pump();
  }

  function send() {
    var text = textarea.value;
    if (sending) return;  // one send per answer: Enter, Ctrl+Enter and clicks while sending do nothing
    if (!text.trim()) { textarea.focus(); return; }  // empty answers are ignored
    sending = true;
    button.disabled = true;
    status.textContent = "Sending…";
    var body = new FormData(form);
    // The answer is shown at once and the box emptied for the next one; it comes back on failure.
    var mine = bubble("user", text.trim());
    list.appendChild(mine);
    var reply = bubble("assistant", "");
    reply.classList.add("typing-indicator");
    reply.setAttribute("aria-label", "The interviewer is typing");
    list.appendChild(reply);
    scrollDown();
    textarea.value = "";
    saveDraft();
    var headers = {"Accept": "text/event-stream"};
    if (csrf) headers["X-CSRFToken"] = csrf.value;
    var streamed = "";
    var result = null;
    var failure = null;
    fetch(form.action, {method: "POST", body: body, headers: headers, credentials: "same-origin"})
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("text/event-stream") === 0) {
          status.textContent = "";
          return readEvents(response, function (name, data) {
            if (name === "token") {
              streamed += data.text;
              reply.textContent = streamed;
              reply.classList.remove("typing-indicator");
            } else if (name === "done") {
              result = data;
            } else if (name === "error") {
              failure = data;
            }
          });
        }
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.ok) result = data;
          else failure = {status: response.status, error: data.error};
        });
      })
      .then(function () {
        if (failure && failure.status === 409) { window.location.reload(); return; }
        if (failure || !result) throw new Error((failure && failure.error) || "Your answer could not be sent. Please try again.");
        clearError();
        var key = form.querySelector("input[name=key]");
        if (key && result.next_key) key.value = result.next_key;  // the next answer is a new one; a retry of this one kept its key
        mine.remove();
        reply.remove();
        (result.messages || []).forEach(function (m) {
          var div = bubble(m.role, m.content);
          if (m.role === "assistant" && m.html) div.innerHTML = m.html;  // rendered and sanitised by the server
          list.appendChild(div);
        });
        showProgress(result.progress);
        scrollDown();
        if (result.finished) finish(result.outcome); else textarea.focus();
      })
      .catch(function (error) {
        mine.remove();
        reply.remove();
        // Put the answer back, before whatever was typed meanwhile.
        textarea.value = textarea.value ? text + "\n" + textarea.value : text;
        saveDraft();
        showError(error instanceof TypeError ? "Could not reach the server. Please check your connection and try again." : error.message);
        textarea.focus();
      })
      .finally(function () { sending = false; button.disabled = false; status.textContent = ""; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send();
  });

  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (!event.repeat) send();
    }
  });
})();
