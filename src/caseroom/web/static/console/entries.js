// How each timeline entry looks: Customer, agent and bot messages, yellow log
// notes (editable by their author), system lines, and sends still on their way.

import { avatar, clock, h, icon } from "./dom.js";
import { fileList } from "./attachments.js";
import { richText } from "./richtext.js";
import { choiceChips, splitChoices } from "./bots.js";
import { t } from "./i18n.js";

// The channels a message is tagged with (chat, the usual, goes untagged).
const TAGGED = new Set(["sms", "email", "video", "bot"]);

/** Subject, sender and recipients of a message that travelled by email. */
function emailHead(email) {
  const line = (label, value) => (value ? h("div.email-line", {}, h("span.email-label", {}, label), value) : null);
  return h("div.email-head", { "aria-label": t("entries.email.details") },
    line(t("composer.email.subject"), email.subject),
    line(t("entries.email.from"), email.sender),
    line(t("composer.email.to"), (email.to || []).join(", ")),
    line(t("composer.email.cc"), (email.cc || []).join(", ")));
}

/** A received mail's folded quote (one click shows it) and its HTML, sanitized by
 * the server and shown in a sandboxed frame that runs nothing. */
function emailExtras(email) {
  const parts = [];
  if (email.quoted) {
    const quote = h("pre.email-quoted", { hidden: true }, email.quoted);
    const toggle = h("button.link.email-quote-toggle", { type: "button", "aria-expanded": "false", onclick: () => {
      quote.hidden = !quote.hidden;
      toggle.setAttribute("aria-expanded", String(!quote.hidden));
      toggle.textContent = quote.hidden ? t("entries.email.show_quote") : t("entries.email.hide_quote");
    } }, t("entries.email.show_quote"));
    parts.push(toggle, quote);
  }
  if (email.html || email.html_url) {
    const frame = h("iframe.email-html", { sandbox: "", referrerpolicy: "no-referrer", title: t("entries.email.html_title"), hidden: true });
    // Its own page keeps its inline styles under a strict policy; else it inherits ours.
    if (email.html_url) frame.src = email.html_url;
    else frame.srcdoc = email.html;
    const show = h("button.link.email-html-toggle", { type: "button", "aria-expanded": "false", onclick: () => {
      frame.hidden = !frame.hidden;
      show.setAttribute("aria-expanded", String(!frame.hidden));
      show.textContent = frame.hidden ? t("entries.email.show_html") : t("entries.email.hide_html");
    } }, t("entries.email.show_html"));
    parts.push(show, frame);
  }
  return parts.length ? h("div.email-extras", {}, ...parts) : null;
}

export class Entries {
  /** `timeline` gives the room, the directory, the element cache and the note actions. */
  constructor(timeline) {
    this.t = timeline;
  }

  emptyEl() {
    return this.t.room === "private"
      ? h("div.room-empty", {}, icon("lock"), h("p", {}, t("entries.empty.private")),
          h("p.muted", {}, t("entries.empty.private_hint")))
      : h("div.room-empty", {}, icon("chat"), h("p", {}, t("entries.empty.public")));
  }

  side(message) {
    const mine = message.author.kind === "agent" && message.author.id === this.t.directory.me.id;
    if (this.t.room === "public") return message.author.kind === "agent" ? "out" : "in";
    return mine ? "out" : "in";
  }

  text(body) {
    const names = [...this.t.directory.agents.values()].flatMap((a) => [a.name]);
    return richText(body, { names, me: this.t.directory.me.name });
  }

