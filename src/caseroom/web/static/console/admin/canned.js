// The organization's canned responses: what every agent can pick in the composer.

import { del, get, post, put } from "../api.js";
import { clear, h, toast } from "../dom.js";
import { attempt, field, sectionHead, table } from "./ui.js";

const VARIABLES = "{{customer.first_name}}, {{customer.name}}, {{agent.first_name}}, {{agent.name}}, {{issue.reference}}, {{organization.name}}";

function cannedForm(canned, onSave, onCancel) {
  const title = field("Title", { value: canned?.title || "", required: true });
  const shortcut = field("Shortcut", { value: canned?.shortcut || "", placeholder: "e.g. hi", "data-hint": "Type /shortcut in the picker." });
  const body = field("Text", { "data-hint": `Variables: ${VARIABLES}; a fallback after |, like {{customer.first_name|there}}.` },
    h("textarea", { rows: "4", required: true }));
  body.input.value = canned?.body || "";
  const error = h("p.form-error", { role: "alert" });
  const form = h(canned ? "form.inline-form" : "form.admin-form", { "aria-label": canned ? `Edit ${canned.title}` : "New canned response" },
    canned ? null : h("h3", {}, "New canned response"),
    h("div.form-row", {}, title.el, shortcut.el), body.el, error,
    h("div.form-actions", {}, h("button.btn.btn-primary", { type: "submit", class: canned ? "btn-sm" : "" }, canned ? "Save" : "Add response"),
      onCancel ? h("button.btn.btn-sm", { type: "button", onclick: onCancel }, "Cancel") : null));
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
            toast(`Saved ${saved.title}`);
            await reload();
            return saved;
          }, () => editRow.remove());
          const editRow = h("tr.edit-row", {}, h("td", { colspan: "4" }, editor.form));
          row.after(editRow);
          editor.focus();
        } }, "Edit"),
        h("button.btn.btn-sm.btn-ghost-danger", { type: "button", onclick: async () => {
          if (!confirm(`Delete “${canned.title}” for everyone?`)) return;
          await del(`/canned-responses/${canned.id}`);
          toast(`Deleted ${canned.title}`);
          await reload();
        } }, "Delete"))));
    return row;
  }) : h("tr", {}, h("td.muted", { colspan: "4" }, "No canned responses yet: add the answers your team gives most.")));

  render(await load());
  const create = cannedForm(null, async (data) => {
    const made = await post("/canned-responses", { ...data, personal: false });
    toast(`Added ${made.title}`);
    await reload();
    return made;
  });
  el.append(
    sectionHead("Canned responses", "The organization's replies, offered to every agent in the composer. Agents keep personal ones of their own."),
    table(["Title", "Shortcut", "Text", ""], rows, "Canned responses"),
    create.form);
  return el;
}
