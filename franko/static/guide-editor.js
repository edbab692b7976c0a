// The guide editor: the preview follows the text as the owner types (parsed by the server, the one
// place guides are read), and leaving with unsaved changes asks first. Without JavaScript the
// "Preview questions" button does the same by a form post.
(function () {
  "use strict";
  var form = document.getElementById("guide-form");
  if (!form) return;
  var textarea = form.querySelector("textarea[name=interview_guide]");
  var panel = document.getElementById("guide-preview");
  var csrf = form.querySelector("input[name=csrf_token]");
  var saved = (form.dataset.savedGuide || "").replace(/\r\n?/g, "\n");
  var timer = null;
  var latest = 0;
  var submitting = false;

  function refresh() {
    var ticket = ++latest;
    var body = new FormData();
    body.append("interview_guide", textarea.value);
    var headers = {};
    if (csrf) { headers["X-CSRFToken"] = csrf.value; body.append("csrf_token", csrf.value); }
    fetch(form.dataset.previewUrl, {method: "POST", body: body, headers: headers, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null && ticket === latest) panel.innerHTML = html; })
      .catch(function () { /* the preview button still works */ });
  }

  textarea.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (event) {
    if (!submitting && textarea.value.replace(/\r\n?/g, "\n").trim() !== saved.trim()) {
      event.preventDefault();
      event.returnValue = form.dataset.unsavedMessage;
      return form.dataset.unsavedMessage;
    }
  });
})();
