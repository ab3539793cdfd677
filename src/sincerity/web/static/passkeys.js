// Passkeys: the WebAuthn ceremonies of the sign-in, invitation and account pages. The server
// makes the options and verifies the answers; this only carries them to the authenticator.
(() => {
  const say = (message) => {
    const flash = document.getElementById("flash");
    flash.innerHTML = "";
    const p = document.createElement("p");
    p.className = "error";
    p.setAttribute("role", "alert");
    p.textContent = message;
    flash.appendChild(p);
  };
  const csrf = () => {
    const headers = document.body.getAttribute("hx-headers");
    return headers ? JSON.parse(headers) : {};
  };
  const post = async (path, body) => {
    const response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", ...csrf() },
      body: JSON.stringify(body),
    });
    return response.json();
  };
  const ceremony = async (button) => {
    const kind = button.dataset.passkey; // "register" or "signin"
    if (!window.PublicKeyCredential || !PublicKeyCredential.parseCreationOptionsFromJSON) {
      say(button.dataset.unsupported);
      return;
    }
    const started = await post(`/webauthn/${kind}/options`,
      button.dataset.invitation ? { invitation: button.dataset.invitation } : {});
    if (!started.ok) { say(started.message); return; }
    let credential;
    try {
      credential = kind === "register"
        ? await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(started.options) })
        : await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(started.options) });
    } catch (error) {
      say(button.dataset.cancelled);
      return;
    }
    const label = document.getElementById("passkey-label");
    const done = await post(`/webauthn/${kind}/verify`,
      { credential: credential.toJSON(), ...(kind === "register" ? { label: label ? label.value : "passkey" } : {}) });
    if (!done.ok) { say(done.message); return; }
    window.location.assign(done.redirect);
  };
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-passkey]");
    if (button) { event.preventDefault(); ceremony(button); }
  });
})();
