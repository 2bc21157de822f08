// IFSS Case Manager: accessibility fixes for the Django admin's own scripts (kept out of the
// HTML, so the Content Security Policy can forbid inline scripts).
(function () {
  "use strict";
  // SelectFilter2.js (the two-list chooser) labels its search icon with aria-label on a
  // bare <span>, which ARIA does not allow (axe: aria-prohibited-attr): call it an image.
  function label(root) {
    if (!root.querySelectorAll) { return; }
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) {
        if (node.nodeType === 1) { label(node.parentNode || node); }
      });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
