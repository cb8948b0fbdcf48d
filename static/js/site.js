// Small progressive enhancements; without this script every page still works.
// 1. The main navigation on a phone: one "Menu" button (aria-expanded) that opens and closes the
//    list. Without the script the list stays visible and wraps; the button shows only once it ran.
// 2. A table wider than its box (it scrolls sideways inside .table-wrap) gets keyboard focus, so
//    that people without a mouse can scroll it too.
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
  function focusableWhenScrolling() {
    document.querySelectorAll(".table-wrap").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.dataset.scrollFocus = "true";
      } else if (!scrolls && box.dataset.scrollFocus) {
        box.removeAttribute("tabindex");
        delete box.dataset.scrollFocus;
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("nav[data-menu]").forEach(enhance);
    focusableWhenScrolling();
    window.addEventListener("resize", focusableWhenScrolling);
  });
})();
