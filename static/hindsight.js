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

  // ---- Everything else typed, kept in this browser ----------------------------------------------
  // The smaller forms of a postmortem (a timeline entry, an action item, a section, a comment, a
  // paste, and their edit forms) have no server draft: what is typed there is kept in this
  // browser's storage until it is sent, put back on the next visit (with a way to drop it), and
  // leaving with unsent text warns.

  var KEPT = "hindsight:typed:";

  function textFields(form) {
    return Array.prototype.filter.call(form.querySelectorAll("textarea, input, select"), function (field) {
      return field.name && field.name !== "idempotency_key" && field.name !== "version" && field.type !== "hidden" &&
        field.type !== "file" && field.type !== "checkbox" && field.type !== "radio";
    });
  }

  function changedFields(form) {
    var changed = {};
    var any = false;
    textFields(form).forEach(function (field) {
      var initial = field.tagName === "SELECT" ? field.getAttribute("data-initial") : field.defaultValue;
      if (field.value !== initial) {
        changed[field.name] = field.value;
        any = true;
      }
    });
    return any ? changed : null;
  }

  function keepTyped(form) {
    if (form.hasAttribute("data-kept-here")) return;
    form.setAttribute("data-kept-here", "");
    var key = KEPT + form.getAttribute("action");
    textFields(form).forEach(function (field) {
      if (field.tagName === "SELECT") field.setAttribute("data-initial", field.value);
    });
    try {
      var kept = JSON.parse(localStorage.getItem(key) || "null");
      // Put back only into a form as the page drew it (a refused form shows what was sent).
      if (kept && !changedFields(form) && !form.querySelector("[aria-invalid=true]")) {
        textFields(form).forEach(function (field) {
          if (Object.prototype.hasOwnProperty.call(kept, field.name)) field.value = kept[field.name];
        });
        var details = form.closest("details");
        if (details) details.open = true;
        var note = document.createElement("p");
        note.className = "kept-note";
        note.setAttribute("role", "status");
        note.textContent = "Put back what you typed here before it was sent. ";
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "button button-quiet";
        drop.textContent = "Discard it";
        drop.addEventListener("click", function () {
          textFields(form).forEach(function (field) {
            field.value = field.tagName === "SELECT" ? field.getAttribute("data-initial") : field.defaultValue;
          });
          localStorage.removeItem(key);
          note.remove();
        });
        note.appendChild(drop);
        form.insertBefore(note, form.firstChild);
      }
    } catch (e) {
      // No storage, or a copy that does not read: the form is as the page drew it.
    }
    function keep() {
      try {
        var changed = changedFields(form);
        if (changed) localStorage.setItem(key, JSON.stringify(changed));
        else localStorage.removeItem(key);
      } catch (e) {
        // Storage full or refused.
      }
    }
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    form.addEventListener("submit", function () {
      form.setAttribute("data-sent", "");
      try {
        localStorage.removeItem(key);
      } catch (e) {
        // Nothing to remove.
      }
    });
  }

  function keepTypedIn(root) {
    root.querySelectorAll("form[data-keep-typed]").forEach(keepTyped);
  }

  // After the first paint: the browser's storage is read from disk on first use, and the page
  // need not wait for it.
  setTimeout(function () {
    keepTypedIn(document);
  }, 0);

  window.addEventListener("beforeunload", function (event) {
    var unsent = Array.prototype.some.call(document.querySelectorAll("form[data-kept-here]"), function (form) {
      return !form.hasAttribute("data-sent") && changedFields(form);
    });
    if (!unsent) return;
    event.preventDefault();
    event.returnValue = "";
  });

  // ---- Conflicts ------------------------------------------------------------------------------
  // On a refused save, each field someone else changed shows their version; one click puts it in
  // the form in place of what was typed (which the form keeps until then).

  // Listened for on the document: a conflict can also be shown in place (an entry's editor).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-use-theirs]");
    if (!button) return;
    var name = button.getAttribute("data-use-theirs");
    var field = document.getElementById(name);
    var theirs = document.getElementById("theirs-" + name);
    if (!field || !theirs) return;
    field.value = theirs.textContent;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    button.textContent = "Theirs is in the form";
    button.disabled = true;
    field.focus();
  });

  // ---- Times kept by hand ---------------------------------------------------------------------
  // A start or end typed over a marked timeline entry's is kept as typed: its box ticks itself
  // (the server reads a changed time so too).
  document.querySelectorAll("[data-by-hand]").forEach(function (box) {
    var field = document.getElementById(box.getAttribute("data-by-hand"));
    if (!field) return;
    field.addEventListener("input", function () {
      box.checked = true;
    });
  });

  // ---- In place ---------------------------------------------------------------------------------
  // A form marked `data-in-place="<id>"` (adding a timeline entry or an action item, ticking an
  // item done) is sent without leaving the page: the page that comes back (the postmortem again,
  // or its form with errors) gives the element with that id, which replaces the one here. Any
  // surprise, and the form is sent the plain way.

  function typedInto(part) {
    return Array.prototype.some.call(part.querySelectorAll("input, textarea"), function (field) {
      return field.value !== field.defaultValue || field.checked !== field.defaultChecked;
    });
  }

  function openAndFocus(region, selector) {
    var details = region.querySelector(selector);
    if (!details) return;
    details.open = true;
    // A new entry's date is filled in already: its time is what to type next.
    var first =
      details.querySelector("input[name=time]") || details.querySelector("input:not([type=hidden]), textarea, select");
    if (first) first.focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var id = form.getAttribute && form.getAttribute("data-in-place");
    var region = id && document.getElementById(id);
    if (!region || event.defaultPrevented || !window.fetch || !window.DOMParser) return;
    event.preventDefault();
    var data = new URLSearchParams(new FormData(form));
    if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
    var adding = form.closest("details.add-form") !== null;
    var tick = form.classList.contains("tick");
    var tickIndex = tick ? Array.prototype.indexOf.call(region.querySelectorAll("form.tick"), form) : -1;
    region.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: data
    })
      .then(function (response) {
        return response.text().then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById(id);
          // An entry's editor sent from in place: the page that comes back is its edit page when
          // refused (errors, or someone saved it first), shown in place again.
          var own = form.getAttribute("data-in-place-else");
          var ownFresh = !fresh && own && doc.getElementById(own);
          if (ownFresh && document.getElementById(own)) {
            region.removeAttribute("aria-busy");
            document.getElementById(own).replaceWith(ownFresh);
            editInPlace(ownFresh);
            keepTypedIn(ownFresh);
            return;
          }
          if (!fresh) {
            // Not this page after all (the sign-in page, say): show what came back, as a plain
            // submit would have.
            document.open();
            document.write(html);
            document.close();
            return;
          }
          region.replaceWith(fresh);
          keepTypedIn(fresh);
          // What else the change may have moved (the start and end, what review still needs),
          // unless something is typed there.
          document.querySelectorAll("[data-refresh][id]").forEach(function (part) {
            var again = doc.getElementById(part.id);
            if (again && !typedInto(part)) part.replaceWith(again);
          });
          try {
            sessionStorage.removeItem("hindsight:adding-entry");
          } catch (e) {
            // Nothing to remove.
          }
          if (adding) openAndFocus(fresh, "details.add-form");
          if (tick) {
            var ticks = fresh.querySelectorAll("form.tick button");
            if (ticks[tickIndex]) ticks[tickIndex].focus();
          }
        });
      })
      .catch(function () {
        region.removeAttribute("aria-busy");
        form.submit();
      });
  });

  // ---- Timeline entries and action items edited in place -------------------------------------
  // An Edit link marked `data-edit-in-place="<editor id>"` fetches its edit page and shows the
  // editor there (the form and Delete) in the row's place; Save and Delete are then sent in
  // place (the section is replaced by the one that comes back), Cancel puts the row back. One
  // row at a time: edit pages' field ids are the same for every row.

  function closeEditors() {
    document.querySelectorAll("li.editing").forEach(function (row) {
      row.classList.remove("editing");
      var editor = row.querySelector(".inline-editor");
      if (editor) editor.remove();
    });
  }

  function editInPlace(editor) {
    var section = editor.closest("section[id]");
    if (!section) return;
    editor.querySelectorAll("form").forEach(function (form) {
      form.setAttribute("data-in-place", section.id);
      form.setAttribute("data-in-place-else", editor.id);
    });
    var cancel = editor.querySelector(".form-actions a");
    if (cancel) {
      cancel.addEventListener("click", function (event) {
        event.preventDefault();
        var row = editor.closest("li");
        closeEditors();
        var link = row && row.querySelector("[data-edit-in-place]");
        if (link) link.focus();
      });
    }
    var field =
      editor.querySelector("[aria-invalid=true]") ||
      editor.querySelector("input[name=time]") ||
      editor.querySelector("input:not([type=hidden]), select, textarea");
    if (field) field.focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("section[id] li a[data-edit-in-place]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (!window.fetch || !window.DOMParser) return;
    event.preventDefault();
    var row = link.closest("li");
    fetch(link.href, { credentials: "same-origin" })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        var editor = new DOMParser().parseFromString(html, "text/html").getElementById(link.getAttribute("data-edit-in-place"));
        if (!editor) {
          window.location.href = link.href;
          return;
        }
        closeEditors();
        row.classList.add("editing");
        row.appendChild(editor);
        editInPlace(editor);
        keepTypedIn(editor);
      })
      .catch(function () {
        window.location.href = link.href;
      });
  });

  // ---- Long sends ------------------------------------------------------------------------------
  // A form marked `data-busy="<what is happening>"` (an import) says so while the browser sends
  // it and waits, and is not sent twice; back on the page from history, it is ready again.

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var what = form.getAttribute && form.getAttribute("data-busy");
    if (!what || event.defaultPrevented) return;
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      return;
    }
    form.setAttribute("aria-busy", "true");
    var status = document.createElement("p");
    status.className = "busy";
    status.setAttribute("role", "status");
    status.appendChild(document.createElement("progress"));
    status.appendChild(document.createTextNode(" " + what));
    form.appendChild(status);
  });

  // A download marked `data-busy` (the archive of every postmortem, which takes the server a
  // while to make) is fetched by the script, saying what is happening and how far it got, then
  // saved under the name the server gives; if anything goes wrong, the plain link is followed.
  function sizeText(bytes) {
    return bytes < 1024 * 1024 ? Math.max(1, Math.round(bytes / 1024)) + " KB" : (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[download][data-busy]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (!window.fetch || !window.URL || !URL.createObjectURL) return;
    event.preventDefault();
    if (link.getAttribute("aria-busy") === "true") return;
    link.setAttribute("aria-busy", "true");
    var status = document.createElement("span");
    status.className = "busy busy-inline";
    status.setAttribute("role", "status");
    var bar = document.createElement("progress");
    var words = document.createTextNode(" " + link.getAttribute("data-busy"));
    status.appendChild(bar);
    status.appendChild(words);
    link.insertAdjacentElement("afterend", status);
    function done(text) {
      link.removeAttribute("aria-busy");
      bar.remove();
      words.textContent = text;
      setTimeout(function () {
        status.remove();
      }, 6000);
    }
    fetch(link.href, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        var named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
        var name = named ? named[1] : link.getAttribute("download") || "download";
        var total = Number(response.headers.get("Content-Length")) || 0;
        if (!response.body || !response.body.getReader) {
          return response.blob().then(function (blob) {
            return { blob: blob, name: name };
          });
        }
        var reader = response.body.getReader();
        var chunks = [];
        var received = 0;
        if (total) bar.max = total;
        function next() {
          return reader.read().then(function (part) {
            if (part.done) return { blob: new Blob(chunks, { type: "application/zip" }), name: name };
            chunks.push(part.value);
            received += part.value.length;
            if (total) bar.value = received;
            words.textContent = " Downloading " + sizeText(received) + (total ? " of " + sizeText(total) : "") + "…";
            return next();
          });
        }
        return next();
      })
      .then(function (got) {
        var url = URL.createObjectURL(got.blob);
        var save = document.createElement("a");
        save.href = url;
        save.download = got.name;
        save.hidden = true;
        document.body.appendChild(save);
        save.click();
        save.remove();
        setTimeout(function () {
          URL.revokeObjectURL(url);
        }, 60000);
        done(" Saved " + got.name + " (" + sizeText(got.blob.size) + ").");
      })
      .catch(function () {
        done(" The archive could not be made here; trying the plain link.");
        window.location.href = link.href;
      });
  });

  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-busy][aria-busy=true]").forEach(function (form) {
      form.removeAttribute("aria-busy");
      var status = form.querySelector("p.busy");
      if (status) status.remove();
    });
  });

  // ---- Keyboard shortcuts -------------------------------------------------------------------------
  // Listed on /help (src/web/help.rs): the two must agree. Single keys act only when the focus is
  // not in a field, so typing is never taken over.

  function isField(element) {
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  function submitForm(form) {
    var primary = form.querySelector("button.button-primary[type=submit]") || form.querySelector("button[type=submit]");
    if (form.requestSubmit) form.requestSubmit(primary || undefined);
    else form.submit();
  }

  function go(path) {
    window.location.href = path;
  }

  var ADDING_ENTRY = "hindsight:adding-entry";
  var waitingForG = false;
  var gTimer = null;

  document.addEventListener("keydown", function (event) {
    var modifier = event.ctrlKey || event.metaKey;
    // Escape in a row's editor puts the row back, unsaved.
    if (event.key === "Escape" && event.target.closest && event.target.closest("li.editing .inline-editor")) {
      var editing = event.target.closest("li.editing");
      closeEditors();
      var again = editing.querySelector("[data-edit-in-place]");
      if (again) again.focus();
      return;
    }
    var form = event.target.closest ? event.target.closest("form") : null;
    // Save: Ctrl/⌘ S, or Ctrl/⌘ Enter, in any form that sends a POST.
    if (modifier && !event.altKey && (event.key === "s" || event.key === "S" || event.key === "Enter")) {
      var target = form && form.method.toLowerCase() === "post" ? form : document.querySelector("form[data-autosave]");
      if (target) {
        event.preventDefault();
        submitForm(target);
      }
      return;
    }
    // Alt P: the previews beside Markdown fields, shown or hidden for more room to write.
    if (event.altKey && !modifier && event.code === "KeyP") {
      event.preventDefault();
      document.documentElement.classList.toggle("hide-previews");
      return;
    }
    // Enter in a new timeline entry's text adds it (Shift Enter for a new line), and the form
    // opens again for the next one.
    if (event.key === "Enter" && !event.shiftKey && !modifier && event.target.id === "entry-body") {
      event.preventDefault();
      try {
        sessionStorage.setItem(ADDING_ENTRY, "1");
      } catch (e) {
        // The form still adds the entry.
      }
      submitForm(form);
      return;
    }
    if (modifier || event.altKey || isField(event.target)) return;
    if (waitingForG) {
      waitingForG = false;
      if (event.key === "p") go("/incidents");
      if (event.key === "a") go("/action-items");
      return;
    }
    switch (event.key) {
      case "g":
        waitingForG = true;
        clearTimeout(gTimer);
        gTimer = setTimeout(function () {
          waitingForG = false;
        }, 1500);
        break;
      case "n": {
        var add = document.querySelector("#timeline details.add-form");
        event.preventDefault();
        if (add) {
          add.open = true;
          var time = add.querySelector("input[name=time]");
          if (time) time.focus();
        } else if (document.querySelector("a[href='/incidents/new']")) {
          go("/incidents/new");
        }
        break;
      }
      case "e": {
        var edit = Array.prototype.find.call(document.querySelectorAll("a[href]"), function (link) {
          return /^\/incidents\/\d+\/edit$/.test(link.getAttribute("href"));
        });
        if (edit) go(edit.getAttribute("href"));
        break;
      }
      case "?":
        go("/help");
        break;
      case "/": {
        var search = document.getElementById("site-search-q");
        if (search) {
          event.preventDefault();
          search.focus();
          search.select();
        }
        break;
      }
    }
  });

  // After adding an entry with Enter: the form again, ready for the next.
  try {
    if (sessionStorage.getItem(ADDING_ENTRY)) {
      sessionStorage.removeItem(ADDING_ENTRY);
      var again = document.querySelector("#timeline details.add-form");
      if (again) {
        again.open = true;
        var next = again.querySelector("input[name=time]");
        // After the load, when the browser has done with the address's #timeline.
        if (next) {
          window.addEventListener("load", function () {
            next.focus();
          });
        }
      }
    }
  } catch (e) {
    // No session storage: the page is as it is.
  }
})();
