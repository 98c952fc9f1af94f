// API tokens for integrations: created (shown once), listed, revoked.

import { del, get, post } from "../api.js";
import { clear, h, toast } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { attempt, field, secretBox, sectionHead, table } from "./ui.js";

const when = (iso) => formatDate(iso, { dateStyle: "medium", timeStyle: "short" });

export async function tokensSection() {
  const el = h("div.admin-section", { id: "admin-tokens" });
  const rows = h("tbody");
  const shown = h("div.admin-callout-slot");
  const reload = async () => render(await get("/tokens"));

  const render = (list) => clear(rows, list.length ? list.map((token) => h("tr", { dataset: { tokenId: token.id } },
    h("th", { scope: "row" }, token.name || t("admin.tokens.unnamed")),
    h("td", {}, when(token.created_at)),
    h("td", {}, h("code.muted", {}, token.id)),
    h("td", {}, h("div.row-actions", {}, h("button.btn.btn-sm.btn-ghost-danger", { type: "button", onclick: async () => {
      if (!confirm(t("admin.tokens.revoke_confirm", { name: token.name }))) return;
      await del(`/tokens/${token.id}`);
      toast(t("admin.tokens.revoked", { name: token.name }));
      await reload();
    } }, t("admin.tokens.revoke")))))) : h("tr", {}, h("td.muted", { colspan: "4" }, t("admin.tokens.none"))));

  const name = field(t("admin.tokens.purpose"), { required: true, placeholder: t("admin.tokens.purpose_placeholder"), autocomplete: "off" });
  const error = h("p.form-error", { role: "alert" });
  const form = h("form.admin-form", { "aria-label": t("admin.tokens.new") }, h("h3", {}, t("admin.tokens.new")),
    h("div.form-row", {}, name.el), error,
    h("div.form-actions", {}, h("button.btn.btn-primary", { type: "submit" }, t("admin.tokens.create"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const made = await attempt(error, () => post("/tokens", { name: name.input.value }), { name: name.input });
    if (!made) return;
    form.reset();
    clear(shown, secretBox(t("admin.tokens.secret_title", { name: made.name }), made.token, t("admin.tokens.secret_note")));
    await reload();
  });

  render(await get("/tokens"));
  el.append(
    sectionHead(t("admin.section.tokens"), t("admin.tokens.intro")),
    shown,
    table([t("admin.name"), t("admin.tokens.created"), t("admin.tokens.id"), ""], rows, t("admin.section.tokens")),
    form);
  return el;
}
