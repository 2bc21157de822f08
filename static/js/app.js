// IFSS Case Manager: behaviour that needs script, kept out of the HTML (no inline scripts).
(function () {
  "use strict";
  // Ask before destructive or irreversible actions: <form data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  // Stop a double click from sending a form twice; the server also refuses duplicates.
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    var button = event.submitter;
    if (button && button.name) {
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = button.name;
      hidden.value = button.value;
      event.target.appendChild(hidden);
    }
    event.target.querySelectorAll("button[type=submit]").forEach(function (b) {
      b.disabled = true;
    });
  });
})();
