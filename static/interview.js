// The interview chat without page reloads: answers go by fetch (JSON), replies are appended and
// the newest message scrolled into view. Without JavaScript the form posts and the page reloads.
(function () {
  "use strict";
  var list = document.getElementById("messages");
  var form = document.getElementById("answer-form");
  if (list && list.lastElementChild) list.lastElementChild.scrollIntoView({block: "end"});
  if (!list || !form || !window.fetch) return;

  var textarea = form.querySelector("textarea[name=answer]");
  var button = form.querySelector("[type=submit]");
  var status = document.getElementById("answer-status");
  var csrf = form.querySelector("input[name=csrf_token]");

  function bubble(message) {
    var div = document.createElement("div");
    div.className = "chat-bubble rounded-3 px-3 py-2 " + (message.role === "assistant" ? "agent" : "interviewee");
    div.textContent = message.content;  // text, never HTML: an answer is shown exactly as typed
    return div;
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

  function finish(outcome) {
    var closed = document.getElementById("interview-closed");
    var text = document.getElementById("closed-text");
    if (outcome === "no_credit" || outcome === "closed") text.textContent = text.dataset.ended;
    form.remove();
    closed.classList.remove("d-none");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!textarea.value.trim()) { textarea.focus(); return; }  // empty answers are ignored
    button.disabled = true;
    status.textContent = "Sending…";
    var headers = {"Accept": "application/json"};
    if (csrf) headers["X-CSRFToken"] = csrf.value;
    fetch(form.action, {method: "POST", body: new FormData(form), headers: headers, credentials: "same-origin"})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.status === 409) { window.location.reload(); return; }
          if (!response.ok) throw new Error(data.error || "Your answer could not be sent. Please try again.");
          clearError();
          textarea.value = "";
          (data.messages || []).forEach(function (m) { list.appendChild(bubble(m)); });
          if (list.lastElementChild) list.lastElementChild.scrollIntoView({behavior: "smooth", block: "end"});
          if (data.finished) finish(data.outcome); else textarea.focus();
        });
      })
      .catch(function (error) {
        showError(error instanceof TypeError ? "Could not reach the server. Please check your connection and try again." : error.message);
      })
      .finally(function () { button.disabled = false; status.textContent = ""; });
  });

  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", {cancelable: true}));
    }
  });
})();
