// Whitespace: a refused one-click opportunity (400/403/409) swaps its reason into the cell instead of
// leaving the button as if nothing happened (htmx does not swap error responses by default).
document.addEventListener("htmx:beforeSwap", (event) => {
  const source = event.detail.requestConfig && event.detail.requestConfig.elt;
  const status = event.detail.xhr.status;
  if (source && source.hasAttribute("data-ws-cell") && status >= 400 && status < 500) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
