// The Customer panel beside the conversation: who they are (verified or not),
// where they wrote from, their earlier Issues (one click opens one), the notes
// agents keep about them, and editing their contact details.

import { get, patch, post } from "./api.js";
import { ago, avatar, h, icon, toast } from "./dom.js";
import { t } from "./i18n.js";

const OPEN_KEY = "caseroom.console.customer-open";
// Beside the timeline when there is room; over it (closed until asked for) when not.
const WIDE = window.matchMedia("(min-width: 1181px)");
// Where an Issue started (its surface), or for an Issue from before that was
// recorded, its channel.
const WROTE_FROM = new Set(["widget", "embed", "connect", "api", "chat", "email", "sms", "video", "bot"]);
const wroteFrom = (from) => (WROTE_FROM.has(from) ? t(`customer.from.${from}`) : from);

export class CustomerPanel {
  constructor(view) {
    this.view = view;
    this.body = h("div.customer-body");
    this.el = h("aside.customer-panel", { id: "customer-panel", "aria-label": t("entries.tag.customer"), hidden: !this.isOpen() },
      h("header.cp-head", {}, h("h2", {}, icon("mine"), t("entries.tag.customer")),
        h("button.btn.btn-icon.btn-ghost.btn-sm", { type: "button", "aria-label": t("customer.close"), onclick: () => this.setOpen(false) }, icon("x"))),
      this.body);
  }

  isOpen() {
    if (!WIDE.matches) return Boolean(this.openHere);
    return localStorage.getItem(OPEN_KEY) !== "closed";
  }

  toggle() {
    return h("button.btn.btn-ghost", {
      type: "button", "aria-controls": "customer-panel", "aria-expanded": String(this.isOpen()), dataset: { action: "customer" },
      onclick: () => this.setOpen(!this.isOpen()),
    }, icon("mine"), t("entries.tag.customer"));
  }

  setOpen(open) {
    if (WIDE.matches) localStorage.setItem(OPEN_KEY, open ? "open" : "closed");
    else this.openHere = open;
    this.el.hidden = !open;
    this.view.header.querySelector('[data-action="customer"]')?.setAttribute("aria-expanded", String(open));
    if (open) this.refresh();
  }

  async refresh() {
    if (this.el.hidden) return;
    try {
      this.profile = await get(`/customers/${this.view.issue.customer_id}/profile`);
    } catch (error) {
      this.body.replaceChildren(h("p.muted", {}, error.message));
      return;
    }
    this.render();
  }

  render() {
    const { customer, verified, surfaces, issues, notes } = this.profile;
    const here = this.view.issue.surface || this.view.issue.source_channel;
    const row = (label, value) => h("div.cp-row", {}, h("dt", {}, label), h("dd", {}, value || h("span.muted", {}, "—")));
    const edit = h("button.btn.btn-sm.btn-ghost", { type: "button", onclick: () => this.editForm() }, t("entries.note.edit"));
    this.body.replaceChildren(
      h("section.cp-who", {},
        avatar(customer.name, "customer", "avatar-lg"),
        h("div", {}, h("strong.cp-name", {}, customer.name),
          verified
            ? h("span.cp-verified", { title: t("customer.verified_title") }, icon("check"), t("customer.verified"))
            : h("span.cp-unverified", { title: t("customer.unverified_title") }, t("customer.unverified"))),
        edit),
      h("dl.cp-details", {},
        row(t("channel.email"), customer.email), row(t("customer.phone"), customer.phone), row(t("customer.external_id"), customer.external_id),
        row(t("customer.this_issue_from"), here ? wroteFrom(here) : null),
        row(t("customer.wrote_from"), surfaces.map(wroteFrom).join(", "))),
      h("section.cp-section", { "aria-labelledby": "cp-issues" },
        h("h3", { id: "cp-issues" }, t("customer.issues"), h("span.count-soft", {}, issues.length)),
        h("ul.cp-issues", {}, issues.map((i) => h("li", {},
          h("a.cp-issue", { href: `#/all/${i.id}`, "aria-current": i.id === this.view.issueId ? "page" : null },
            h("span.ref", {}, `#${i.reference}`), h("span.cp-subject", {}, i.subject),
            h(`span.status.status-${i.status}`, {}, t(`status.${i.status}`)),
            h("span.muted.cp-date", { title: i.created_at }, ago(i.created_at))))))),
      this.notesSection(notes));
  }

  notesSection(notes) {
    const input = h("textarea.cp-note-input", { rows: 2, placeholder: t("customer.note_placeholder"), "aria-label": t("customer.note_label"), maxlength: 2000 });
    const add = h("button.btn.btn-sm", { type: "submit" }, icon("plus"), t("composer.add_note"));
    const form = h("form.cp-note-form", {}, input, add);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!input.value.trim()) return;
      try {
        await post(`/customers/${this.view.issue.customer_id}/notes`, { body: input.value });
        await this.refresh();
      } catch (error) {
        toast(error.message, "error");
      }
    });
    const directory = this.view.directory;
    return h("section.cp-section", { "aria-labelledby": "cp-notes" },
      h("h3", { id: "cp-notes" }, t("customer.notes")),
      h("ul.cp-notes", {}, notes.map((n) => h("li.cp-note", {},
        h("p", {}, n.body), h("span.muted", {}, `${directory.agentName(n.author_id) || t("customer.someone")} · ${ago(n.created_at)}`)))),
      form);
  }

  editForm() {
    const { customer } = this.profile;
    const field = (name, label, value, type = "text") => h("label.cp-field", {}, h("span", {}, label),
      h("input", { name, type, value: value || "", autocomplete: "off" }));
    const error = h("p.cp-error", { role: "alert" });
    const form = h("form.cp-edit", { "aria-label": t("customer.edit_label") },
      field("name", t("customer.name"), customer.name), field("email", t("channel.email"), customer.email, "email"),
      field("phone", t("customer.phone"), customer.phone, "tel"), error,
      h("div.cp-edit-actions", {},
        h("button.btn.btn-sm.btn-primary", { type: "submit" }, t("common.save")),
        h("button.btn.btn-sm.btn-ghost", { type: "button", onclick: () => this.render() }, t("common.cancel"))));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const data = Object.fromEntries(new FormData(form));
      const body = { name: data.name, email: data.email || null, phone: data.phone || null };
      try {
        const saved = await patch(`/customers/${customer.id}`, body);
        this.view.directory.customers.set(customer.id, Promise.resolve(saved));
        this.view.customer = saved;
        this.view.renderHeader();
        toast(t("customer.saved"));
        await this.refresh();
      } catch (failure) {
        error.textContent = failure.message;
        form.querySelector(`[name="${failure.problem?.field || "name"}"]`)?.focus();
      }
    });
    this.body.querySelector(".cp-details").replaceWith(form);
    form.querySelector("input").focus();
  }
}
