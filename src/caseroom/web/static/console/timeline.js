// One room's timeline: messages in sequence order (each id once), the Issue's
// activity as system lines, optimistic sends, typing, and infinite scroll back.

import { get } from "./api.js";
import { dayLabel, h } from "./dom.js";
import { Entries } from "./entries.js";
import { formatList, t } from "./i18n.js";

const PAGE = 40;
const GROUP_WITHIN_MS = 5 * 60 * 1000;
const TYPING_SHOWN_MS = 6000;
const NEAR_BOTTOM_PX = 120;
const TOP_REACH_PX = 240;
const PUBLIC_ACTIONS = new Set(["open", "claim", "assign", "resolve", "reopen", "cancel", "close"]);
// Edits and deletions show on the note itself ("edited", a tombstone).
const SHOWN_ON_THE_MESSAGE = new Set(["note.edited", "note.deleted"]);

/** The room whose timeline shows an activity entry: lifecycle in public, teamwork in private. */
function roomOf(entry) {
  if (entry.detail?.room) return entry.detail.room;
  return PUBLIC_ACTIONS.has(entry.action) ? "public" : "private";
}

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
    this.entries = new Entries(this);
    this.visible = false;
    this.unread = 0;
    this.build();
  }

  build() {
    const label = t(`timeline.label.${this.room}`);
    this.top = h("div.timeline-top", {}, h("span.loader", {}, t("common.loading")));
    this.list = h("div.timeline-list");
    // Only the words are live, and they change only when who is typing does.
    this.typingText = h("span.typing-text", { "aria-live": "polite" });
    this.typingEl = h("div.typing", {}, h("span.dots", { "aria-hidden": "true", hidden: true }, h("i"), h("i"), h("i")), this.typingText);
    // Not a live region: the list is redrawn as a whole, and a screen reader
    // would read all of it again. New messages are announced by the Issue view.
    this.scroller = h("div.timeline-scroll", { tabindex: "0", role: "region", "aria-label": label },
      this.top, this.list);
    this.el = h(`section.timeline.timeline-${this.room}`, { dataset: { room: this.room } }, this.scroller, this.typingEl);
    // Stay at the newest message while pinned there, also when an image loads late.
    this.pinned = true;
    this.scroller.addEventListener("scroll", () => (this.pinned = this.nearBottom()), { passive: true });
    this.scroller.addEventListener("load", () => {
      if (this.pinned) this.scroller.scrollTop = this.scroller.scrollHeight;
    }, true);
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
      this.onPage?.(page);
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
      this.onPage?.(page);
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
    this.activity = entries.filter((a) => !SHOWN_ON_THE_MESSAGE.has(a.action) && roomOf(a) === this.room);
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
    for (const [id, typist] of this.typists) if (typist.until < now) this.typists.delete(id);
    const names = [...this.typists.values()].map((typist) => typist.name.split(" ")[0]);
    if (!names.length) clearInterval(this.typingTimer);
    const text = names.length ? t("timeline.typing", { count: names.length, who: formatList(names) }) : "";
    this.typingEl.firstChild.hidden = !text;
    if (this.typingText.textContent !== text) this.typingText.textContent = text;
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
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
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
        nodes.push(this.entries.activityEl(activity[next]));
        next += 1;
        prev = null;
      }
      addDay(message.created_at);
      nodes.push(this.messageEl(message, prev));
      prev = message;
    }
    for (; next < activity.length; next += 1) {
      addDay(activity[next].created_at);
      nodes.push(this.entries.activityEl(activity[next]));
    }
    for (const item of this.pending.values()) nodes.push(this.entries.pendingEl(item));
    if (!nodes.length) nodes.push(this.entries.emptyEl());
    this.list.replaceChildren(...nodes);
    this.top.replaceChildren(this.hasMore
      ? h("span.loader", {}, t("timeline.loading_earlier"))
      : h("span.beginning", {}, t(`timeline.beginning.${this.room}`)));
    this.onRendered?.(); // decorations (delivery marks) before the scroll position is kept
    if (stick) this.scroller.scrollTop = this.scroller.scrollHeight;
    else if (keepBottomDistance) this.scroller.scrollTop = this.scroller.scrollHeight - fromBottom;
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
    if (message.kind === "event") el = this.entries.eventEl(message);
    else if (message.kind === "note") el = this.entries.noteEl(message);
    else el = this.entries.bubbleEl(message);
    el.dataset.id = message.id;
    el.dataset.seq = message.seq;
    el.classList.toggle("continued", continued);
    this.elements.set(message.id, el);
    return el;
  }
}
