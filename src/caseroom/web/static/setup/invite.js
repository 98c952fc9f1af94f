// The invitation page: the token in the link's fragment sets the agent's password, once.

const $ = (id) => document.getElementById(id);
const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";

$("invite-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = $("invite-error");
  const password = $("invite-password").value;
  error.textContent = "";
  if (!token) error.textContent = "This link is incomplete: open the whole link you were sent.";
  else if (password.length < 10) error.textContent = "Use at least 10 characters.";
  else if (password !== $("invite-again").value) error.textContent = "The two passwords differ.";
  if (error.textContent) return;
  const button = $("invite-submit");
  button.disabled = true;
  try {
    const response = await fetch("/api/v1/invites/accept", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json, application/problem+json" },
      body: JSON.stringify({ token, password }),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(response.status === 401 ? "This link was used already or has expired. Ask your admin for a new one." : (data.detail ? data.detail.charAt(0).toUpperCase() + data.detail.slice(1) : "Something went wrong."));
    history.replaceState(null, "", location.pathname);  // the token is spent: drop it from the address bar
    $("invite-email").textContent = data.email;
    $("invite-form").hidden = true;
    $("invite-done").hidden = false;
    $("invite-console").focus();
  } catch (e) {
    error.textContent = e.message;
    button.disabled = false;
  }
});
