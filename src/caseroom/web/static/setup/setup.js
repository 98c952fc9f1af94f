// The first-run page: sets up the organization, its first admin and a team.

const $ = (id) => document.getElementById(id);

async function call(method, path, body) {
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers: { "Content-Type": "application/json", Accept: "application/json, application/problem+json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(data.detail || `request failed (${response.status})`), { status: response.status, field: data.field });
  return data;
}

function show(section) {
  for (const id of ["setup-form", "setup-done", "setup-closed"]) $(id).hidden = id !== section;
}

async function start() {
  // Listen first: someone may type before the server has answered.
  const orgName = $("setup-org-name");
  const slug = $("setup-org-slug");
  let slugTouched = false;
  const showLink = () => { $("setup-chat-link").textContent = `/connect/${slug.value || "…"}`; };
  slug.addEventListener("input", () => { slugTouched = true; showLink(); });
  orgName.addEventListener("input", () => {
    if (slugTouched) return;
    slug.value = orgName.value.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64);
    showLink();
  });
  $("setup-form").addEventListener("submit", submit);
  const status = await call("GET", "/setup");
  if (!status.open) show("setup-closed");
  document.body.dataset.ready = "true";
}

async function submit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const error = $("setup-error");
  error.textContent = "";
  const missing = [...form.querySelectorAll("input[required]")].find((input) => !input.value.trim());
  if (missing) {
    error.textContent = `Fill in “${form.querySelector(`label[for="${missing.id}"]`).textContent.trim()}”.`;
    missing.focus();
    return;
  }
  const body = Object.fromEntries(new FormData(form));
  body.hours = body.hours.trim() || null;
  const button = $("setup-submit");
  button.disabled = true;
  button.textContent = "Creating…";
  try {
    const done = await call("POST", "/setup", body);
    $("setup-done-email").textContent = done.admin_email;
    const chat = $("setup-done-chat");
    chat.textContent = done.chat_url;
    chat.href = done.chat_url;
    show("setup-done");
    $("setup-done-console").focus();
  } catch (e) {
    if (e.status === 409) return show("setup-closed");
    error.textContent = e.message.charAt(0).toUpperCase() + e.message.slice(1);
    const fields = { org_slug: "setup-org-slug", org_name: "setup-org-name", email: "setup-admin-email", password: "setup-admin-password", hours: "setup-hours", timezone: "setup-timezone", name: "setup-team" };
    if (e.status === 403) $("setup-code").focus();
    else if (fields[e.field]) $(fields[e.field]).focus();
    button.disabled = false;
    button.textContent = "Create the desk";
  }
}

start();
