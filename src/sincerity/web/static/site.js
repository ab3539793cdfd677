// Small helpers the pages share; everything works without them except copying to the clipboard.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const text = button.getAttribute("data-copy");
  const done = () => { button.dataset.label ??= button.textContent; button.textContent = "✓"; setTimeout(() => { button.textContent = button.dataset.label; }, 2000); };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => window.prompt("", text));
  } else {
    window.prompt("", text);
  }
});

// Upload progress: a form with data-progress="ID" fills that <progress> as htmx sends the file.
document.addEventListener("htmx:xhr:progress", (event) => {
  const form = event.target.closest && event.target.closest("[data-progress]");
  if (!form || !event.detail.lengthComputable) return;
  const bar = document.getElementById(form.dataset.progress);
  bar.hidden = false;
  bar.value = Math.round((100 * event.detail.loaded) / event.detail.total);
});
