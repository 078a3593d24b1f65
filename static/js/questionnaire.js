/* The questionnaire's background save: nothing typed is lost.
 *
 * - Every change is kept on this device (localStorage) until the server confirms it saved it.
 * - Answers save 0.8 s after a change, comments 2 s after the last keystroke; each save counts
 *   as activity for the idle sign-out.
 * - When the page is hidden or left (pagehide / visibilitychange), what is not saved yet is
 *   sent at once with navigator.sendBeacon (the form's CSRF token goes with it).
 * - A save that meets an expired session (401) or any other refusal says so in place; what was
 *   typed stays on this device and is saved when the page is opened again after signing in.
 * - What is kept remembers the server's last save it started from (data-saved-at): if the
 *   server has a newer save when the page opens again (the beacon arrived, or another device
 *   saved since), the server wins and the kept copy is dropped.
 * Without JavaScript the form posts as usual.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var status = document.getElementById("autosave-status");
  var storageKey = "compass-draft:" + form.getAttribute("action");
  var version = 0;        // bumped on every change
  var savedVersion = 0;   // the last version the server confirmed
  var timer = null;
  var inFlight = false;
  var waitingSubmit = null;
  var base = form.dataset.savedAt || "0";  // the server's last save this page knows of  // a button pressed while a background save was still running

  function fields() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.name === "csrfmiddlewaretoken" || el.name === "go") return;
      if (el.type === "radio") {
        if (el.checked) data[el.name] = el.value;
      } else if (el.tagName === "TEXTAREA") {
        data[el.name] = el.value;
      }
    });
    return data;
  }

  function keep() {
    try {
      localStorage.setItem(storageKey, JSON.stringify({ base: base, data: fields() }));
    } catch (e) { /* private mode or full: the server save still runs */ }
  }

  function forget() {
    try { localStorage.removeItem(storageKey); } catch (e) { /* nothing kept */ }
  }

  function kept() {
    try { return JSON.parse(localStorage.getItem(storageKey) || "null"); } catch (e) { return null; }
  }

  function say(html, kind) {
    if (!status) return;
    status.className = "small " + (kind === "error" ? "text-danger" : "text-success");
    status.setAttribute("role", kind === "error" ? "alert" : "status");
    status.innerHTML = html;
  }

  function body(extra) {
    var data = new FormData(form);
    data.delete("go");
    data.set("autosave", extra || "1");
    return data;
  }

  function save() {
    clearTimeout(timer);
    if (version === savedVersion) return;
    if (inFlight) { timer = setTimeout(save, 400); return; }
    inFlight = true;
    var sending = version;
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: body(),
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-Autosave": "1" }
    }).then(function (response) {
      return response.text().then(function (text) { return { response: response, text: text }; });
    }).then(function (result) {
      var response = result.response;
      if (response.status === 200 && !response.headers.get("X-Autosave-Error")) {
        savedVersion = sending;
        base = response.headers.get("X-Saved-At") || base;
        if (version !== savedVersion) keep();  // still unsaved changes: kept on the new base
        if (version === savedVersion) forget();
        say(result.text, "ok");
      } else if (response.status === 401 || response.type === "opaqueredirect") {
        say(form.dataset.signedOutMessage, "error");
      } else if (response.status === 200) {
        say(result.text, "error");  // the server's own reason, e.g. a comment too long
      } else {
        say(form.dataset.notSavedMessage, "error");
      }
    }).catch(function () {
      say(form.dataset.offlineMessage, "error");
    }).then(function () {
      inFlight = false;
      if (waitingSubmit) {
        var button = waitingSubmit;
        waitingSubmit = null;
        form.requestSubmit(button);
      }
    });
  }

  function changed(delay) {
    version += 1;
    keep();
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  form.addEventListener("change", function (event) {
    changed(800);
  });
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA") changed(2000);
  });

  // A navigation button posts the whole section itself: no background save or beacon beside
  // it. A save still running finishes first, so the two never write at once.
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    if (inFlight) {
      event.preventDefault();
      waitingSubmit = event.submitter || null;
      return;
    }
    savedVersion = version;
  });

  function flush() {
    if (version === savedVersion) return;
    clearTimeout(timer);
    if (navigator.sendBeacon && navigator.sendBeacon(form.getAttribute("action"), body("beacon"))) {
      savedVersion = version;  // kept on this device until a later page load finds it saved
    } else {
      save();
    }
  }
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });

  // Typed earlier and not confirmed saved (signed out, offline, closed too fast): put it back
  // into the form, and save it now.
  var earlier = kept();
  if (earlier && earlier.base !== base) {
    forget();  // the server saved after this was kept: its answers win
    earlier = null;
  }
  if (earlier && earlier.data) {
    var differs = false;
    Object.keys(earlier.data).forEach(function (name) {
      var value = earlier.data[name];
      var el = form.elements.namedItem(name);
      if (!el) return;
      if (el.tagName === "TEXTAREA") {
        if (el.value !== value) { el.value = value; differs = true; }
      } else {
        var radio = form.querySelector('input[type="radio"][name="' + name + '"][value="' + value + '"]');
        if (radio && !radio.checked) { radio.checked = true; differs = true; }
      }
    });
    if (differs) {
      say(form.dataset.restoredMessage, "ok");
      changed(0);
    } else {
      forget();
    }
  }
})();
