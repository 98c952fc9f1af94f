// Pieces the admin screens share: tables, form fields, a one-time secret box.

import { ApiError } from "../api.js";
import { h, icon, toast } from "../dom.js";
import { t } from "../i18n.js";

let fieldCount = 0;

/** A labelled input (or select/textarea when `control` is given). */
export function field(label, attrs = {}, control = null) {
  const id = attrs.id || `admin-field-${++fieldCount}`;
  const input = control || h("input", { ...attrs, id });
  if (control) control.id = id;
  const hint = attrs["data-hint"] ? h("small.muted", { id: `${id}-hint` }, attrs["data-hint"]) : null;
  if (hint) input.setAttribute("aria-describedby", hint.id);
  return { input, el: h("div.field", {}, h("label", { for: id }, label), input, hint) };
}

export function select(options, value) {
  const el = h("select");
  for (const [optionValue, label] of options) {
    el.append(h("option", { value: optionValue, selected: optionValue === value }, label));
  }
  return el;
}

/** Checkboxes for picking several of `items` ([id, label]). */
export function checklist(legend, items, chosen = []) {
  const boxes = items.map(([id, label]) => {
    const box = h("input", { type: "checkbox", value: id, checked: chosen.includes(id) });
    return { box, el: h("label.check", {}, box, label) };
  });
  const el = h("fieldset.checklist", {}, h("legend", {}, legend),
    boxes.length ? boxes.map((b) => b.el) : h("span.muted", {}, t("admin.none_yet")));
  return { el, values: () => boxes.filter((b) => b.box.checked).map((b) => b.box.value) };
}

export function table(columns, rows, caption) {
  return h("table.admin-table", {},
    h("caption.sr-only", {}, caption),
    // A column without a visible title (the row's buttons) still names itself.
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c || h("span.sr-only", {}, t("admin.actions")))))),
    rows instanceof HTMLTableSectionElement ? rows : h("tbody", {}, rows));
}

/** Runs `action`, showing its problem in `errorEl` (and focusing the named field). */
export async function attempt(errorEl, action, fields = {}) {
  errorEl.textContent = "";
  try {
    return await action();
  } catch (error) {
    const message = error instanceof ApiError ? error.message : String(error);
    errorEl.textContent = message.charAt(0).toUpperCase() + message.slice(1);
    fields[error.problem?.field]?.focus();
    return undefined;
  }
}

/** A secret shown once (a token, an invitation link), with a copy button. */
export function secretBox(title, secret, note) {
  const value = h("code.secret-value", { tabindex: "0" }, secret);
  const copy = h("button.btn.btn-sm", { type: "button", onclick: async () => {
    try {
      await navigator.clipboard.writeText(secret);
      toast(t("admin.copied"));
    } catch {
      const range = document.createRange();
      range.selectNodeContents(value);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      toast(t("admin.copy_selected"));
    }
  } }, t("admin.copy"));
  return h("div.secret-box", { role: "status" }, icon("lock"),
    h("div.secret-text", {}, h("strong", {}, title), value, h("small.muted", {}, note)), copy);
}

export function sectionHead(title, text) {
  return h("div.admin-section-head", {}, h("h2", {}, title), h("p.muted", {}, text));
}
