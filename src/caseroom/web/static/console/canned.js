// The canned-response picker: search the organization's and your own templates
// by title, shortcut or tag, preview one filled in for this Issue, insert it
// into the composer to edit before sending. "/" at the start of an empty
// composer opens it too.

import { get } from "./api.js";
import { h, icon } from "./dom.js";
import { t } from "./i18n.js";

const SEARCH_DEBOUNCE_MS = 120;
const LIMIT = 20;
const VARIABLE = /\{\{\s*[^{}]+?\s*\}\}/g;

export class CannedTool {
  /** `admin`: the picker links to the admin screen where the organization's are kept. */
  constructor({ admin = false } = {}) {
    this.admin = admin;
    this.rendered = new Map(); // "canned:issue" -> filled-in text
  }

  button(composer) {
    const button = h("button.tool.tool-canned", {
      type: "button", "aria-haspopup": "dialog", "aria-expanded": "false",
      title: t("canned.title"), "aria-keyshortcuts": "/",
      onclick: () => (composer.cannedPicker ? this.close(composer) : this.open(composer, "", { from: button })),
    }, icon("bolt"), h("span.tool-label", {}, t("canned.button")));
    composer.cannedButton = button;
    return button;
  }

  typed(composer) {
    const value = composer.textarea.value;
    if (value === "/" && !composer.cannedPicker) {
      composer.textarea.value = "";
      composer.changed();
      this.open(composer, "");
    }
  }

  handleKey() {
    return false;
  }

  /** `from`: where the keyboard goes back to when the picker closes (the composer's text by default). */
  open(composer, query, { from = null } = {}) {
    composer.mentions?.close();
    const picker = new Picker(this, composer, query);
    picker.returnTo = from;
    composer.cannedPicker = picker;
    composer.cannedButton?.setAttribute("aria-expanded", "true");
    composer.showPopover(picker.el);
    picker.search.focus();
    picker.load();
  }

  close(composer, { focus = true } = {}) {
    const returnTo = composer.cannedPicker?.returnTo;
    composer.cannedPicker = null;
    composer.cannedButton?.setAttribute("aria-expanded", "false");
    composer.showPopover(null);
    if (focus) (returnTo || composer.textarea).focus();
  }

  async render(canned, issueId) {
    const key = `${canned.id}:${issueId}`;
    if (!this.rendered.has(key)) {
      const loading = get(`/canned-responses/${canned.id}/render`, { issue_id: issueId })
        .then((r) => r.text)
        .catch((error) => {
          this.rendered.delete(key);
          throw error;
        });
      this.rendered.set(key, loading);
    }
    return this.rendered.get(key);
  }
}

