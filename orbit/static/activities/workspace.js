// The task list and the week calendar. A planned touch is dragged onto another day (HTML5 drag and drop): its
// own "Move to" form gets the day and is submitted, htmx posts it and swaps the week. The form itself is the
// keyboard way. No inline scripts: the Content-Security-Policy allows only Orbit's static files.
(() => {
  window.orbitDragToMove({
    card: "[data-touch]",
    cardId: "touch",
    zone: "[data-drop-day]",
    form: "form.touch-move",
    field: "input[name=planned_for]",
    value: "dropDay",
  });

  // A refused move answers 400/409 with the week as it is and the reason in its alert region; a refused
  // "Done" answers with the task's row and the reason: both are swapped in like a success.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (!target || ![400, 403, 409].includes(event.detail.xhr.status)) return;
    if (target.id === "week" && event.detail.xhr.status !== 403) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else if (target.matches && target.matches("tr[data-task]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Any other refusal of a move (403: not his to change; a server error): say so, move nothing.
  document.addEventListener("htmx:responseError", (event) => {
    const week = document.getElementById("week");
    const target = event.detail.target;
    if (!week || !target || target.id !== "week") return;
    const message = document.createElement("p");
    message.className = "msg msg-error";
    message.textContent = event.detail.xhr.status === 403 ? week.dataset.forbidden : week.dataset.failed;
    document.getElementById("week-alert").replaceChildren(message);
    week.querySelectorAll("input[data-current]").forEach((input) => { input.value = input.dataset.current; });
  });

  // After a move, focus follows the card (keyboard users carry on from it).
  document.addEventListener("htmx:afterSettle", (event) => {
    const week = document.getElementById("week");
    if (!week || !week.dataset.focus || !event.detail.target || event.detail.target.id !== "week") return;
    const card = document.getElementById(`touch-card-${week.dataset.focus}`);
    if (card) card.focus();
  });
})();
