// Sends the feedback form in place and announces the result. Without this script the same
// forms work as ordinary posts followed by a redirect back to the page.
(function () {
  "use strict";

  // The in-place request failed (no network, or no answer the site made): post the form
  // the ordinary way instead, with the button the visitor clicked, which form.submit()
  // would leave out.
  function postAsForm(form, submitter) {
    if (submitter && submitter.name) {
      var clicked = document.createElement("input");
      clicked.type = "hidden";
      clicked.name = submitter.name;
      clicked.value = submitter.value;
      form.appendChild(clicked);
    }
    form.submit();
  }

  function show(widget, html) {
    var container = widget.querySelector("[data-feedback-body]");
    container.innerHTML = html;
    var focus = container.querySelector("[data-feedback-focus]");
    if (focus) {
      focus.focus();
    }
    return container;
  }

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
          if (data.html) {
            show(widget, data.html);
          } else {
            buttons.forEach(function (b) { b.disabled = false; });
          }
          status.textContent = data.error;
          return;
        }
        var container = show(widget, data.html);
        var thanks = container.querySelector(".feedback__thanks");
        status.textContent = thanks ? thanks.textContent : "";
      })
      .catch(function () {
        postAsForm(form, submitter);
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
