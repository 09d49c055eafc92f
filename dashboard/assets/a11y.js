/*
 * Keyboard and screen-reader fix for dcc.Dropdown in Dash 4 (see plotly/dash#3673).
 *
 * Dash 4 renders each dropdown with a hidden focus proxy (`.dash-dropdown-focus-target`) that is
 * aria-hidden yet focusable (axe: aria-hidden-focus, serious), while the visible button that
 * opens the list is left out of the tab order. Until Dash fixes this, make the proxy inert and
 * the button focusable, for every dropdown on the page, including those rendered later. The button
 * is named by aria-labelledby pointing only at its value ("Utrecht"), which overrides its visible
 * <label>: put the label first, so a screen reader says "Regio: Utrecht".
 *
 * A dropdown with a pattern-matching (dict) id, such as the upload page's mapping step, gets the id
 * "[object Object]" on its button and value spans (the same for every such dropdown). Its wrapper
 * says the id it should have (`data-dropdown-id`, which its <label for> names): give it that one.
 */
(function () {
  "use strict";

  var OBJECT_ID = "[object Object]";

  function fixObjectIds(root) {
    root.querySelectorAll("[data-dropdown-id]").forEach(function (wrapper) {
      var wanted = wrapper.getAttribute("data-dropdown-id");
      var button = wrapper.querySelector("button.dash-dropdown");
      if (!button || button.id === wanted) {
        return;
      }
      button.id = wanted;
      wrapper.querySelectorAll("[id^='" + OBJECT_ID + "']").forEach(function (el) {
        el.id = wanted + el.id.slice(OBJECT_ID.length);
      });
      var named = (button.getAttribute("aria-labelledby") || "").split(OBJECT_ID).join(wanted);
      button.setAttribute("aria-labelledby", named);
    });
  }

  function fixDropdowns(root) {
    fixObjectIds(root);
    root.querySelectorAll(".dash-dropdown-focus-target").forEach(function (proxy) {
      if (!proxy.inert) {
        proxy.inert = true;
      }
      var button = proxy.nextElementSibling;
      if (!button) {
        return;
      }
      if (button.tabIndex < 0) {
        button.tabIndex = 0;
      }
      var label = button.id && document.querySelector('label[for="' + CSS.escape(button.id) + '"]');
      var named = button.getAttribute("aria-labelledby") || "";
      if (label) {
        label.id = label.id || button.id + "-label";
        if (named.split(" ").indexOf(label.id) < 0) {
          button.setAttribute("aria-labelledby", (label.id + " " + named).trim());
        }
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
  observer.observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["aria-labelledby", "tabindex", "id"],
  });
  fixDropdowns(document);
})();
