// Orbit's few behaviours that htmx does not cover.
document.addEventListener("click", (event) => {
  // Account lookup: a picked result fills the hidden id field and the visible text box.
  const pick = event.target.closest("[data-pick-id]");
  if (!pick) return;
  const box = pick.closest("[data-lookup]");
  box.querySelector("input[type=hidden]").value = pick.dataset.pickId;
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
