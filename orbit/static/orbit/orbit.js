// Orbit's few behaviours that htmx does not cover.
document.addEventListener("click", (event) => {
  // Account lookup: a picked result fills the hidden id field and the visible text box.
  const pick = event.target.closest("[data-pick-id]");
  if (!pick) return;
  const box = pick.closest("[data-lookup]");
  const chosen = box.querySelector("input[type=hidden]");
  chosen.value = pick.dataset.pickId;
  chosen.dispatchEvent(new Event("change", { bubbles: true })); // a filter form applies the pick at once
  box.querySelector("input[type=search]").value = pick.dataset.pickLabel;
  box.querySelector(".lookup-results").innerHTML = "";
});

// Forms that destroy nothing but hide something ask once before they submit.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// A button that starts long work says so and cannot be pressed twice.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.dataset.busy && !event.defaultPrevented) {
    button.textContent = button.dataset.busy;
    button.setAttribute("aria-busy", "true");
    setTimeout(() => { button.disabled = true; }, 0);
  }
});

// A select that applies at once (the agenda's person picker) submits its form when changed. No inline
// handlers anywhere: the Content-Security-Policy allows scripts from Orbit's static files only.
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
});

// A form sends once: a second click while it is sending does nothing (the server also refuses a replay of
// the form's idempotency key). The buttons are disabled after the submit, so the clicked one's value is sent;
// they come back when an htmx request ends or the page is shown again from the back-forward cache.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if ((form.method || "").toLowerCase() !== "post") return;
  if (form.dataset.sending) {
    event.preventDefault();
    return;
  }
  if (event.defaultPrevented && !form.hasAttribute("hx-post")) return;
  form.dataset.sending = "1";
  setTimeout(() => {
    form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach((b) => {
      b.disabled = true;
    });
  }, 0);
});

function releaseForm(form) {
  delete form.dataset.sending;
  form.querySelectorAll("button, input[type=submit]").forEach((b) => { b.disabled = false; });
}
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form");
  if (form) releaseForm(form);
});
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-sending]").forEach(releaseForm);
});