  bubbleEl(message) {
    const { author } = message;
    // A received mail's details (quote, HTML, addresses) come from its own endpoint.
    if (message.channel === "email" && !message.email && author.kind !== "agent") this.t.onEmailWanted?.(message);
    const side = this.side(message);
    const mine = author.kind === "agent" && author.id === this.t.directory.me.id;
    const tag = { customer: t("entries.tag.customer"), bot: t("channel.bot") }[author.kind];
    const via = author.kind === "bot" && message.channel === "bot" ? null
      : TAGGED.has(message.channel) ? t(message.channel === "video" ? "entries.video_call" : `channel.${message.channel}`) : null;
    return h(`div.msg.msg-${side}.author-${author.kind}${mine ? ".msg-mine" : ""}`, {},
      avatar(author.name, author.kind),
      h("div.msg-main", {},
        h("div.msg-head", {},
          h("span.msg-author", {}, mine ? t("entries.you") : author.name),
          tag ? h(`span.tag.tag-${author.kind}`, {}, tag) : null,
          via ? h("span.tag.tag-channel", {}, icon(message.channel), via) : null,
          message.redacted_at ? h("span.tag", { title: t("entries.redacted_title") }, t("entries.redacted")) : null,
          h("time", { datetime: message.created_at }, clock(message.created_at))),
        message.email ? emailHead(message.email) : null,
        message.body ? this.bodyEl(message) : null,
        message.email ? emailExtras(message.email) : null,
        fileList(message.attachments),
        author.kind === "bot" && this.t.suggestions ? this.t.suggestions.actionFor(message) : null));
  }

  bodyEl(message) {
    if (message.author.kind !== "bot") return h("div.bubble", {}, this.text(message.body));
    const { text, choices } = splitChoices(message.body);
    return h("div.bubble", {}, this.text(text), choiceChips(choices));
  }

  noteEl(message) {
    const mine = message.author.id === this.t.directory.me.id;
    const who = mine ? t("entries.you") : message.author.name;
    if (message.deleted_at) {
      return h("div.sys.note-deleted", {}, h("span.sys-line", {}, icon("note"), t(mine ? "entries.note.you_deleted" : "entries.note.deleted", { who }),
        h("time", { datetime: message.deleted_at }, clock(message.deleted_at))));
    }
    const body = h("div.note-body", {}, this.text(message.body));
    const actions = mine && this.t.onEditNote
      ? h("span.note-actions", {},
          h("button.link", { type: "button", "aria-label": t("entries.note.edit_label"), onclick: () => this.editNote(message, body) }, t("entries.note.edit")),
          h("button.link", { type: "button", "aria-label": t("entries.note.delete_label"), onclick: () => this.t.onDeleteNote(message) }, t("entries.note.delete")))
      : null;
    return h("div.msg.msg-note", {},
      h("div.note", { role: "note", "aria-label": t("entries.note.by", { who: message.author.name }) },
        h("div.note-head", {}, icon("note"), h("strong", {}, t("composer.note")),
          h("span", {}, `· ${who}`),
          h("time", { datetime: message.created_at }, clock(message.created_at)),
          message.edited_at ? h("span.edited", { title: message.edited_at }, t("entries.note.edited")) : null,
          message.redacted_at ? h("span.tag", {}, t("entries.redacted")) : null,
          actions,
          h("span.note-private", {}, icon("lock"), t("issue.room.private.hint"))),
        body, fileList(message.attachments)));
  }

