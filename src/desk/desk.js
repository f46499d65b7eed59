// The desk's editor, improved where JavaScript runs (everything works without it): a live
// preview as the critic types, and what is typed kept in this browser until it is saved.
(function () {
  "use strict";
  var form = document.querySelector("form.editor");
  if (!form) { return; }
  var key = "reviewpub-unsaved:" + form.getAttribute("action");
  var status = document.createElement("p");
  status.className = "hint autosave";
  status.setAttribute("role", "status");
  form.appendChild(status);

  // The preview frame: the one the Preview button filled, or a new one.
  var frame = document.querySelector("iframe.preview");
  var drawn = Boolean(frame);
  if (!frame) {
    var heading = document.createElement("h2");
    heading.id = "preview";
    heading.textContent = "Preview";
    frame = document.createElement("iframe");
    frame.className = "preview";
    frame.title = "Preview of the review's page";
    frame.setAttribute("sandbox", "");
    var after = document.querySelector("form.delete-review") || form;
    after.parentNode.insertBefore(frame, after.nextSibling);
    after.parentNode.insertBefore(heading, frame);
  }

  function fields() {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrf" || name === "action") { return; }
      (data[name] = data[name] || []).push(String(value));
    });
    return data;
  }

  function time(at) {
    return new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  var asked = 0;
  function preview() {
    var body = new URLSearchParams(new FormData(form));
    body.set("action", "preview");
    var ticket = ++asked;
    fetch("/admin/preview", { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) { if (ticket === asked) { frame.srcdoc = html; } })
      .catch(function () { status.textContent = "The preview could not be drawn (is the server there?)."; });
  }

  function keep() {
    try {
      var at = Date.now();
      localStorage.setItem(key, JSON.stringify({ at: at, fields: fields() }));
      status.textContent = "Unsaved changes kept in this browser at " + time(at) + ".";
    } catch (e) { /* private browsing: nothing kept */ }
  }

  var timer;
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { keep(); preview(); }, 600);
  });
  form.addEventListener("submit", function () {
    clearTimeout(timer);
    try { localStorage.removeItem(key); } catch (e) { /* nothing was kept */ }
  });
  // The server drew it already after the Preview button; otherwise draw it now.
  if (!drawn) { preview(); }

  // What was typed here and never saved: offered back.
  var kept;
  try { kept = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { kept = null; }
  if (!kept || !kept.fields || JSON.stringify(kept.fields) === JSON.stringify(fields())) { return; }
  var offer = document.createElement("div");
  offer.className = "notice restore";
  offer.setAttribute("role", "status");
  var text = document.createElement("p");
  text.textContent = "This browser kept changes you did not save (" + time(kept.at) + ").";
  var restore = document.createElement("button");
  restore.type = "button";
  restore.id = "restore_unsaved";
  restore.textContent = "Bring them back";
  var discard = document.createElement("button");
  discard.type = "button";
  discard.className = "secondary";
  discard.textContent = "Discard them";
  offer.appendChild(text);
  offer.appendChild(restore);
  offer.appendChild(document.createTextNode(" "));
  offer.appendChild(discard);
  form.parentNode.insertBefore(offer, form);
  restore.addEventListener("click", function () {
    Object.keys(kept.fields).forEach(function (name) {
      var values = kept.fields[name];
      var inputs = form.querySelectorAll("[name=\"" + name.replace(/"/g, "") + "\"]");
      Array.prototype.forEach.call(inputs, function (input, i) {
        if (input.type === "checkbox" || input.type === "radio") {
          input.checked = values.indexOf(input.value) >= 0;
        } else if (i < values.length) {
          input.value = values[i];
        }
      });
    });
    offer.remove();
    preview();
    status.textContent = "Unsaved changes brought back: save them to keep them.";
  });
  discard.addEventListener("click", function () { localStorage.removeItem(key); offer.remove(); });
})();
