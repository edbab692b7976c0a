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
    var text = "value" in input ? input.value : input.textContent;
    if (input.select) input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
});

// Times: the server writes UTC (<time datetime="…Z" data-local="datetime|date|time">); shown here
// in the reader's own time zone, with the zone named. The UTC text stays as the tooltip.
document.querySelectorAll("time[data-local]").forEach(function (el) {
  var moment = new Date(el.getAttribute("datetime"));
  if (isNaN(moment.getTime())) return;
  var style = el.dataset.local;
  var options = {day: "2-digit", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"};
  if (style === "date") options = {day: "2-digit", month: "short", year: "numeric"};
  if (style === "time") options = {hour: "2-digit", minute: "2-digit", timeZoneName: "short"};
  el.title = el.textContent;
  el.textContent = moment.toLocaleString(undefined, options);
  el.dataset.converted = "1";
});

// Filters applied on change: a <form data-auto-submit> submits when one of its selects or dates changes.
document.querySelectorAll("form[data-auto-submit]").forEach(function (form) {
  form.querySelectorAll("select, input[type=date]").forEach(function (input) {
    input.addEventListener("change", function () { form.requestSubmit ? form.requestSubmit() : form.submit(); });
  });
});
