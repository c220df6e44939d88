// The task list and the week calendar. A planned touch is dragged onto another day (HTML5 drag and drop): its
// own "Move to" form gets the day and is submitted, htmx posts it and swaps the week. The form itself is the
// keyboard way. No inline scripts: the Content-Security-Policy allows only Orbit's static files.
(() => {
  let dragged = null;
  const dayOf = (target) => (target && target.closest ? target.closest("[data-drop-day]") : null);
  const clearHighlights = () => {
    document.querySelectorAll(".drop-over").forEach((day) => day.classList.remove("drop-over"));
  };

  document.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest("[data-touch]");
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.touch);
    card.classList.add("dragging");
  });

  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearHighlights();
  });

  document.addEventListener("dragover", (event) => {
    const day = dayOf(event.target);
    if (!day || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!day.classList.contains("drop-over")) {
      clearHighlights();
      day.classList.add("drop-over");
    }
  });

  document.addEventListener("drop", (event) => {
    const day = dayOf(event.target);
    if (!day || !dragged) return;
    event.preventDefault();
    clearHighlights();
    const form = dragged.querySelector("form.touch-move");
    const input = form.querySelector("input[name=planned_for]");
    dragged.classList.remove("dragging");
    dragged = null;
    if (input.dataset.current === day.dataset.dropDay) return; // dropped back on its own day
    input.value = day.dataset.dropDay;
    form.requestSubmit();
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
