// The verify page, enhanced: everything works without this script except reading a QR link.
// A printed certificate's QR code opens /verify#vc1=<the credential>. The fragment never
// reaches a server by itself, so put the link in the box and submit it: the server decodes
// and verifies it, live, like anything pasted. The fragment is dropped from the address
// first, so going back does not verify again on its own.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("verify-form");
  const box = document.getElementById("credential");
  if (form && box && /^#vc1=/.test(window.location.hash)) {
    box.value = window.location.href;
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    form.requestSubmit();
    return;
  }
  // The record's print button needs this script; without it, the browser's own Print works.
  const printButton = document.getElementById("print-record");
  if (printButton) {
    printButton.addEventListener("click", () => window.print());
    printButton.parentElement.hidden = false;
  }
  // After a verification, take keyboard and screen-reader focus to its outcome.
  const heading = document.getElementById("result-heading");
  if (heading) {
    heading.focus();
  }
});
