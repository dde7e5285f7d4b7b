// Hindsight's one script: small enhancements over pages that work without it. Every form is
// still a plain POST; this only adds what a script can: the preview beside each Markdown field
// as one types. No framework and no build step; the Content-Security-Policy allows this file
// and nothing inline.
(function () {
  "use strict";

  // Lets the stylesheet hide what only pages without a script need (the Preview button).
  document.documentElement.classList.add("js");

  // ---- Live preview ---------------------------------------------------------------------------
  // Each Markdown field names its preview (`data-preview`). A moment after typing stops, the
  // field's text goes to the server, which renders it with the same renderer and sanitizer as a
  // save would, and the preview shows the result.

  var PREVIEW_DELAY_MS = 350;

  function previewField(field) {
    var panel = document.getElementById(field.getAttribute("data-preview"));
    if (!panel) return;
    var output = panel.querySelector(".prose");
    panel.hidden = false;
    var timer = null;
    var inFlight = null;
    var shown = null;

    function render() {
      var text = field.value;
      if (text === shown) return;
      if (inFlight) inFlight.abort();
      var controller = new AbortController();
      inFlight = controller;
      panel.setAttribute("aria-busy", "true");
      fetch("/preview", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ markdown: text }),
        signal: controller.signal
      })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.text();
        })
        .then(function (html) {
          // Rendered and sanitized by the server: the same HTML the page shows once saved.
          output.innerHTML = html;
          shown = text;
          panel.classList.remove("preview-stale");
        })
        .catch(function (error) {
          if (error.name === "AbortError") return;
          panel.classList.add("preview-stale");
          output.innerHTML = "";
          var note = document.createElement("p");
          note.className = "placeholder";
          note.textContent = "The preview cannot be shown right now; what you type is not affected.";
          output.appendChild(note);
        })
        .finally(function () {
          if (inFlight === controller) {
            inFlight = null;
            panel.removeAttribute("aria-busy");
          }
        });
    }

    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(render, PREVIEW_DELAY_MS);
    });
    render();
  }

  document.querySelectorAll("textarea[data-preview]").forEach(previewField);
})();
