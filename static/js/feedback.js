// Sends the feedback form in place and announces the result. Without this script the same
// forms work as ordinary posts followed by a redirect back to the page.
(function () {
  "use strict";

  function send(widget, form, submitter) {
    var body = new URLSearchParams(new FormData(form));
    if (submitter && submitter.name) {
      body.set(submitter.name, submitter.value);
    }
    var status = widget.querySelector("[data-feedback-status]");
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, {
      method: "POST",
      headers: { "Accept": "application/json" },
      body: body,
      credentials: "omit"
    })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (!data.ok) {
          status.textContent = data.error;
          buttons.forEach(function (b) { b.disabled = false; });
          return;
        }
        var container = widget.querySelector("[data-feedback-body]");
        container.innerHTML = data.html;
        var thanks = container.querySelector(".feedback__thanks");
        status.textContent = thanks ? thanks.textContent : "";
        var focus = container.querySelector("[data-feedback-focus]");
        if (focus) {
          focus.focus();
        }
      })
      .catch(function () {
        // Fall back to an ordinary post, which shows its own message.
        form.submit();
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var widget = form.closest("[data-feedback]");
    if (!widget || !window.fetch) {
      return;
    }
    event.preventDefault();
    send(widget, form, event.submitter);
  });
})();