class Picker {
  constructor(tool, composer, query) {
    this.tool = tool;
    this.composer = composer;
    this.items = [];
    this.active = 0;
    const id = `canned-${composer.room}`;
    this.search = h("input.canned-search", {
      id: `${id}-search`, type: "text", value: query, autocomplete: "off",
      role: "combobox", "aria-expanded": "true", "aria-controls": `${id}-list`, "aria-autocomplete": "list",
      "aria-label": t("canned.search_label"), placeholder: t("canned.search_placeholder"),
    });
    this.list = h("ul.canned-list", { id: `${id}-list`, role: "listbox", "aria-label": t("shortcuts.canned") });
    // Said beside the list, never inside it: a listbox holds options only.
    this.empty = h("p.canned-empty", { role: "status", hidden: true });
    this.preview = h("div.canned-preview", { "aria-live": "polite", id: `${id}-preview` });
    this.el = h("div.canned", { role: "dialog", "aria-label": t("shortcuts.canned") },
      h("div.canned-head", {}, icon("search"), this.search,
        h("button.btn.btn-icon.btn-ghost.btn-sm", { type: "button", "aria-label": t("canned.close"), onclick: () => tool.close(composer) }, icon("x"))),
      h("div.canned-body", {}, h("div.canned-results", {}, this.list, this.empty), this.preview),
      h("div.canned-foot", {}, h("kbd", {}, "↑"), h("kbd", {}, "↓"), ` ${t("canned.hint.choose")} · `, h("kbd", {}, "Enter"), ` ${t("canned.hint.insert")} · `, h("kbd", {}, "Esc"), ` ${t("canned.hint.close")}`,
        tool.admin ? h("a.canned-manage", { href: "#/admin/canned", onclick: () => tool.close(composer) }, t("canned.manage")) : null));
    this.search.addEventListener("input", () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.load(), SEARCH_DEBOUNCE_MS);
    });
    this.search.addEventListener("keydown", (e) => this.keys(e));
    this.el.addEventListener("keydown", (e) => {
      if (e.key !== "Escape") return;
      e.preventDefault();
      e.stopPropagation();
      tool.close(composer);
    });
    this.el.addEventListener("focusout", (e) => {
      if (!this.el.contains(e.relatedTarget) && e.relatedTarget !== composer.cannedButton) {
        if (composer.cannedPicker === this) tool.close(composer, { focus: false });
      }
    });
  }

  async load() {
    const query = this.search.value;
    try {
      const found = await get("/canned-responses", { q: query, limit: LIMIT });
      if (query !== this.search.value) return; // a newer search is on its way
      this.items = found;
      this.active = 0;
      this.renderList();
    } catch (error) {
      this.items = [];
      this.showEmpty(error.message);
    }
  }

  renderList() {
    if (!this.items.length) {
      this.showEmpty(this.search.value
        ? t("canned.no_match")
        : this.tool.admin ? t("canned.none_admin") : t("canned.none"));
      return;
    }
    this.empty.hidden = true;
    this.list.hidden = false;
    this.search.setAttribute("aria-expanded", "true");
    this.list.replaceChildren(...this.items.map((c, i) => h("li.canned-item", {
      role: "option", id: `canned-option-${c.id}`, "aria-selected": String(i === this.active),
      onmousedown: (e) => e.preventDefault(),
      onclick: () => this.choose(i),
      onmousemove: () => {
        if (this.active !== i) this.move(i);
      },
    }, h("span.canned-title", {}, c.title),
    h("span.canned-meta", {}, c.shortcut ? h("code.shortcut", {}, `/${c.shortcut.replace(/^\//, "")}`) : null,
      h(`span.scope.scope-${c.scope}`, {}, c.scope === "personal" ? t("canned.personal") : t("canned.shared"))))));
    this.move(this.active);
  }

  showEmpty(text) {
    this.list.replaceChildren();
    this.list.hidden = true;
    this.empty.textContent = text;
    this.empty.hidden = false;
    this.preview.replaceChildren();
    this.search.setAttribute("aria-expanded", "false");
    this.search.removeAttribute("aria-activedescendant");
  }

  move(index) {
    this.active = index;
    [...this.list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    const item = this.items[index];
    if (!item) return;
    this.search.setAttribute("aria-activedescendant", `canned-option-${item.id}`);
    this.list.children[index]?.scrollIntoView({ block: "nearest" });
    this.showPreview(item);
  }

  async showPreview(item) {
    const template = h("div.canned-template", {}, ...highlight(item.body));
    const filled = h("div.canned-filled", {}, h("span.loader", {}, t("canned.filling")));
    this.preview.replaceChildren(
      h("div.preview-label", {}, t("canned.preview")), filled,
      h("div.preview-label", {}, t("canned.template")), template);
    try {
      const text = await this.tool.render(item, this.composer.issue.id);
      if (this.items[this.active] === item) filled.replaceChildren(text);
    } catch (error) {
      filled.replaceChildren(h("span.form-error", {}, error.message));
    }
  }

  keys(event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!this.items.length) return;
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.move((this.active + step + this.items.length) % this.items.length);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (this.items.length) this.choose(this.active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      this.tool.close(this.composer);
    }
  }

  async choose(index) {
    const item = this.items[index];
    try {
      const text = await this.tool.render(item, this.composer.issue.id);
      this.tool.close(this.composer, { focus: false });
      this.composer.insert(text); // and the keyboard goes to the text, to edit it
    } catch (error) {
      this.preview.replaceChildren(h("p.form-error", {}, error.message));
    }
  }
}

/** The template's text with each {{variable}} marked. */
function highlight(body) {
  const out = [];
  let at = 0;
  for (const match of body.matchAll(VARIABLE)) {
    if (match.index > at) out.push(body.slice(at, match.index));
    out.push(h("span.variable", {}, match[0]));
    at = match.index + match[0].length;
  }
  out.push(body.slice(at));
  return out;
}
