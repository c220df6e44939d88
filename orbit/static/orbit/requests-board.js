// The requests board: drag a card onto another status column, or pick the status in the card's "Move to…" menu
// (the keyboard way). Both submit the card's own form; htmx posts it and swaps the board, which comes back with
// the card in its new column (counts updated) or, refused (400 the status flow, 403, 409 changed meanwhile),
// where it was with the reason on it. No inline scripts: the Content-Security-Policy allows only these files.
(() => {
  window.orbitDragToMove({
    card: "[data-request-card]",
    cardId: "requestCard",
    zone: "[data-drop-status]",
    form: "form.card-move",
    field: "select[name=status]",
    value: "dropStatus",
  });

  // A refusal carries the board with the reason on the card: swap it in like a success.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (target && target.id === "board" && [400, 403, 409].includes(event.detail.xhr.status)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Anything else (a server error, the network): say so, and put every menu back on its card's status.
  document.addEventListener("htmx:responseError", (event) => {
    const board = document.getElementById("board");
    const target = event.detail.target;
    if (!board || !target || target.id !== "board" || [400, 403, 409].includes(event.detail.xhr.status)) return;
    const message = document.createElement("p");
    message.className = "msg msg-error";
    message.textContent = board.dataset.failed;
    document.getElementById("board-alert").replaceChildren(message);
    board.querySelectorAll("select[data-current]").forEach((select) => { select.value = select.dataset.current; });
  });

  // After a move focus follows the card: on its menu when it was refused (the reason is its description and is
// announced from the alert region, shown on the card).
  document.addEventListener("htmx:afterSettle", (event) => {
    const board = document.getElementById("board");
    if (!board || !board.dataset.focus || !event.detail.target || event.detail.target.id !== "board") return;
    const card = document.getElementById(`req-card-${board.dataset.focus}`);
    if (!card) {
      // The card left the board meanwhile (closed, or out of the filters): the reason shows above the columns.
      board.querySelectorAll("#board-alert .sr-only").forEach((message) => message.classList.remove("sr-only"));
      return;
    }
    const select = card.querySelector("select[name=status]");
    if (card.querySelector(".card-refusal") && select) select.focus();
    else card.focus();
  });
})();
