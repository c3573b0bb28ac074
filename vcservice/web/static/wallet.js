// The wallet page, enhanced: while a request waits for the wallet (or its answer is being
// checked), ask the service every few seconds where it stands, and show the page anew (the
// server renders the answer) as soon as that changed. Without this script the page's "Check
// for the answer" link does the same by hand.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const section = document.getElementById("wallet-request");
  if (section && section.dataset.statusUrl) {
    const url = section.dataset.statusUrl;
    const ask = async () => {
      try {
        const response = await fetch(url, { cache: "no-store", credentials: "same-origin" });
        if (response.ok) {
          const state = await response.json();
          if (state.status !== section.dataset.status || state.expired) {
            window.location.reload();
            return;
          }
        }
      } catch (error) {
        // The network failed for a moment: ask again at the next turn.
      }
      window.setTimeout(ask, 2000);
    };
    window.setTimeout(ask, 2000);
    return;
  }
  // An answer was just shown: take keyboard and screen-reader focus to it.
  const heading = document.getElementById("result-heading");
  if (heading) {
    heading.focus();
  }
});
