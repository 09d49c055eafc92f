/*
 * Keyboard and screen-reader fix for dcc.Dropdown in Dash 4 (see plotly/dash#3673).
 *
 * Dash 4 renders each dropdown with a hidden focus proxy (`.dash-dropdown-focus-target`) that is
 * aria-hidden yet focusable (axe: aria-hidden-focus, serious), while the visible button that
 * opens the list is left out of the tab order. Until Dash fixes this, make the proxy inert and
 * the button focusable, for every dropdown on the page, including those rendered later.
 */
(function () {
  "use strict";

  function fixDropdowns(root) {
    root.querySelectorAll(".dash-dropdown-focus-target").forEach(function (proxy) {
      if (!proxy.inert) {
        proxy.inert = true;
      }
      var button = proxy.nextElementSibling;
      if (button && button.tabIndex < 0) {
        button.tabIndex = 0;
      }
    });
  }

  var pending = false;
  var observer = new MutationObserver(function () {
    if (pending) {
      return;
    }
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      fixDropdowns(document);
    });
  });
  observer.observe(document.documentElement, { childList: true, subtree: true });
  fixDropdowns(document);
})();
