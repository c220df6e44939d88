// The account list's bars (orbit/templates/savedviews/_bar.html, accounts/_bulk_bar.html): CSP forbids inline
// scripts. The views bar saves the list's current query (htmx changes the address as the filters change); the
// bulk bar counts the checked rows, offers "all matching", and shows only the chosen action's fields.
(function () {
  "use strict";

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches && form.matches("[data-save-view]")) {
      const query = form.querySelector("[data-current-query]");
      if (query) query.value = window.location.search.replace(/^\?/, "");
    }
  });

  function bulkParts() {
    const form = document.querySelector("[data-bulk]");
    if (!form) return null;
    return {
      form,
      rows: Array.from(document.querySelectorAll("[data-bulk-row]")),
      page: document.querySelector("[data-bulk-page]"),
      scope: form.querySelector("[data-bulk-scope]"),
      count: form.querySelector("[data-bulk-count]"),
      all: form.querySelector("[data-bulk-all]"),
      allHint: form.querySelector("[data-bulk-all-hint]"),
    };
  }

  function refresh(parts) {
    const checked = parts.rows.filter((box) => box.checked).length;
    const everyOnPage = checked > 0 && checked === parts.rows.length;
    if (!everyOnPage) parts.scope.value = "page";
    const all = parts.scope.value === "all";
    if (parts.page) {
      parts.page.checked = everyOnPage;
      parts.page.indeterminate = checked > 0 && !everyOnPage;
    }
    parts.count.textContent = all
      ? parts.form.dataset.all
      : checked ? `${parts.form.dataset.some} ${checked}` : parts.form.dataset.none;
    parts.form.hidden = checked === 0;
    if (parts.all) parts.all.hidden = !everyOnPage || all;
    if (parts.allHint) parts.allHint.hidden = !everyOnPage;
  }

  function showFields(form) {
    const chosen = form.querySelector("[data-bulk-action]").value;
    form.querySelectorAll("[data-for-action]").forEach((field) => {
      field.hidden = field.dataset.forAction !== chosen;
    });
  }

  function setUp() {
    const parts = bulkParts();
    if (!parts || parts.form.dataset.ready) return;
    parts.form.dataset.ready = "1";
    showFields(parts.form);
    refresh(parts);
  }

  document.addEventListener("change", (event) => {
    const parts = bulkParts();
    if (!parts) return;
    const target = event.target;
    if (target.matches("[data-bulk-page]")) {
      parts.rows.forEach((box) => { box.checked = target.checked; });
    }
    if (target.matches("[data-bulk-action]")) showFields(parts.form);
    if (target.matches("[data-bulk-row], [data-bulk-page]")) refresh(parts);
  });

  document.addEventListener("click", (event) => {
    if (!event.target.matches || !event.target.matches("[data-bulk-all]")) return;
    const parts = bulkParts();
    parts.scope.value = "all";
    refresh(parts);
  });

  document.addEventListener("DOMContentLoaded", setUp);
  document.addEventListener("htmx:afterSwap", setUp);
  if (document.readyState !== "loading") setUp();
})();
