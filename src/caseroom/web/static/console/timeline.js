// One room's timeline: messages in sequence order (each id once), the Issue's
// activity as system lines, optimistic sends, typing, and infinite scroll back.

import { get } from "./api.js";
import { avatar, clock, dayLabel, h, icon } from "./dom.js";
import { fileList } from "./attachments.js";
import { richText } from "./richtext.js";

const PAGE = 40;
const GROUP_WITHIN_MS = 5 * 60 * 1000;
const TYPING_SHOWN_MS = 6000;
const NEAR_BOTTOM_PX = 120;
const TOP_REACH_PX = 240;
const PUBLIC_ACTIONS = new Set(["open", "claim", "assign", "resolve", "reopen", "cancel", "close"]);
const CHANNEL_LABEL = { sms: "SMS", email: "Email", video: "Video call", bot: "Bot" };

export class Timeline {
  constructor({ issue, room, directory, onUnread }) {
    this.issue = issue;
    this.room = room;
    this.directory = directory;
    this.onUnread = onUnread || (() => {});
    this.messages = new Map(); // id -> message
    this.bySeq = new Map(); // seq -> id
    this.activity = [];
    this.pending = new Map(); // idempotency key -> outbox item
    this.elements = new Map();
    this.typists = new Map(); // who id -> { name, until }
    this.maxChange = 0; // highest change number seen (edits, deletions, redactions)
    this.hasMore = false;
    this.loading = false;
    this.visible = false;
    this.unread = 0;
    this.build();
  }

