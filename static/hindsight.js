// Hindsight's one script: small enhancements over pages that work without it. Every form is
// still a plain POST; this only adds what a script can: the preview beside each Markdown field
// as one types, and drafts kept as one types (on the server, or in this browser while the server
// cannot be reached), with a warning before leaving what was not kept. No framework and no build step; the Content-Security-Policy allows this file
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

  // ---- Drafts -----------------------------------------------------------------------------------
  // A form with `data-autosave` sends what is typed there a moment after typing stops. The server
  // keeps it as this person's draft (shown back on their next visit, dropped when they save). A
  // copy goes to this browser's storage first, and stays there until the server has it: a closed
  // tab, an expired session or a server that is down loses nothing. The form's own save is
  // untouched.

  var KEEP_DELAY_MS = 1000;
  var RETRY_EVERY_MS = 15000;

  function autosave(form) {
    var url = form.getAttribute("data-autosave");
    var storageKey = "hindsight:draft:" + url;
    var status = form.querySelector(".autosave-status");
    var serverKept = Number(form.getAttribute("data-draft-kept") || 0);
    var unsent = false;
    var timer = null;
    var sending = false;
    var again = false;

    function fields() {
      var data = new URLSearchParams(new FormData(form));
      // A draft is not the form's save: its one-time key stays for the save itself.
      data.delete("idempotency_key");
      data.delete("action");
      return data;
    }

    function say(text, warn) {
      if (!status) return;
      status.hidden = false;
      status.textContent = text;
      status.classList.toggle("autosave-warn", !!warn);
    }

    function keepHere() {
      try {
        localStorage.setItem(storageKey, JSON.stringify({ at: Date.now(), fields: fields().toString() }));
      } catch (e) {
        // Storage full or refused: the server copy is all there is.
      }
    }

    function showOthers(others) {
      var presence = document.querySelector("[data-presence]");
      if (!presence || !others) return;
      presence.hidden = others.length === 0;
      presence.querySelector("[data-presence-names]").textContent = others.join("; ");
    }

    function send() {
      if (sending) {
        again = true;
        return;
      }
      sending = true;
      keepHere();
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        // A signed-out session answers with a redirect to the sign-in page: that is a failure.
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
        body: fields()
      })
        .then(function (response) {
          if (response.type === "opaqueredirect") throw new Error("signed out");
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (kept) {
          unsent = false;
          try {
            localStorage.removeItem(storageKey);
          } catch (e) {
            // Nothing to remove.
          }
          var at = new Date(kept.kept_ms);
          say("Draft kept at " + at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) +
            ". Saving makes it the postmortem.");
          showOthers(kept.others);
        })
        .catch(function () {
          say("Hindsight cannot be reached (or you were signed out): what you type is kept in this browser " +
            "and sent when it can be.", true);
        })
        .finally(function () {
          sending = false;
          if (again) {
            again = false;
            send();
          }
        });
    }

    function typed() {
      unsent = true;
      clearTimeout(timer);
      timer = setTimeout(send, KEEP_DELAY_MS);
    }

    // A copy left in this browser that is newer than the server's draft: put it back, and send it.
    try {
      var here = JSON.parse(localStorage.getItem(storageKey) || "null");
      if (here && here.at > serverKept) {
        new URLSearchParams(here.fields).forEach(function (value, name) {
          var field = form.elements.namedItem(name);
          // The hidden fields are the page's own (its one-time key), but for the version
          // the draft was typed over.
          if (field && (field.type !== "hidden" || name === "version")) {
            field.value = value;
            field.dispatchEvent(new Event("input", { bubbles: true }));
          }
        });
        say("Restored what you typed in this browser while Hindsight could not be reached.", true);
        unsent = true;
        send();
      } else if (here) {
        localStorage.removeItem(storageKey);
      }
    } catch (e) {
      // No storage, or a copy that does not read: the server's draft stands.
    }

    form.addEventListener("input", typed);
    form.addEventListener("change", typed);
    form.addEventListener("submit", function () {
      // The save takes over; a refused save shows the form again with what was typed.
      clearTimeout(timer);
      unsent = false;
      try {
        localStorage.removeItem(storageKey);
      } catch (e) {
        // Nothing to remove.
      }
    });
    setInterval(function () {
      if (unsent && !sending) send();
    }, RETRY_EVERY_MS);
    window.addEventListener("beforeunload", function (event) {
      if (!unsent) return;
      event.preventDefault();
      event.returnValue = "";
    });
  }

  document.querySelectorAll("form[data-autosave]").forEach(autosave);
})();
