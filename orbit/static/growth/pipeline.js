// The pipeline board: drag a card onto another column (HTML5 drag and drop), or pick a stage in the card's
// "Move to…" menu (the keyboard way). Both submit the card's own form (htmx posts it and swaps the board);
// moving to Lost first asks why in a dialog. No inline scripts: the Content-Security-Policy allows only these.
(() => {
  window.orbitDragToMove({
    card: "[data-card]",
    cardId: "card",
    zone: "[data-drop-stage]",
    form: "form.card-move",
    field: "select[name=stage]",
    value: "dropStage",
  });

  // Lost needs a reason: the card's form opens the dialog instead of posting (captured before htmx sees it).
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!form.matches("form.card-move")) return;
      const select = form.querySelector("select[name=stage]");
      const option = select.selectedOptions[0];
      if (!option || option.dataset.outcome !== "lost") return;
      event.preventDefault();
      event.stopImmediatePropagation();
      askWhyLost(form, select);
    },
    true,
  );

  function askWhyLost(cardForm, select) {
    const dialog = document.getElementById("lost-dialog");
    if (!dialog) return;
    const form = dialog.querySelector("form");
    form.setAttribute("action", cardForm.action);
    form.setAttribute("hx-post", cardForm.action);
    form.querySelector("[name=version]").value = cardForm.querySelector("[name=version]").value;
    const title = cardForm.closest("[data-card]").querySelector(".card-title");
    dialog.querySelector("[data-lost-title]").textContent = title ? title.textContent : "";
    dialog.dataset.select = select.id;
    if (window.htmx) window.htmx.process(form);
    dialog.showModal();
    dialog.querySelector("select[name=lost_reason]").focus();
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-close-dialog]");
    if (button) button.closest("dialog").close();
  });

  // A dialog closed without sending: the card's menu goes back to the stage it stands on, focus to the card.
  document.addEventListener(
    "close",
    (event) => {
      const dialog = event.target;
      if (!(dialog instanceof HTMLDialogElement) || dialog.id !== "lost-dialog" || dialog.dataset.sent) return;
      const select = document.getElementById(dialog.dataset.select || "");
      if (select) {
        select.value = select.dataset.current;
        select.focus();
      }
    },
    true,
  );

  document.addEventListener("htmx:beforeRequest", (event) => {
    const dialog = event.detail.elt.closest && event.detail.elt.closest("#lost-dialog");
    if (dialog) {
      dialog.dataset.sent = "1";
      dialog.close();
    }
  });

  // A refused move answers 400/409 with the board as it is and the reason in its alert region: show it.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (target && target.id === "board" && [400, 409].includes(event.detail.xhr.status)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Any other refusal (403: not his to change; a server error): say so in the alert region, move nothing.
  document.addEventListener("htmx:responseError", (event) => {
    const board = document.getElementById("board");
    const target = event.detail.target;
    if (!board || !target || target.id !== "board") return;
    const status = event.detail.xhr.status;
    if (status === 400 || status === 409) return; // swapped in by htmx:beforeSwap
    const alert = document.getElementById("board-alert");
    const message = document.createElement("p");
    message.className = "msg msg-error";
    message.textContent = status === 403 ? board.dataset.forbidden : board.dataset.failed;
    alert.replaceChildren(message);
    board.querySelectorAll("select[data-current]").forEach((select) => { select.value = select.dataset.current; });
  });

  // After a move, focus follows the card (keyboard users carry on from it), or the message when it is gone.
  document.addEventListener("htmx:afterSettle", (event) => {
    const board = document.getElementById("board");
    if (!board || !board.dataset.focus || !event.detail.target || event.detail.target.id !== "board") return;
    const card = document.getElementById(`opp-card-${board.dataset.focus}`);
    const alert = document.getElementById("board-alert");
    if (alert && alert.textContent.trim()) {
      if (card) card.querySelector("select[name=stage]").focus();
      return;
    }
    if (card) card.focus();
  });
})();