  build() {
    const label = this.room === "public" ? "Public room: conversation with the Customer" : "Private room: agents only";
    this.top = h("div.timeline-top", {}, h("span.loader", {}, "Loading…"));
    this.list = h("div.timeline-list");
    this.typingEl = h("div.typing", { "aria-live": "polite" });
    this.scroller = h("div.timeline-scroll", { tabindex: "0", role: "log", "aria-label": label },
      this.top, this.list);
    this.el = h(`section.timeline.timeline-${this.room}`, { dataset: { room: this.room } }, this.scroller, this.typingEl);
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) this.loadOlder();
    }, { root: this.scroller, rootMargin: `${TOP_REACH_PX}px 0px 0px 0px` });
    this.observer.observe(this.top);
  }

  destroy() {
    this.observer.disconnect();
    clearInterval(this.typingTimer);
  }

  get maxSeq() {
    return this.bySeq.size ? Math.max(...this.bySeq.keys()) : 0;
  }

  get minSeq() {
    return this.bySeq.size ? Math.min(...this.bySeq.keys()) : 0;
  }

  path() {
    return `/issues/${this.issue.id}/rooms/${this.room}/messages`;
  }

  async loadLatest() {
    this.loading = true;
    try {
      const page = await get(this.path(), { limit: PAGE });
      page.items.forEach((m) => this.store(m));
      this.hasMore = page.has_more;
    } finally {
      this.loading = false;
    }
    this.render({ stick: true });
    return this.maxSeq;
  }

  async loadOlder() {
    if (this.loading || !this.hasMore || !this.bySeq.size) return;
    this.loading = true;
    this.top.classList.add("is-loading");
    try {
      const page = await get(this.path(), { before: this.minSeq, limit: PAGE });
      page.items.forEach((m) => this.store(m));
      this.hasMore = page.has_more;
      this.render({ keepBottomDistance: true });
    } catch {
      // a later scroll tries again
    } finally {
      this.loading = false;
      this.top.classList.remove("is-loading");
    }
    // The observer reports changes only: if the top is still in reach, go on.
    if (this.topInReach()) this.loadOlder();
  }

  topInReach() {
    const s = this.scroller;
    return this.hasMore && s.clientHeight > 0 && s.scrollTop < TOP_REACH_PX;
  }

  /** A message from any source (page, stream, send response); false if known. */
  add(message, { live = false } = {}) {
    if (!this.store(message)) return false;
    const mine = message.author.kind === "agent" && message.author.id === this.directory.me.id;
    if (live && !mine && !this.visible) {
      this.unread += 1;
      this.onUnread(this.unread);
    }
    if (message.author.id) this.typists.delete(message.author.id);
    this.render({ stick: mine || this.nearBottom() });
    return true;
  }

  /** A message changed (edited, deleted or redacted): show its new state. */
  replace(message) {
    this.noteChange(message);
    const known = this.messages.get(message.id);
    if (!known || (known.change_seq || 0) > (message.change_seq || 0)) return;
    this.messages.set(message.id, message);
    this.elements.delete(message.id);
    this.render({ stick: this.nearBottom() });
  }

  /** After a reconnect: the changes made to messages while we were away. */
  async catchUpChanges() {
    let more = true;
    while (more) {
      const page = await get(`/issues/${this.issue.id}/rooms/${this.room}/changes`, { after: this.maxChange, limit: PAGE });
      page.items.forEach((m) => (this.messages.has(m.id) ? this.replace(m) : this.noteChange(m)));
      more = page.has_more && page.items.length > 0;
    }
  }

  noteChange(message) {
    if (message.change_seq) this.maxChange = Math.max(this.maxChange, message.change_seq);
  }

  store(message) {
    this.noteChange(message);
    if (this.messages.has(message.id)) return false;
    const other = this.bySeq.get(message.seq);
    if (other && other !== message.id) return false; // the server never reuses a number
    this.messages.set(message.id, message);
    this.bySeq.set(message.seq, message.id);
    if (message.idempotency_key) this.pending.delete(message.idempotency_key);
    return true;
  }

  setActivity(entries) {
    this.activity = entries.filter((a) => PUBLIC_ACTIONS.has(a.action) === (this.room === "public"));
    this.render({ stick: this.nearBottom() });
  }

  showPending(item) {
    if (item.state === "discarded" || item.state === "sent") this.pending.delete(item.key);
    else if (!this.messages.has(item.key)) this.pending.set(item.key, item);
    this.elements.delete(`pending:${item.key}`);
    this.render({ stick: true });
  }

  setVisible(visible) {
    this.visible = visible;
    if (visible) {
      this.unread = 0;
      this.onUnread(0);
    }
  }

  // -- typing ----------------------------------------------------------------------------

  typing(who) {
    if (who.kind === "agent" && who.id === this.directory.me.id) return;
    this.typists.set(who.id, { name: who.name, until: Date.now() + TYPING_SHOWN_MS });
    this.renderTyping();
    clearInterval(this.typingTimer);
    this.typingTimer = setInterval(() => this.renderTyping(), 1000);
  }

  renderTyping() {
    const now = Date.now();
    for (const [id, t] of this.typists) if (t.until < now) this.typists.delete(id);
    const names = [...this.typists.values()].map((t) => t.name.split(" ")[0]);
    if (!names.length) {
      clearInterval(this.typingTimer);
      this.typingEl.replaceChildren();
      return;
    }
    const who = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
    this.typingEl.replaceChildren(h("span.dots", { "aria-hidden": "true" }, h("i"), h("i"), h("i")),
      `${who} ${names.length === 1 ? "is" : "are"} typing…`);
  }

  // -- rendering ---------------------------------------------------------------------------

  nearBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
  }

  render({ stick = false, keepBottomDistance = false } = {}) {
    const fromBottom = this.scroller.scrollHeight - this.scroller.scrollTop;
    const ordered = [...this.bySeq.keys()].sort((a, b) => a - b).map((s) => this.messages.get(this.bySeq.get(s)));
    const earliest = ordered.length ? ordered[0].created_at : null;
    const activity = this.activity
      .filter((a) => a.created_at && (!this.hasMore || !earliest || a.created_at >= earliest))
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    const nodes = [];
    let prev = null;
    let day = null;
    let next = 0;
    const addDay = (iso) => {
      const label = dayLabel(iso);
      if (label !== day) {
        day = label;
        nodes.push(h("div.day", { role: "separator" }, h("span", {}, label)));
        prev = null;
      }
    };
    for (const message of ordered) {
      while (next < activity.length && activity[next].created_at < message.created_at) {
        addDay(activity[next].created_at);
        nodes.push(this.activityEl(activity[next]));
        next += 1;
        prev = null;
      }
      addDay(message.created_at);
      nodes.push(this.messageEl(message, prev));
      prev = message;
    }
    for (; next < activity.length; next += 1) {
      addDay(activity[next].created_at);
      nodes.push(this.activityEl(activity[next]));
    }
    for (const item of this.pending.values()) nodes.push(this.pendingEl(item));
    if (!nodes.length) nodes.push(this.emptyEl());
    this.list.replaceChildren(...nodes);
    this.top.replaceChildren(this.hasMore
      ? h("span.loader", {}, "Loading earlier messages…")
      : h("span.beginning", {}, this.room === "public" ? "Beginning of the conversation" : "Beginning of the private room"));
    if (stick) this.scroller.scrollTop = this.scroller.scrollHeight;
    else if (keepBottomDistance) this.scroller.scrollTop = this.scroller.scrollHeight - fromBottom;
  }

  emptyEl() {
    return this.room === "private"
      ? h("div.room-empty", {}, icon("lock"), h("p", {}, "Talk with colleagues here. The Customer never sees this room."),
          h("p.muted", {}, "Type @ to bring someone in."))
      : h("div.room-empty", {}, icon("chat"), h("p", {}, "No messages yet."));
  }

  side(message) {
    const mine = message.author.kind === "agent" && message.author.id === this.directory.me.id;
    if (this.room === "public") return message.author.kind === "agent" ? "out" : "in";
    return mine ? "out" : "in";
  }

  messageEl(message, prev) {
    const cached = this.elements.get(message.id);
    const continued = Boolean(prev && prev.kind === "message" && message.kind === "message"
      && prev.author.kind === message.author.kind && prev.author.id === message.author.id
      && new Date(message.created_at) - new Date(prev.created_at) < GROUP_WITHIN_MS);
    if (cached) {
      cached.classList.toggle("continued", continued);
      return cached;
    }
    let el;
    if (message.kind === "event") el = this.eventEl(message);
    else if (message.kind === "note") el = this.noteEl(message);
    else el = this.bubbleEl(message);
    el.dataset.id = message.id;
    el.dataset.seq = message.seq;
    el.classList.toggle("continued", continued);
    this.elements.set(message.id, el);
    return el;
  }

  text(body) {
    const names = [...this.directory.agents.values()].flatMap((a) => [a.name]);
    return richText(body, { names, me: this.directory.me.name });
  }

  bubbleEl(message) {
    const { author } = message;
    const side = this.side(message);
    const mine = author.kind === "agent" && author.id === this.directory.me.id;
    const tag = { customer: "Customer", bot: "Bot" }[author.kind];
    const via = CHANNEL_LABEL[message.channel];
    return h(`div.msg.msg-${side}.author-${author.kind}${mine ? ".msg-mine" : ""}`, {},
      avatar(author.name, author.kind),
      h("div.msg-main", {},
        h("div.msg-head", {},
          h("span.msg-author", {}, mine ? "You" : author.name),
          tag ? h(`span.tag.tag-${author.kind}`, {}, tag) : null,
          via ? h("span.tag.tag-channel", {}, icon(message.channel), via) : null,
          message.redacted_at ? h("span.tag", { title: "Sensitive text was removed" }, "Redacted") : null,
          h("time", { datetime: message.created_at }, clock(message.created_at))),
        message.body ? h("div.bubble", {}, this.text(message.body)) : null,
        fileList(message.attachments)));
  }

  noteEl(message) {
    const mine = message.author.id === this.directory.me.id;
    const who = mine ? "You" : message.author.name;
    if (message.deleted_at) {
      return h("div.sys.note-deleted", {}, h("span.sys-line", {}, icon("note"), `${who} deleted a log note`,
        h("time", { datetime: message.deleted_at }, clock(message.deleted_at))));
    }
    const body = h("div.note-body", {}, this.text(message.body));
    const actions = mine && this.onEditNote
      ? h("span.note-actions", {},
          h("button.link", { type: "button", "aria-label": "Edit this log note", onclick: () => this.editNote(message, body) }, "Edit"),
          h("button.link", { type: "button", "aria-label": "Delete this log note", onclick: () => this.onDeleteNote(message) }, "Delete"))
      : null;
    return h("div.msg.msg-note", {},
      h("div.note", { role: "note", "aria-label": `Log note by ${message.author.name}` },
        h("div.note-head", {}, icon("note"), h("strong", {}, "Log note"),
          h("span", {}, `· ${who}`),
          h("time", { datetime: message.created_at }, clock(message.created_at)),
          message.edited_at ? h("span.edited", { title: message.edited_at }, "(edited)") : null,
          message.redacted_at ? h("span.tag", {}, "Redacted") : null,
          actions,
          h("span.note-private", {}, icon("lock"), "Agents only")),
        body, fileList(message.attachments)));
  }

  editNote(message, body) {
    const box = h("textarea.note-edit", { "aria-label": "Edit the log note", rows: "3" });
    box.value = message.body;
    const save = async () => {
      const text = box.value.trim();
      if (!text || text === message.body) return cancel();
      try {
        this.replace(await this.onEditNote(message, text));
      } catch (error) {
        form.querySelector(".form-error").textContent = error.message;
      }
    };
    const cancel = () => {
      this.elements.delete(message.id);
      this.render();
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
        h("button.btn.btn-sm.btn-ghost", { type: "button", onclick: cancel }, "Cancel"),
        h("button.btn.btn-sm.btn-primary", { type: "button", onclick: save }, "Save")));
    body.replaceChildren(form);
    box.focus();
  }

  eventEl(message) {
    return h("div.sys", {}, h("span.sys-line", {}, icon("system"), message.body,
      h("time", { datetime: message.created_at }, clock(message.created_at))));
  }

  activityEl(entry) {
    const key = `activity:${entry.id}`;
    if (this.elements.has(key)) return this.elements.get(key);
    const el = h("div.sys", { dataset: { action: entry.action } },
      h("span.sys-line", {}, icon(SYS_ICON[entry.action] || "system"), describe(entry, this.directory),
        h("time", { datetime: entry.created_at }, clock(entry.created_at))));
    this.elements.set(key, el);
    return el;
  }

  pendingEl(item) {
    const key = `pending:${item.key}`;
    const status = {
      sending: "Sending…",
      retrying: "Sending again…",
      waiting: item.error || "Waiting to send…",
      failed: `Not sent: ${item.error}`,
    }[item.state];
    const actions = item.state === "failed" || item.state === "waiting"
      ? h("span.pending-actions", {},
          h("button.link", { type: "button", onclick: () => this.onRetry?.(item.key) }, "Retry now"),
          h("button.link", { type: "button", onclick: () => this.onDiscard?.(item.key) }, "Discard"))
      : null;
    const files = item.files?.length
      ? h("div.files.files-pending", {}, item.files.map((f) => h("span.file-chip", {}, icon("file"), h("span.file-name", {}, f.name))),
          item.state === "failed" ? null : h("progress.upload-progress", { max: "1", value: String(item.progress || 0), "aria-label": "Upload progress" }))
      : null;
    const text = item.body ? (item.kind === "note" ? h("div.note-body", {}, item.body) : h("div.bubble", {}, item.body)) : null;
    const body = item.kind === "note"
      ? h("div.note", {}, h("div.note-head", {}, icon("note"), h("strong", {}, "Log note")), text, files)
      : [text, files];
    const el = h(`div.msg.msg-out.msg-mine.msg-pending.pending-${item.state}${item.kind === "note" ? ".msg-note" : ""}`,
      { dataset: { key: item.key } },
      item.kind === "note" ? null : avatar(this.directory.me.name, "agent"),
      h("div.msg-main", {}, body, h("div.pending-status", { role: item.state === "failed" ? "alert" : null },
        icon(item.state === "failed" ? "alert" : "clock"), status, actions)));
    this.elements.set(key, el);
    return el;
  }
}

