// Redaction patterns: what agents can hide in a message (card numbers always),
// each pattern tried against sample text before it is saved.

import { del, get, post } from "../api.js";
import { clear, h, toast } from "../dom.js";
import { attempt, field, sectionHead, table } from "./ui.js";

export async function redactionSection() {
  const rows = h("tbody");
  const reload = async () => render(await get("/redaction-patterns"));
  const render = (list) => clear(rows, list.map((p) => h("tr", { dataset: { patternId: p.id } },
    h("th", { scope: "row" }, p.name),
    h("td", {}, p.builtin ? h("span.muted", {}, "Card numbers (Luhn-checked), built in") : h("code", {}, p.pattern)),
    h("td", {}, p.builtin ? null : h("div.row-actions", {}, h("button.btn.btn-sm.btn-ghost-danger", { type: "button", onclick: async () => {
      if (!confirm(`Remove the pattern “${p.name}”? Texts already redacted stay redacted.`)) return;
      await del(`/redaction-patterns/${p.id}`);
      toast(`Removed ${p.name}`);
      await reload();
    } }, "Remove"))))));

  const name = field("Name", { required: true, placeholder: "e.g. Order numbers" });
  const pattern = field("Pattern", { required: true, spellcheck: "false", placeholder: "e.g. NW-\\d{6}", "data-hint": "An RE2 regular expression (no backreferences or lookaround)." });
  const sample = field("Try it on", { "data-hint": "Sample text: what the pattern would hide shows below." }, h("textarea", { rows: "3" }));
  const result = h("output.trial", { for: sample.input.id, "aria-live": "polite" });
  const error = h("p.form-error", { role: "alert" });
  const tryIt = async () => {
    const tried = await attempt(error, () => post("/redaction-patterns/try", { pattern: pattern.input.value, sample: sample.input.value }), { pattern: pattern.input });
    if (!tried) return clear(result);
    clear(result, h("span.trial-count", {}, tried.matches.length === 1 ? "1 match" : `${tried.matches.length} matches`),
      h("span.trial-text", {}, tried.redacted));
  };
  const form = h("form.admin-form", { "aria-label": "New redaction pattern" }, h("h3", {}, "New pattern"),
    h("div.form-row", {}, name.el, pattern.el), sample.el, result, error,
    h("div.form-actions", {},
      h("button.btn", { type: "button", onclick: tryIt }, "Try it"),
      h("button.btn.btn-primary", { type: "submit" }, "Save pattern")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const made = await attempt(error, () => post("/redaction-patterns", { name: name.input.value, pattern: pattern.input.value }),
      { name: name.input, pattern: pattern.input });
    if (!made) return;
    toast(`Added ${made.name}`);
    form.reset();
    clear(result);
    await reload();
  });
  await reload();
  return h("div.admin-section", { id: "admin-redaction" },
    sectionHead("Redaction", "Patterns agents can hide in a message and its transcripts, such as order or account numbers."),
    table(["Name", "Pattern", ""], rows, "Redaction patterns"), form);
}
