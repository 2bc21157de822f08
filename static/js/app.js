// IFSS Case Manager: behaviour that needs script, kept out of the HTML (no inline scripts,
// so the Content Security Policy can forbid them).
(function () {
  "use strict";
  var body = document.body;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  // Django's JavaScript catalogue (/jsi18n/, loaded before this file) gives gettext and
  // interpolate; without it (a page that does not load it) the English text is shown.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  };

  // A case chooser (reporting/forms.py CaseSearchInput): a match clicked is put in the box.
  document.addEventListener("click", function (event) {
    var pick = event.target.closest ? event.target.closest("[data-case-pick]") : null;
    if (!pick) { return; }
    var matches = pick.closest("[data-case-matches]");
    var box = matches && matches.previousElementSibling;
    if (box && box.hasAttribute("data-case-search")) {
      box.value = pick.getAttribute("data-case-pick");
      box.focus();
    }
    if (matches) { matches.innerHTML = ""; }
  });

  // A refused form: focus goes to the summary of its errors (each links to its field).
  var errorSummary = document.getElementById("error-summary");
  if (errorSummary) { errorSummary.focus(); }

  // A data table (or a report card chart) wider than the screen scrolls in its own box:
  // that box can then take keyboard focus (arrow keys scroll it) and is named for screen
  // readers.
  function scrollableTables() {
    document.querySelectorAll(".table-responsive, .chart-with-values .chart").forEach(function (box) {
      var welsh = document.documentElement.lang === "cy";
      var chart = box.classList.contains("chart");
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) {
          var holder = box.closest("section, .card, main");
          var heading = holder && holder.querySelector("h1, h2, h3, caption");
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", (heading ? heading.textContent.trim() + ": " : "") +
            (chart ? (welsh ? "siart (sgroliwch i'r ochr)" : "chart (scrolls sideways)")
                   : (welsh ? "tabl (sgroliwch i'r ochr)" : "table (scrolls sideways)")));
        }
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  scrollableTables();
  window.addEventListener("resize", scrollableTables);
  window.addEventListener("load", scrollableTables);  // fonts and images change widths
  document.addEventListener("htmx:afterSettle", scrollableTables);  // a card built later

  // Ask before destructive or irreversible actions: <form data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // Stop a double click from sending a form twice; the server also refuses duplicates.
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    var form = event.target;
    var button = event.submitter;
    if (button && button.name) {
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = button.name;
      hidden.value = button.value;
      form.appendChild(hidden);
    }
    form.dataset.submitted = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
  });

  // A list that follows a choice: <select data-follows="outcome"> offers only the options
  // whose data-outcome is the chosen outcome (the screening reasons). Without script all
  // are offered, grouped; the server refuses a mismatch either way.
  document.querySelectorAll("select[data-follows]").forEach(function (select) {
    var form = select.form;
    var name = select.getAttribute("data-follows");
    if (!form) { return; }
    function follow() {
      var chosen = form.querySelector('[name="' + CSS.escape(name) + '"]:checked');
      var value = chosen ? chosen.value : "";
      select.querySelectorAll("option[data-outcome]").forEach(function (option) {
        var offered = value !== "" && option.getAttribute("data-outcome") === value;
        option.hidden = !offered;
        option.disabled = !offered;
        if (!offered && option.selected) { select.value = ""; }
      });
      select.querySelectorAll("optgroup").forEach(function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === name) { follow(); }
    });
    follow();
  });

  // A field required only by another answer (data-required-when="name=value"): its
  // "required" marker and the browser's check follow that answer. The server checks too.
  document.querySelectorAll("[data-required-when]").forEach(function (input) {
    var rule = input.getAttribute("data-required-when").split("=");
    var form = input.form;
    var marker = document.querySelector('[data-required-marker="' + CSS.escape(input.name) + '"]');
    if (!form) { return; }
    var update = function () {
      var answer = form.elements[rule[0]];
      var needed = !!answer && answer.value === rule[1];
      input.required = needed;
      input.setAttribute("aria-required", needed ? "true" : "false");
      if (marker) { marker.hidden = !needed; }
    };
    form.addEventListener("change", function (event) {
      if (event.target.name === rule[0]) { update(); }
    });
    update();
  });

  // "Add another member" adds the formset's blank member in the page, so no POST is left
  // behind for the Back button to resubmit. Without script the button posts instead.
  var memberTemplate = document.getElementById("member-template");
  document.querySelectorAll("[data-add-member]").forEach(function (button) {
    var form = button.form;
    var total = form && form.elements["members-TOTAL_FORMS"];
    if (!memberTemplate || !total) { return; }
    button.addEventListener("click", function (event) {
      var index = parseInt(total.value, 10) || 0;
      if (index >= parseInt(memberTemplate.getAttribute("data-max") || "20", 10)) { return; }
      event.preventDefault();
      var html = memberTemplate.innerHTML.replace(/__prefix__/g, String(index))
        .replace(/__number__/g, String(index + 1));
      var end = form.querySelector("[data-members-end]");
      end.insertAdjacentHTML("beforebegin", html);
      total.value = String(index + 1);
      var added = end.previousElementSibling;
      var first = added && added.querySelector("select, input");
      if (first) { first.focus(); }
      dirty = true;
    });
  });

  // --- Nothing typed is lost: forms are saved on the server while you type ---------------
  function formFields(form) {
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || typeof value !== "string") { return; }
      (fields[name] = fields[name] || []).push(value);
    });
    return fields;
  }
  function post(url, payload) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Content-Type": "application/json" },
      body: payload ? JSON.stringify(payload) : "{}",
    });
  }
  var autosaveUrl = body.getAttribute("data-autosave-url");
  var editable = Array.prototype.filter.call(document.querySelectorAll("main form[method=post]"),
    function (f) { return !f.hasAttribute("data-no-autosave") && f.querySelector("textarea, input[type=text], input[type=number], input[type=date], input[type=datetime-local], select"); });
  var dirty = false;
  editable.forEach(function (form) {
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
  });
  function saveDrafts() {
    if (!dirty || !autosaveUrl || !editable.length) { return Promise.resolve(); }
    // Leaving the page by sending its form: the server drops the draft once it accepts the
    // post, and a save landing after that would offer the sent form back on "Back".
    if (editable.some(function (form) { return form.dataset.submitted; })) { return Promise.resolve(); }
    dirty = false;
    var fields = {};
    editable.forEach(function (form) {
      var f = formFields(form);
      Object.keys(f).forEach(function (k) { fields[k] = f[k]; });
    });
    return post(autosaveUrl, { path: window.location.pathname, fields: fields }).catch(function () { dirty = true; });
  }
  if (autosaveUrl && editable.length) {
    window.setInterval(saveDrafts, 15000);
    window.addEventListener("pagehide", saveDrafts);
  }

  function fillForms(data) {
    editable.forEach(function (form) {
      Object.keys(data).forEach(function (name) {
        var values = data[name];
        var inputs = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
        inputs.forEach(function (input) {
          if (input.type === "checkbox" || input.type === "radio") {
            input.checked = values.indexOf(input.value) !== -1;
          } else if (input.tagName === "SELECT" && input.multiple) {
            Array.prototype.forEach.call(input.options, function (o) { o.selected = values.indexOf(o.value) !== -1; });
          } else if (input.type !== "hidden" || name !== "version") {
            input.value = values[0];
          }
        });
      });
    });
    dirty = true;
  }

  // Restore a saved draft into the page's form on request.
  var restoreButton = document.getElementById("draft-restore-button");
  var draftData = document.getElementById("form-draft-data");
  if (restoreButton && draftData) {
    restoreButton.addEventListener("click", function () {
      fillForms(JSON.parse(draftData.textContent));
      document.getElementById("draft-restore").remove();
    });
  }

  // --- A form the server could not take (503: the database was down) is not lost --------
  // Each post is kept in this tab's sessionStorage until a page other than the outage page
  // answers it; after an outage the form's page offers it back. The server-side autosave
  // cannot help then: it needs the same database.
  var UNSENT = "ifss-unsent-form";
  var tabStore = null;
  try { tabStore = window.sessionStorage; } catch (e) { tabStore = null; }
  function unsent() {
    try { return JSON.parse((tabStore && tabStore.getItem(UNSENT)) || "null"); } catch (e) { return null; }
  }
  if (tabStore) {
    document.addEventListener("submit", function (event) {
      if (event.defaultPrevented || editable.indexOf(event.target) === -1) { return; }
      tabStore.setItem(UNSENT, JSON.stringify({
        path: window.location.pathname, fields: formFields(event.target), at: Date.now(), state: "sent",
      }));
    });
    var offerUnsent = function () {
      var kept = unsent();
      if (body.hasAttribute("data-outage")) {
        if (kept) { kept.state = "failed"; tabStore.setItem(UNSENT, JSON.stringify(kept)); }
        return;
      }
      if (kept && kept.state === "sent") {
        tabStore.removeItem(UNSENT);  // the server answered it (saved, or the form with its errors)
        return;
      }
      if (!kept || kept.path !== window.location.pathname || !editable.length) { return; }
      if (document.querySelector("[data-testid=unsent-restore]")) { return; }
      var when = new Date(kept.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      var offer = document.createElement("div");
      offer.className = "alert alert-warning d-flex flex-wrap align-items-center gap-2";
      offer.setAttribute("role", "status");
      offer.setAttribute("data-testid", "unsent-restore");
      var text = document.createElement("span");
      text.className = "me-auto";
      text.textContent = interpolate(
        gettext("What you typed here at %(when)s was not sent: the server was unavailable."),
        { when: when }, true);
      var put = document.createElement("button");
      put.type = "button";
      put.className = "btn btn-sm btn-primary";
      put.textContent = gettext("Put it back");
      var drop = document.createElement("button");
      drop.type = "button";
      drop.className = "btn btn-sm btn-outline-secondary";
      drop.textContent = gettext("Discard");
      offer.append(text, put, drop);
      put.addEventListener("click", function () { fillForms(kept.fields); offer.remove(); });
      drop.addEventListener("click", function () { tabStore.removeItem(UNSENT); offer.remove(); });
      editable[0].parentNode.insertBefore(offer, editable[0]);
    };
    offerUnsent();
    // Back from the outage page out of the browser's cache: the form can be sent again.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) { return; }
      document.querySelectorAll("form[data-submitted]").forEach(function (form) {
        delete form.dataset.submitted;
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
      });
      offerUnsent();
    });
    var back = document.querySelector("[data-outage-back]");
    if (back && window.history.length > 1) {
      back.addEventListener("click", function (event) { event.preventDefault(); window.history.back(); });
    }
  }

  // --- Idle timeout: warn two minutes before the session ends -----------------------------
  // Closing the warning in any way (its button, Escape, a click outside it) keeps the user
  // signed in, and focus goes back where it was. Typing, clicking and scrolling count as
  // activity: they renew the session on the server (at most every 30 s), restarting the clock.
  var seconds = parseInt(body.getAttribute("data-session-seconds") || "0", 10);
  var keepaliveUrl = body.getAttribute("data-keepalive-url");
  var modalElement = document.getElementById("idle-warning");
  if (seconds > 0 && modalElement && window.bootstrap) {
    var modal = new window.bootstrap.Modal(modalElement);
    var warnTimer, endTimer, returnFocus = null, showing = false, lastRenewal = Date.now();
    // A timer's delay is a 32-bit count of milliseconds: a longer one (a session of more
    // than 24.8 days) fires at once in some browsers, and in Playwright's clock.
    var delay = function (secs) { return Math.min(secs * 1000, 2147483647); };
    var schedule = function () {
      window.clearTimeout(warnTimer);
      window.clearTimeout(endTimer);
      warnTimer = window.setTimeout(function () {
        returnFocus = document.activeElement;
        showing = true;
        modal.show();
      }, delay(Math.max(seconds - 120, seconds / 2)));
      endTimer = window.setTimeout(function () {
        saveDrafts().finally(function () {
          window.location.href = body.getAttribute("data-login-url") + "?next=" + encodeURIComponent(window.location.pathname);
        });
      }, delay(seconds));
    };
    var renew = function () {
      lastRenewal = Date.now();
      saveDrafts();
      schedule();
      return post(keepaliveUrl);
    };
    modalElement.addEventListener("shown.bs.modal", function () {
      modalElement.setAttribute("role", "alertdialog");  // Bootstrap sets role="dialog"
      document.getElementById("idle-stay").focus();
    });
    modalElement.addEventListener("hidden.bs.modal", function () {
      showing = false;
      renew();
      if (returnFocus && returnFocus !== document.body && document.contains(returnFocus)) {
        returnFocus.focus();
      }
      returnFocus = null;
    });
    document.getElementById("idle-stay").addEventListener("click", function () { modal.hide(); });
    ["keydown", "input", "mousedown", "scroll", "touchstart"].forEach(function (type) {
      document.addEventListener(type, function () {
        if (showing) { return; }  // the warning is answered by closing it
        if (Date.now() - lastRenewal > 30000) { renew(); }
      }, { passive: true, capture: true });
    });
    schedule();
  }
})();
