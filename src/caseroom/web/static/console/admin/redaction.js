// Redaction patterns: what agents can hide in a message (card numbers always),
// each pattern tried against sample text before it is saved.

import { del, get, post } from "../api.js";
import { clear, h, toast } from "../dom.js";
import { t } from "../i18n.js";
import { attempt, field, sectionHead, table } from "./ui.js";

export async function redactionSection() {
  const rows = h("tbody");
  const reload = async () => render(await get("/redaction-patterns"));
  const render = (list) => clear(rows, list.map((p) => h("tr", { dataset: { patternId: p.id } },
    h("th", { scope: "row" }, p.builtin ? t("admin.redaction.builtin_name") : p.name),
    h("td", {}, p.builtin ? h("span.muted", {}, t("admin.redaction.builtin")) : h("code", {}, p.pattern)),
    h("td", {}, p.builtin ? null : h("div.row-actions", {}, h("button.btn.btn-sm.btn-ghost-danger", { type: "button", onclick: async () => {
      if (!confirm(t("admin.redaction.remove_confirm", { name: p.name }))) return;
      await del(`/redaction-patterns/${p.id}`);
      toast(t("admin.removed", { name: p.name }));
      await reload();
    } }, t("admin.remove")))))));

  const name = field(t("admin.name"), { required: true, placeholder: t("admin.redaction.name_placeholder") });
  const pattern = field(t("admin.redaction.pattern"), { required: true, spellcheck: "false", placeholder: "NW-\\d{6}", "data-hint": t("admin.redaction.pattern_hint") });
  const sample = field(t("admin.redaction.sample"), { "data-hint": t("admin.redaction.sample_hint") }, h("textarea", { rows: "3" }));
  const result = h("output.trial", { for: sample.input.id, "aria-live": "polite" });
  const error = h("p.form-error", { role: "alert" });
  const tryIt = async () => {
    const tried = await attempt(error, () => post("/redaction-patterns/try", { pattern: pattern.input.value, sample: sample.input.value }), { pattern: pattern.input });
    if (!tried) return clear(result);
    clear(result, h("span.trial-count", {}, t("admin.redaction.matches", { count: tried.matches.length })),
      h("span.trial-text", {}, tried.redacted));
  };
  const form = h("form.admin-form", { "aria-label": t("admin.redaction.new_label") }, h("h3", {}, t("admin.redaction.new")),
    h("div.form-row", {}, name.el, pattern.el), sample.el, result, error,
    h("div.form-actions", {},
      h("button.btn", { type: "button", onclick: tryIt }, t("admin.redaction.try")),
      h("button.btn.btn-primary", { type: "submit" }, t("admin.redaction.save"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const made = await attempt(error, () => post("/redaction-patterns", { name: name.input.value, pattern: pattern.input.value }),
      { name: name.input, pattern: pattern.input });
    if (!made) return;
    toast(t("admin.added", { name: made.name }));
    form.reset();
    clear(result);
    await reload();
  });
  await reload();
  return h("div.admin-section", { id: "admin-redaction" },
    sectionHead(t("admin.section.redaction"), t("admin.redaction.intro")),
    table([t("admin.name"), t("admin.redaction.pattern"), ""], rows, t("admin.redaction.patterns")), form);
}
