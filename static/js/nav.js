// The main navigation on a phone: one "Menu" button (aria-expanded) that opens and closes the list.
// Progressive enhancement: without this script the list stays visible and wraps, so every link
// still works; the button and the collapsed state exist only once the script has run.
(function () {
  "use strict";
  function enhance(nav) {
    var button = nav.querySelector(".main-nav__toggle");
    if (!button) return;
    nav.classList.add("main-nav--enhanced");
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("main-nav--open", open);
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        button.setAttribute("aria-expanded", "false");
        nav.classList.remove("main-nav--open");
        button.focus();
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("nav[data-menu]").forEach(enhance);
  });
})();