const SYS_ICON = { open: "inbox", claim: "hand", assign: "mine", resolve: "check-circle", reopen: "reopen",
  cancel: "ban", close: "check", watch: "eye", unwatch: "eye-off" };

export function describe(entry, directory) {
  const actor = entry.actor_kind === "agent" ? directory.agentName(entry.actor_id)
    : entry.actor_kind === "customer" ? "The Customer" : "caseroom";
  const target = directory.agentName(entry.detail?.agent_id || entry.detail?.owner_agent_id);
  switch (entry.action) {
    case "open": return entry.detail?.linked_issue_id ? "Issue opened, following an earlier one" : "Issue opened";
    case "claim": return `${actor} claimed the Issue`;
    case "assign": return target ? `${actor} assigned the Issue to ${target}` : `${actor} moved the Issue to a team queue`;
    case "resolve": return `${actor} resolved the Issue`;
    case "reopen": return entry.actor_kind === "customer" ? "The Customer wrote again; the Issue reopened" : `${actor} reopened the Issue`;
    case "cancel": return `${actor} canceled the Issue`;
    case "close": return `${actor} closed the Issue`;
    case "watch": return target === actor ? `${actor} started watching` : `${target} is now watching (by ${actor})`;
    case "unwatch": return `${target || actor} stopped watching`;
    default: return `${actor}: ${String(entry.action).replaceAll("_", " ")}`;
  }
}
