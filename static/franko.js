// Franko's small progressive enhancements; every page works without them. No template holds an
// inline script or handler (the Content-Security-Policy forbids them): behaviour hangs on data-*.

// <form data-confirm="Question?">: ask before submitting (delete buttons).
document.querySelectorAll("form[data-confirm]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});

// <input data-select-on-focus>: the whole value is selected, ready to copy.
document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
  input.addEventListener("focus", function () { input.select(); });
});

// Copy buttons: <button data-copy-target="#input-id">. Hidden until this script shows them,
// since without JavaScript the readonly input (selected on focus) is the way to copy.
document.querySelectorAll("[data-copy-target]").forEach(function (button) {
  var input = document.querySelector(button.dataset.copyTarget);
  if (!input) return;
  var label = button.textContent;
  button.classList.remove("d-none");
  button.addEventListener("click", function () {
    function done() {
      button.textContent = button.dataset.copiedLabel || "Copied!";
      setTimeout(function () { button.textContent = label; }, 2000);
    }
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
});
