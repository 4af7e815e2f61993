// Small behaviours that would otherwise need inline script, which the Content Security Policy forbids.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
