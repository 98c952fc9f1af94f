// API tokens for integrations: created (shown once), listed, revoked.

import { del, get, post } from "../api.js";
import { clear, h, toast } from "../dom.js";
import { attempt, field, secretBox, sectionHead, table } from "./ui.js";

const when = (iso) => new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });

export async function tokensSection() {
  const el = h("div.admin-section", { id: "admin-tokens" });
  const rows = h("tbody");
  const shown = h("div.admin-callout-slot");
  const reload = async () => render(await get("/tokens"));

  const render = (list) => clear(rows, list.length ? list.map((token) => h("tr", { dataset: { tokenId: token.id } },
    h("th", { scope: "row" }, token.name || "Unnamed"),
    h("td", {}, when(token.created_at)),
    h("td", {}, h("code.muted", {}, token.id)),
    h("td", {}, h("div.row-actions", {}, h("button.btn.btn-sm.btn-ghost-danger", { type: "button", onclick: async () => {
      if (!confirm(`Revoke “${token.name}”? Integrations using it stop working at once.`)) return;
      await del(`/tokens/${token.id}`);
      toast(`Revoked ${token.name}`);
      await reload();
    } }, "Revoke"))))) : h("tr", {}, h("td.muted", { colspan: "4" }, "No API tokens.")));

  const name = field("What it is for", { required: true, placeholder: "e.g. CRM sync", autocomplete: "off" });
  const error = h("p.form-error", { role: "alert" });
  const form = h("form.admin-form", { "aria-label": "New API token" }, h("h3", {}, "New API token"),
    h("div.form-row", {}, name.el), error,
    h("div.form-actions", {}, h("button.btn.btn-primary", { type: "submit" }, "Create token")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const made = await attempt(error, () => post("/tokens", { name: name.input.value }), { name: name.input });
    if (!made) return;
    form.reset();
    clear(shown, secretBox(`Token “${made.name}”`, made.token, "Shown only now: store it where the integration keeps secrets. It acts as you."));
    await reload();
  });

  render(await get("/tokens"));
  el.append(
    sectionHead("API tokens", "For integrations that call the API. A token acts as the admin who created it."),
    shown,
    table(["Name", "Created", "Id", ""], rows, "API tokens"),
    form);
  return el;
}