  editNote(message, body) {
    const box = h("textarea.note-edit", { "aria-label": t("entries.note.editor_label"), rows: "3" });
    box.value = message.body;
    const save = async () => {
      const text = box.value.trim();
      if (!text || text === message.body) return cancel();
      try {
        this.t.replace(await this.t.onEditNote(message, text));
      } catch (error) {
        form.querySelector(".form-error").textContent = error.message;
      }
    };
    const cancel = () => {
      this.t.elements.delete(message.id);
      this.t.render();
    };
    box.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey) {
        e.preventDefault();
        save();
      } else if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        cancel();
      }
    });
    const form = h("div.note-editor", {}, box,
      h("div.note-edit-actions", {}, h("span.form-error", { role: "alert" }),
        h("button.btn.btn-sm.btn-ghost", { type: "button", onclick: cancel }, t("common.cancel")),
        h("button.btn.btn-sm.btn-primary", { type: "button", onclick: save }, t("common.save"))));
    body.replaceChildren(form);
    box.focus();
  }

  eventEl(message) {
    return h("div.sys", {}, h("span.sys-line", {}, icon(message.channel === "video" ? "video" : "system"), message.body,
      h("time", { datetime: message.created_at }, clock(message.created_at))));
  }

  activityEl(entry) {
    const key = `activity:${entry.id}`;
    if (this.t.elements.has(key)) return this.t.elements.get(key);
    const el = h("div.sys", { dataset: { action: entry.action } },
      h("span.sys-line", {}, icon(SYS_ICON[entry.action] || "system"), describe(entry, this.t.directory),
        h("time", { datetime: entry.created_at }, clock(entry.created_at))));
    this.t.elements.set(key, el);
    return el;
  }

  pendingEl(item) {
    const key = `pending:${item.key}`;
    const status = {
      sending: t("entries.pending.sending"),
      retrying: t("entries.pending.retrying"),
      waiting: item.error || t("entries.pending.waiting"),
      failed: t("entries.pending.failed", { error: item.error }),
    }[item.state];
    const actions = item.state === "failed" || item.state === "waiting"
      ? h("span.pending-actions", {},
          h("button.link", { type: "button", onclick: () => this.t.onRetry?.(item.key) }, t("entries.pending.retry")),
          h("button.link", { type: "button", onclick: () => this.t.onDiscard?.(item.key) }, t("entries.pending.discard")))
      : null;
    const files = item.files?.length
      ? h("div.files.files-pending", {}, item.files.map((f) => h("span.file-chip", {}, icon("file"), h("span.file-name", {}, f.name))),
          item.state === "failed" ? null : h("progress.upload-progress", { max: "1", value: String(item.progress || 0), "aria-label": t("entries.pending.progress") }))
      : null;
    const text = item.body ? (item.kind === "note" ? h("div.note-body", {}, item.body) : h("div.bubble", {}, item.body)) : null;
    const body = item.kind === "note"
      ? h("div.note", {}, h("div.note-head", {}, icon("note"), h("strong", {}, t("composer.note"))), text, files)
      : [text, files];
    const el = h(`div.msg.msg-out.msg-mine.msg-pending.pending-${item.state}${item.kind === "note" ? ".msg-note" : ""}`,
      { dataset: { key: item.key } },
      item.kind === "note" ? null : avatar(this.t.directory.me.name, "agent"),
      h("div.msg-main", {}, body, h("div.pending-status", { role: item.state === "failed" ? "alert" : null },
        icon(item.state === "failed" ? "alert" : "clock"), status, actions)));
    this.t.elements.set(key, el);
    return el;
  }
}

const SYS_ICON = { open: "inbox", claim: "hand", assign: "mine", resolve: "check-circle", reopen: "reopen",
  cancel: "ban", close: "check", watch: "eye", unwatch: "eye-off", mention: "at", "message.redacted": "lock" };

export function describe(entry, directory) {
  const actor = entry.actor_kind === "agent" ? directory.agentName(entry.actor_id)
    : entry.actor_kind === "customer" ? t("activity.the_customer") : "caseroom";
  const target = directory.agentName(entry.detail?.agent_id || entry.detail?.owner_agent_id);
  const say = (key) => t(`activity.${key}`, { actor, target: target || actor });
  switch (entry.action) {
    case "open": return say(entry.detail?.linked_issue_id ? "open_linked" : "open");
    case "assign": return say(target ? "assign" : "assign_team");
    case "reopen": return say(entry.actor_kind === "customer" ? "reopen_customer" : "reopen");
    case "watch": return say(target === actor ? "watch" : "watch_by");
    case "claim": case "resolve": case "cancel": case "close": case "unwatch": case "mention": return say(entry.action);
    case "message.redacted": return say("redacted");
    default: return `${actor}: ${String(entry.action).replaceAll("_", " ")}`;
  }
}

