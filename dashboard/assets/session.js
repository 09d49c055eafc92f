/* When the session has ended (logout elsewhere, 30 minutes idle, 12 hours), Dash's requests get 401:
   go to the sign-in page, which brings the user back here afterwards, instead of a page that stops
   answering without a word. */
(function () {
  const original = window.fetch;
  window.fetch = async function (...args) {
    const response = await original.apply(this, args);
    const url = String(args[0] && args[0].url ? args[0].url : args[0]);
    if (response.status === 401 && url.includes("/_dash-")) {
      const here = window.location.pathname + window.location.search;
      window.location.assign("/login?volgende=" + encodeURIComponent(here));
    }
    return response;
  };
})();
