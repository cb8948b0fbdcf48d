// The API documentation (/api/docs): names and keyboard access that Swagger UI's markup lacks
// (WCAG 2.1 AA), added as Swagger UI renders: its title one heading level down, a name for the parameter lists, the copy and close
// buttons, a tab stop on code blocks that scroll, and button names that match their text.
(function () {
  "use strict";
  const root = document.getElementById("swagger-ui");
  if (!root) return;

  function label(element, text) {
    if (!element.hasAttribute("aria-label") && !element.textContent.trim()) element.setAttribute("aria-label", text);
  }

  function repair() {
    // The page's own <h1> names the page; Swagger UI's title (also an <h1>) is a level below it.
    root.querySelectorAll(".info h1.title").forEach((heading) => heading.setAttribute("aria-level", "2"));
    root.querySelectorAll("tr[data-param-name] select, tr[data-param-name] input, tr[data-param-name] textarea").forEach((control) => {
      if (control.labels && control.labels.length) return;
      const row = control.closest("tr[data-param-name]");
      if (!control.hasAttribute("aria-label")) control.setAttribute("aria-label", row.dataset.paramName);
    });
    root.querySelectorAll(".copy-to-clipboard button").forEach((button) => label(button, "Copy to clipboard"));
    root.querySelectorAll("button.close-modal").forEach((button) => label(button, "Close"));
    // Examples and responses scroll (sideways, or down past their maximum height).
    root.querySelectorAll(".highlight-code > pre, pre.microlight").forEach((pre) => {
      if (!pre.hasAttribute("tabindex")) pre.setAttribute("tabindex", "0");
    });
    // A button's accessible name must contain its visible text ("Authorize" is labelled "Apply
    // credentials"): the visible text is the name.
    root.querySelectorAll("button[aria-label]").forEach((button) => {
      const text = button.textContent.trim();
      if (text && !button.getAttribute("aria-label").toLowerCase().includes(text.toLowerCase())) {
        button.removeAttribute("aria-label");
      }
    });
  }

  let scheduled = false;
  new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      repair();
    });
  }).observe(root, { childList: true, subtree: true });
})();
