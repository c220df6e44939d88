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

// Global search (orbit/search): "/" focuses the top bar's box from any page; the list htmx fills is an ARIA
// combobox/listbox — arrows move the active option, Enter opens it (or the search page), Esc closes the list.
(() => {
  const box = () => document.getElementById("global-search");
  const list = () => document.getElementById("global-search-list");
  const options = () => Array.from(list().querySelectorAll("[role=option]"));
  function setOpen(open) {
    const input = box();
    list().hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) setActive(null);
  }
  function setActive(option) {
    const input = box();
    options().forEach((o) => o.setAttribute("aria-selected", o === option ? "true" : "false"));
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }
  document.addEventListener("keydown", (event) => {
    const input = box();
    if (!input) return;
    const target = event.target;
    const typing = target.closest && target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      input.focus();
      input.select();
      return;
    }
    if (target !== input) return;
    const all = options();
    const current = all.findIndex((o) => o.id === input.getAttribute("aria-activedescendant"));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length) return;
      event.preventDefault();
      setOpen(true);
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive(all[(current + step + all.length) % all.length] || all[0]);
    } else if (event.key === "Enter" && current >= 0 && !list().hidden) {
      event.preventDefault();
      window.location.assign(all[current].href);
    } else if (event.key === "Escape") {
      if (!list().hidden) {
        event.preventDefault();
        setOpen(false);
      } else if (input.value) {
        input.value = "";
      }
    }
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target && event.detail.target.id === "global-search-list") {
      setOpen(Boolean(box().value.trim()) && list().innerHTML.trim() !== "");
    }
  });
  // The list closes when focus leaves the search form (a click on an option follows its link first).
  document.addEventListener("focusout", (event) => {
    const form = event.target.closest && event.target.closest("[data-global-search]");
    if (form && !form.contains(event.relatedTarget)) setTimeout(() => { if (!form.contains(document.activeElement)) setOpen(false); }, 150);
  });
  document.addEventListener("focusin", (event) => {
    if (event.target === box() && list().innerHTML.trim() && box().value.trim()) setOpen(true);
  });
})();
// Any screen (issue 17): below 1024 px the top bar's menu folds behind a button that says whether it is open.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest(".menu-toggle");
  if (!toggle) return;
  const menu = document.getElementById(toggle.getAttribute("aria-controls"));
  const open = toggle.getAttribute("aria-expanded") !== "true";
  toggle.setAttribute("aria-expanded", String(open));
  menu.classList.toggle("open", open);
  if (open) menu.querySelector("a, button").focus();
});

function closeMenu() {
  const toggle = document.querySelector(".menu-toggle[aria-expanded=true]");
  if (!toggle) return false;
  toggle.setAttribute("aria-expanded", "false");
  document.getElementById(toggle.getAttribute("aria-controls")).classList.remove("open");
  toggle.focus();
  return true;
}

document.addEventListener("click", (event) => {
  if (event.target.closest(".shortcuts-open")) showShortcuts();
});

function showShortcuts() {
  const dialog = document.getElementById("shortcuts");
  if (dialog && !dialog.open) dialog.showModal();
}

// Keyboard shortcuts, listed on "?" (templates/_shortcuts.html): "g" then a letter goes to an area, "n" opens
// the new-touch form where the page has one. "/" is the global search's. Keys typed into a field are text.
let pendingG = 0;
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && closeMenu()) return;
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  const target = event.target;
  if (target.closest("input, textarea, select, [contenteditable=''], [contenteditable=true], dialog[open]")) return;
  const now = Date.now();
  if (pendingG && now - pendingG < 1500) {
    pendingG = 0;
    const link = document.querySelector(`[data-shortcut="g ${event.key}"]`);
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
    return;
  }
  if (event.key === "g") {
    pendingG = now;
  } else if (event.key === "?") {
    event.preventDefault();
    showShortcuts();
  } else if (event.key === "n") {
    const form = document.querySelector("[data-shortcut-new-touch]");
    if (!form) return;
    event.preventDefault();
    if (form.tagName === "DETAILS") form.open = true;
    const field = form.querySelector("input:not([type=hidden]), select, textarea");
    if (field) field.focus();
  }
});

