/*
 * Addressable blocks: `/regio?code=VR09#regio-plegerhulp_uitval`, `/indicatoren#definitie-...`.
 *
 * Dash draws a page after the document has loaded, and dcc.Link scrolls to the top after it changes
 * the address, so the browser's own jump to the #fragment finds nothing. Once the element the
 * fragment names is on the page, scroll to it and move the focus there (so that the keyboard and a
 * screen reader continue from it); while the charts above it are still being drawn, keep it in view
 * until the user scrolls or types, or the page has been quiet for a few seconds. The ids come from dashboard/links.py.
 */
(function () {
  "use strict";

  var watching = null;
  var QUIET_MS = 4000; // no new nodes and no callback started or ended for this long: the page is drawn

  function stop() {
    if (watching) {
      watching.observer.disconnect();
      window.clearTimeout(watching.timer);
      ["wheel", "keydown", "touchstart", "mousedown"].forEach(function (name) {
        window.removeEventListener(name, stop, true);
      });
      watching = null;
    }
  }

  function target(previous) {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var element = id ? document.getElementById(id) : null;
    return element && element !== previous ? element : null;
  }

  function show(element, focus) {
    element.scrollIntoView({ block: "start" });
    if (focus) {
      if (!element.hasAttribute("tabindex")) {
        element.setAttribute("tabindex", "-1");
      }
      element.focus({ preventScroll: true });
    }
  }

  function jump(stale) {
    stop();
    if (!window.location.hash) {
      return;
    }
    var found = null;
    var queued = false;
    var started = Date.now();
    var check = function () {
      queued = false;
      if (watching) {
        window.clearTimeout(watching.timer); // watch until the page has been quiet for a while
        watching.timer = window.setTimeout(stop, Date.now() - started > 30000 ? 0 : QUIET_MS);
      }
      var element = target(stale);
      if (!element || !element.isConnected) {
        return;
      }
      if (element !== found) {
        found = element;
        show(element, true);
      } else if (Math.abs(element.getBoundingClientRect().top) > 2) {
        show(element, false); // the charts above it grew: keep it in view
      }
    };
    var attempt = function () {
      if (!queued) {
        queued = true; // at most once a frame, however many nodes Dash and plotly add
        window.requestAnimationFrame(check);
      }
    };
    var observer = new MutationObserver(attempt);
    observer.observe(document.body, { childList: true, subtree: true, attributeFilter: ["data-dash-is-loading"] });
    watching = { observer: observer, timer: window.setTimeout(stop, QUIET_MS) };
    ["wheel", "keydown", "touchstart", "mousedown"].forEach(function (name) {
      window.addEventListener(name, stop, true);
    });
    attempt();
  }

  window.addEventListener("load", function () {
    jump(null);
  });
  window.addEventListener("hashchange", function () {
    jump(null);
  });
  window.addEventListener("popstate", function () {
    jump(null);
  });
  // dcc.Link: the old page is still there and scrolls to the top after this event; an element of
  // the old page with the same id is not the one meant.
  window.addEventListener("_dashprivate_pushstate", function () {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var stale = id ? document.getElementById(id) : null;
    window.setTimeout(function () {
      jump(stale);
    }, 0);
  });
})();
