// The verification link carries the presentation in the URL fragment, which browsers never send
// to a server: copy it into the form, then let htmx submit it.
document.addEventListener("DOMContentLoaded", function () {
  var field = document.getElementById("presentation");
  if (field && window.location.hash.length > 1 && !field.value) {
    field.value = decodeURIComponent(window.location.hash.slice(1));
    var form = document.getElementById("verify-form");
    if (form && window.htmx) { window.htmx.trigger(form, "submit"); }
  }
});
