// The organization's canned responses: what every agent can pick in the composer.

import { del, get, post, put } from "../api.js";
import { clear, h, toast } from "../dom.js";
import { t } from "../i18n.js";
import { attempt, field, sectionHead, table } from "./ui.js";

const VARIABLES = "{{customer.first_name}}, {{customer.name}}, {{agent.first_name}}, {{agent.name}}, {{issue.reference}}, {{organization.name}}";

function cannedForm(canned, onSave, onCancel) {
  const title = field(t("admin.title_field"), { value: canned?.title || "", required: true });
  const shortcut = field(t("admin.canned.shortcut"), { value: canned?.shortcut || "", placeholder: t("admin.canned.shortcut_placeholder"), "data-hint": t("admin.canned.shortcut_hint") });
  const body = field(t("admin.canned.text"), { "data-hint": t("admin.canned.text_hint", { variables: VARIABLES }) },
    h("textarea", { rows: "4", required: true }));
  body.input.value = canned?.body || "";
  const error = h("p.form-error", { role: "alert" });
  const form = h(canned ? "form.inline-form" : "form.admin-form", { "aria-label": canned ? t("admin.edit_named", { name: canned.title }) : t("admin.canned.new") },
    canned ? null : h("h3", {}, t("admin.canned.new")),
    h("div.form-row", {}, title.el, shortcut.el), body.el, error,
    h("div.form-actions", {}, h("button.btn.btn-primary", { type: "submit", class: canned ? "btn-sm" : "" }, canned ? t("common.save") : t("admin.canned.add")),
      onCancel ? h("button.btn.btn-sm", { type: "button", onclick: onCancel }, t("common.cancel")) : null));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = { title: title.input.value, shortcut: shortcut.input.value || null, body: body.input.value };
    const saved = await attempt(error, () => onSave(data), { title: title.input, shortcut: shortcut.input, body: body.input });
    if (saved && !canned) {
      form.reset();
      body.input.value = "";
    }
  });
  return { form, focus: () => title.input.focus() };
}

export async function cannedSection() {
  const el = h("div.admin-section", { id: "admin-canned" });
  const rows = h("tbody");
  const load = async () => (await get("/canned-responses", { limit: 200 })).filter((c) => c.scope === "organization")
    .sort((a, b) => a.title.localeCompare(b.title));
  const reload = async () => render(await load());

  const render = (list) => clear(rows, list.length ? list.map((canned) => {
    const row = h("tr", { dataset: { cannedId: canned.id } },
      h("th", { scope: "row" }, canned.title),
      h("td", {}, canned.shortcut ? h("code", {}, `/${canned.shortcut}`) : h("span.muted", {}, "—")),
      h("td.canned-text", {}, canned.body),
      h("td", {}, h("div.row-actions", {},
        h("button.btn.btn-sm", { type: "button", onclick: () => {
          if (row.nextElementSibling?.classList.contains("edit-row")) return;
          const editor = cannedForm(canned, async (data) => {
            const saved = await put(`/canned-responses/${canned.id}`, data);
            toast(t("admin.saved", { name: saved.title }));
            await reload();
            return saved;
          }, () => editRow.remove());
          const editRow = h("tr.edit-row", {}, h("td", { colspan: "4" }, editor.form));
          row.after(editRow);
          editor.focus();
        } }, t("admin.edit")),
        h("button.btn.btn-sm.btn-ghost-danger", { type: "button", onclick: async () => {
          if (!confirm(t("admin.canned.delete_confirm", { title: canned.title }))) return;
          await del(`/canned-responses/${canned.id}`);
          toast(t("admin.deleted", { name: canned.title }));
          await reload();
        } }, t("admin.delete")))));
    return row;
  }) : h("tr", {}, h("td.muted", { colspan: "4" }, t("admin.canned.none"))));

  render(await load());
  const create = cannedForm(null, async (data) => {
    const made = await post("/canned-responses", { ...data, personal: false });
    toast(t("admin.added", { name: made.title }));
    await reload();
    return made;
  });
  el.append(
    sectionHead(t("admin.section.canned"), t("admin.canned.intro")),
    table([t("admin.title_field"), t("admin.canned.shortcut"), t("admin.canned.text"), ""], rows, t("admin.section.canned")),
    create.form);
  return el;
}
