// IFSS Case Manager: starts Swagger UI on the partner API docs page (drf-spectacular's init
// script, kept out of the HTML so the Content Security Policy can forbid inline scripts).
// The schema URL and the CSRF header come from data attributes on #swagger-ui.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle === "undefined") { return; }
  var csrfHeader = root.getAttribute("data-csrf-header");
  var csrfToken = root.getAttribute("data-csrf-token");

  function requestInterceptor(request) {
    // Staff use the page signed in: unsafe same-origin requests carry the CSRF token.
    if (["GET", undefined].indexOf(request.method) === -1 &&
        request.credentials === "same-origin" && csrfHeader && csrfToken) {
      request.headers[csrfHeader] = csrfToken;
    }
    return request;
  }

  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-schema-url"),
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    requestInterceptor: requestInterceptor,
  });
})();