// Drag to move (the pipeline board's cards, the week calendar's planned touches): a card dragged onto a drop zone
// (HTML5 drag and drop) gets the zone's value in its own form's field, and the form is submitted (htmx posts
// it). The form itself stays the keyboard way. `card`, `zone`, `form`, `field`: selectors; `cardId`: the card's
// data attribute (camelCase) naming it in the drag; `value`: the zone's data attribute holding what the field takes.
window.orbitDragToMove = ({ card, cardId, zone, form, field, value }) => {
  let dragged = null;
  const zoneOf = (target) => (target && target.closest ? target.closest(zone) : null);
  const clearHighlights = () => {
    document.querySelectorAll(".drop-over").forEach((over) => over.classList.remove("drop-over"));
  };

  document.addEventListener("dragstart", (event) => {
    const found = event.target.closest && event.target.closest(card);
    if (!found) return;
    dragged = found;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", found.dataset[cardId]);
    found.classList.add("dragging");
  });

  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearHighlights();
  });

  document.addEventListener("dragover", (event) => {
    const over = zoneOf(event.target);
    if (!over || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!over.classList.contains("drop-over")) {
      clearHighlights();
      over.classList.add("drop-over");
    }
  });

  document.addEventListener("drop", (event) => {
    const over = zoneOf(event.target);
    if (!over || !dragged) return;
    event.preventDefault();
    clearHighlights();
    const moving = dragged.querySelector(form);
    const input = moving.querySelector(field);
    dragged.classList.remove("dragging");
    dragged = null;
    if (input.dataset.current === over.dataset[value]) return; // dropped back where it was
    input.value = over.dataset[value];
    moving.requestSubmit();
  });
};

// Tabs (WAI-ARIA tabs pattern; the account card): a click, Enter or Space on a tab selects it; the arrow keys,
// Home and End move between tabs and select the one reached. Each tab is a link to ?tab=…, so without JS the
// server opens that tab; with JS the address is updated in place and a panel fetched by htmx is asked for
// (the "orbit-tab-open" event its hx-trigger waits for) only when its tab is first opened.
(() => {
  const tabsOf = (list) => Array.from(list.querySelectorAll("[role=tab]"));
  // The chosen tab in sight in a tab list that scrolls sideways (a phone), without scrolling the page.
  const reveal = (tab) => {
    const list = tab.closest("[role=tablist]");
    const left = tab.offsetLeft; // .card-tabs is positioned: offsets are within the list
    if (left < list.scrollLeft || left + tab.offsetWidth > list.scrollLeft + list.clientWidth) {
      list.scrollLeft = Math.max(0, left - 16);
    }
  };
  document.querySelectorAll("[role=tablist][data-tabs] [role=tab][aria-selected=true]").forEach(reveal);
  function select(tab, { focus = false } = {}) {
    const list = tab.closest("[role=tablist]");
    tabsOf(list).forEach((other) => {
      const chosen = other === tab;
      other.setAttribute("aria-selected", String(chosen));
      if (chosen) other.removeAttribute("tabindex");
      else other.setAttribute("tabindex", "-1");
      const panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !chosen;
    });
    const panel = document.getElementById(tab.getAttribute("aria-controls"));
    if (panel && window.htmx) {
      panel.querySelectorAll("[hx-trigger*='orbit-tab-open']").forEach((lazy) => window.htmx.trigger(lazy, "orbit-tab-open"));
    }
    const url = new URL(window.location.href);
    url.searchParams.set("tab", tab.dataset.tab);
    url.hash = "";
    window.history.replaceState(null, "", url);
    reveal(tab);
    if (focus) tab.focus();
  }
  document.addEventListener("click", (event) => {
    const tab = event.target.closest("[role=tablist][data-tabs] [role=tab]");
    const link = event.target.closest("a[data-open-tab]");
    const chosen = tab || (link && document.querySelector(`[data-tabs] [data-tab="${link.dataset.openTab}"]`));
    if (!chosen || event.ctrlKey || event.metaKey || event.shiftKey) return; // a new window keeps the link's way
    event.preventDefault();
    select(chosen, { focus: Boolean(link) });
  });
  document.addEventListener("keydown", (event) => {
    const tab = event.target.closest && event.target.closest("[role=tablist][data-tabs] [role=tab]");
    if (!tab) return;
    const all = tabsOf(tab.closest("[role=tablist]"));
    const at = all.indexOf(tab);
    const next = {
      ArrowRight: all[(at + 1) % all.length],
      ArrowLeft: all[(at - 1 + all.length) % all.length],
      Home: all[0],
      End: all[all.length - 1],
    }[event.key];
    if (next) {
      event.preventDefault();
      select(next, { focus: true });
    } else if (event.key === " ") {
      event.preventDefault(); // a link does not answer Space by itself; a tab does
      select(tab);
    }
  });
})();
