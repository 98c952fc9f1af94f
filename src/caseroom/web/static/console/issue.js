// The Issue view: header with the actions, Public and Private tabs (unread
// badges), each room's timeline and composer, kept live from the stream.

import { del, get, patch, post, put } from "./api.js";
import { Suggestions } from "./bots.js";
import { avatar, clear, h, icon, tickWaiting, toast, waitingChip } from "./dom.js";
import { ownerPicker, tagsAndPriority } from "./assign.js";
import { Composer } from "./composer.js";
import { CustomerPanel } from "./customer_panel.js";
import { ratingChip } from "./ratings.js";
import { DeliveryMarks } from "./marks.js";
import { presenceChip } from "./presence.js";
import { callChip } from "./calls.js";
import { Timeline } from "./timeline.js";
import { relative, t } from "./i18n.js";

// A room's name and hint are the catalogue's issue.room.<id> and issue.room.<id>.hint.
const ROOMS = [
  { id: "public", icon: "globe" },
  { id: "private", icon: "lock" },
];

export class IssueView {
  constructor({ issueId, directory, stream, outbox, tools, onClose }) {
    this.issueId = issueId;
    this.directory = directory;
    this.stream = stream;
    this.outbox = outbox;
    this.tools = tools || {};
    this.onClose = onClose;
    this.rooms = {};
    this.active = "public";
    this.listeners = [];
    this.el = h("div.issue", { "aria-busy": "true" }, h("div.issue-loading", {}, h("div.skeleton-line.w40"), h("div.skeleton-line.w70")));
  }

  on(target, type, handler) {
    target.addEventListener(type, handler);
    this.listeners.push(() => target.removeEventListener(type, handler));
  }

  async load() {
    const [issue, activity, channels, colleagues] = await Promise.all([
      get(`/issues/${this.issueId}`),
      get(`/issues/${this.issueId}/activity`).catch(() => []),
      get(`/issues/${this.issueId}/channels`).catch(() => null),
      get(`/issues/${this.issueId}/sms-colleagues`).catch(() => []),
    ]);
    this.issue = issue;
    this.customer = await this.directory.customer(issue.customer_id);
    this.rating = await get(`/issues/${this.issueId}/rating`).catch(() => null);
    this.header = h("header.issue-head");
    this.tabs = h("div.tabs", { role: "tablist", "aria-label": t("issue.rooms") });
    this.panels = h("div.panels");
    this.sidebar = this.tools.files ? this.tools.files.panel(this) : null;
    this.customerPanel = new CustomerPanel(this);
    const body = h("div.issue-body", {}, h("div.issue-main", {}, this.tabs, this.panels), h("div.side-column", {}, this.customerPanel.el, this.sidebar));
    for (const room of ROOMS) this.buildRoom(room);
    // New messages from others, said once each by a screen reader.
    this.announcer = h("div.sr-only", { "aria-live": "polite", id: "issue-announcer" });
    clear(this.el, this.header, body, this.announcer);
    this.el.removeAttribute("aria-busy");
    this.renderHeader();
    this.customerPanel.refresh();
    this.ticker = setInterval(() => tickWaiting(this.header, this.directory.org), 1000);
    this.select("public", { focus: false });
    if (channels) this.rooms.public.composer.setChannels(channels.channels, channels.default);
    // The private room writes to colleagues in chat, or by email to anyone but the Customer.
    const email = this.directory.channel("email");
    this.rooms.private?.composer.setChannels([
      { channel: "chat", enabled: true },
      { channel: "email", enabled: Boolean(email?.enabled), reason: email?.enabled ? null : email?.reason || t("issue.email_not_set_up") },
    ], "chat");
    if (colleagues.length) this.rooms.private.composer.setColleagues(colleagues);
    this.marks = new DeliveryMarks({ issueId: this.issueId, timeline: this.rooms.public.timeline, stream: this.stream });
    if (this.rooms.private) {
      this.privateMarks = new DeliveryMarks({
        issueId: this.issueId, timeline: this.rooms.private.timeline, stream: this.stream, deliveriesOnly: true,
      });
    }
    this.rooms.public.timeline.setActivity(activity);
    this.rooms.private.timeline.setActivity(activity);

    this.on(this.stream, "message", (e) => this.onMessage(e.detail.message));
    this.on(this.stream, "issue", (e) => this.onIssue(e.detail.issue, e.detail.changes));
    this.on(this.stream, "typing", (e) => {
      if (e.detail.issueId !== this.issueId) return;
      this.rooms[e.detail.room]?.timeline.typing(e.detail.who);
      const { who } = e.detail;
      if (who?.kind === "agent" && who.id !== this.directory.me.id) this.colleague(who.id, who.name, "typing");
    });
    this.on(this.stream, "ready", (e) => {
      if (e.detail.reconnected) {
        this.refreshIssue();
        for (const { timeline } of Object.values(this.rooms)) timeline.catchUpChanges().catch(() => {});
      }
    });
    this.on(this.stream, "event", (e) => this.onOtherEvent(e.detail));
    if (this.stream.calls) {
      this.on(this.stream.calls, "change", (e) => {
        if (e.detail.issueId === this.issueId) this.renderHeader();
      });
    }
    if (this.stream.presence) {
      this.on(this.stream.presence, "change", (e) => {
        if (e.detail.issueId === this.issueId) this.renderHeader();
      });
    }
    // A room is live once the server confirmed the subscription (after its replay).
    this.on(this.stream, "subscribed", (e) => {
      if (e.detail.issueId === this.issueId) this.rooms[e.detail.room].panel.dataset.live = "true";
    });
    this.on(this.stream, "state", (e) => {
      if (e.detail.state !== "live") for (const room of Object.values(this.rooms)) delete room.panel.dataset.live;
    });
    this.on(this.outbox, "change", (e) => {
      const { item } = e.detail;
      if (item.issueId === this.issueId) this.rooms[item.room].timeline.showPending(item);
    });
    this.on(this.outbox, "sent", (e) => {
      const { item, message } = e.detail;
      if (item.issueId === this.issueId) {
        const { timeline } = this.rooms[item.room];
        timeline.showPending(item);
        // The stream's copy may have come first, without the email details only agents get here.
        if (!timeline.add(message) && message.email) timeline.replace({ ...timeline.messages.get(message.id), email: message.email });
      }
    });
    await Promise.all(ROOMS.map(async ({ id }) => {
      const { timeline } = this.rooms[id];
      const last = await timeline.loadLatest();
      for (const item of this.outbox.pending(this.issueId, id)) timeline.showPending(item);
      this.stream.follow(this.issueId, id, last);
    }));
  }

  destroy() {
    clearInterval(this.ticker);
    for (const c of this.colleagues?.values() || []) clearTimeout(c.timer);
    this.listeners.forEach((off) => off());
    this.marks?.destroy();
    this.privateMarks?.destroy();
    this.stream.unfollow(this.issueId);
    for (const { timeline } of Object.values(this.rooms)) timeline.destroy();
  }

  // -- rooms -----------------------------------------------------------------------------

  buildRoom(room) {
    // Named by its visible text ("Public, With the Customer"), plus the unread count.
    const badge = h("span.badge", { hidden: true, "aria-hidden": "true" });
    const unread = h("span.sr-only");
    const tab = h("button.tab", {
      type: "button", role: "tab", id: `tab-${room.id}`, "aria-controls": `panel-${room.id}`,
      "aria-selected": "false", tabindex: "-1", dataset: { room: room.id },
      onclick: () => this.select(room.id),
    }, icon(room.icon), h("span", {}, t(`issue.room.${room.id}`)), h("span.tab-hint", {}, h("span.sr-only", {}, ", "), t(`issue.room.${room.id}.hint`)), badge, unread);
    tab.addEventListener("keydown", (e) => {
      if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
        e.preventDefault();
        this.select(this.active === "public" ? "private" : "public");
      }
    });
    const timeline = new Timeline({
      issue: this.issue, room: room.id, directory: this.directory,
      onUnread: (n) => {
        badge.hidden = n === 0;
        badge.textContent = n > 99 ? "99+" : String(n);
        unread.textContent = n ? `, ${t("issue.room.unread", { count: n })}` : "";
      },
    });
    if (room.id === "private") timeline.suggestions = new Suggestions(this.issueId);
    timeline.onRetry = (key) => this.outbox.retry(key);
    timeline.onEditNote = (message, body) => patch(`/issues/${this.issueId}/messages/${message.id}`, { body });
    timeline.onDeleteNote = async (message) => {
      if (!confirm(t("issue.confirm_delete_note"))) return;
      try {
        await del(`/issues/${this.issueId}/messages/${message.id}`);
        timeline.replace({ ...message, body: "", deleted_at: new Date().toISOString(), change_seq: message.change_seq });
      } catch (error) {
        toast(error.message, "error");
      }
    };
    timeline.onDiscard = (key) => this.outbox.discard(key);
    timeline.onEmailWanted = (message) => this.loadReceivedEmail(timeline, message);
    const composer = new Composer({
      issue: this.issue, room: room.id, directory: this.directory, stream: this.stream,
      tools: this.tools, onSend: (m) => this.send(m),
    });
    const panel = h(`div.panel.panel-${room.id}`, {
      role: "tabpanel", id: `panel-${room.id}`, "aria-labelledby": `tab-${room.id}`, hidden: true,
    }, room.id === "private" ? h("div.private-banner", {}, icon("lock"), t("issue.private_banner")) : null,
    timeline.el, composer.el);
    this.tabs.append(tab);
    this.panels.append(panel);
    this.tools.attachments?.dropZone(panel, composer);
    this.rooms[room.id] = { tab, panel, timeline, composer };
  }

  select(roomId, { focus = true } = {}) {
    this.active = roomId;
    for (const [id, room] of Object.entries(this.rooms)) {
      const on = id === roomId;
      room.tab.setAttribute("aria-selected", String(on));
      room.tab.tabIndex = on ? 0 : -1;
      room.panel.hidden = !on;
      room.timeline.setVisible(on);
      if (on) room.timeline.render({ stick: true });
    }
    if (this.header) this.renderHeader(); // the camera calls into the room on screen
    if (focus) this.rooms[roomId].tab.focus();
  }

  /** Show `room` at one message (a mention), marked for a moment. */
  land(room, messageId) {
    this.select(room, { focus: false });
    const el = this.rooms[room].panel.querySelector(`[data-id="${CSS.escape(messageId)}"]`);
    if (!el) {
      this.rooms[room].composer.focus();
      return;
    }
    el.scrollIntoView({ block: "center" });
    el.classList.add("landed");
    el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: true });
  }

  send({ room, body, kind, channel, files, email }) {
    let transport = files && files.length && this.tools.attachments
      ? this.tools.attachments.transport(this.issueId, room, files)
      : null;
    if (room === "private" && channel.startsWith("sms:") && kind === "message" && !transport) {
      // A text to a colleague: kept in the private room, sent to their mobile.
      const to = channel.slice("sms:".length);
      transport = (item) => post(`/issues/${this.issueId}/rooms/private/sms`, { to, body, idempotency_key: item.key });
      channel = "sms";
    } else if (channel.startsWith("sms:")) {
      channel = "chat"; // a note stays inside
    }
    this.outbox.send({ issueId: this.issueId, room, body, kind, channel, transport, files: files || [], email });
  }

  // -- live --------------------------------------------------------------------------------

  onMessage(message) {
    if (message.issue_id !== this.issueId) return;
    const added = this.rooms[message.room]?.timeline.add(message, { live: true });
    if (added) this.announce(message);
    if (message.attachments?.length) this.tools.files?.refreshSoon(this);
    if (added && message.channel === "email" && !message.email) this.loadEmailDetails(message);
  }

  /** A received mail's subject, addresses, folded quote and sanitized HTML, once per message. */
  async loadReceivedEmail(timeline, message) {
    this.emailsAsked ??= new Set();
    if (this.emailsAsked.has(message.id)) return;
    this.emailsAsked.add(message.id);
    try {
      const mail = await get(`/issues/${this.issueId}/messages/${message.id}/email`);
      const known = timeline.messages.get(message.id);
      if (!known || known.email) return;
      timeline.replace({ ...known, email: {
        direction: "in", subject: mail.subject, sender: mail.sender, to: mail.to || [], cc: mail.cc || [],
        message_id: mail.mail_id, quoted: mail.quoted, html: mail.html, html_url: mail.html_url || null,
      } });
    } catch {
      // Not every message by email came as one (an agent's reply); nothing to show.
    }
  }

  /** The stream carries no addresses (the public room's frames reach the Customer
   * too): an email's subject and recipients come from the agents' API. */
  async loadEmailDetails(message) {
    try {
      const page = await get(`/issues/${this.issueId}/rooms/${message.room}/messages`, { after: message.seq - 1, limit: 1 });
      const found = page.items.find((m) => m.id === message.id);
      const timeline = this.rooms[message.room]?.timeline;
      const known = timeline?.messages.get(message.id);
      if (found?.email && known && !known.email) timeline.replace({ ...known, email: found.email });
    } catch {
      // Shown on the next load of the room.
    }
  }

  announce(message) {
    const { author } = message;
    if (author.kind === "agent" && author.id === this.directory.me.id) return;
    const files = message.attachments?.length || 0;
    const what = message.body || t("issue.announce.files", { count: files });
    const said = message.kind === "event" ? what
      : t(message.kind === "note" ? "issue.announce.note" : "issue.announce.message", { who: author.name, what });
    const text = message.room === "private" && message.kind !== "event" ? t("issue.announce.private", { text: said }) : said;
    // A new line each time, so two quick messages are both said; the oldest go.
    this.announcer.append(h("p", {}, text));
    while (this.announcer.childElementCount > 3) this.announcer.firstElementChild.remove();
  }

  /** Who else has this Issue open or is typing in it: "Ben is viewing". */
  colleague(id, name, state) {
    this.colleagues ||= new Map();
    clearTimeout(this.colleagues.get(id)?.timer);
    if (state === "left") this.colleagues.delete(id);
    else {
      // Typing fades back to viewing; a view not repeated by a heartbeat fades out.
      const timer = setTimeout(() => this.colleague(id, name, state === "typing" ? "viewing" : "left"),
        state === "typing" ? 6000 : 70000);
      this.colleagues.set(id, { name, state, timer });
    }
    this.showColleagues();
  }

  showColleagues() {
    const slot = this.header?.querySelector(".colleagues");
    if (!slot) return;
    const all = [...(this.colleagues || new Map()).values()];
    slot.replaceChildren(...all.map((c) => h(`span.colleague.colleague-${c.state}`, {},
      h("span.presence-dot", { "aria-hidden": "true" }), t(`issue.colleague.${c.state}`, { name: c.name.split(" ")[0] }))));
  }

  onOtherEvent(frame) {
    if (frame.type === "agent.presence" && frame.issue_id === this.issueId) {
      const { agent, state } = frame.payload;
      if (agent.id !== this.directory.me.id) this.colleague(agent.id, agent.name, state);
      return;
    }
    if (frame.issue_id !== this.issueId) return;
    if (String(frame.type).startsWith("message.") && frame.payload?.message) {
      this.rooms[frame.room]?.timeline.replace(frame.payload.message);
    }
    this.tools.files?.changed?.(this, frame);
  }

  onIssue(issue, changes = []) {
    if (issue.id !== this.issueId) return;
    this.issue = issue;
    if (changes.includes("rating")) {
      get(`/issues/${this.issueId}/rating`).then((r) => {
        this.rating = r;
        this.renderHeader();
      }).catch(() => {});
    }
    this.renderHeader();
    this.reloadActivity();
  }

  async refreshIssue() {
    try {
      this.issue = await get(`/issues/${this.issueId}`);
      this.renderHeader();
      await this.reloadActivity();
    } catch {
      // the next event or reconnect tries again
    }
  }

  async reloadActivity() {
    const activity = await get(`/issues/${this.issueId}/activity`).catch(() => null);
    if (!activity) return;
    for (const { timeline } of Object.values(this.rooms)) timeline.setActivity(activity);
  }

  // -- header and actions --------------------------------------------------------------------

  renderHeader() {
    const { issue, customer } = this;
    const me = this.directory.me.id;
    const watching = (issue.watcher_ids || []).includes(me);
    const contact = [customer.email, customer.phone].filter(Boolean).join(" · ");
    const given = issue.given_contact ? Object.values(issue.given_contact).join(" · ") : "";
    const action = (name, label, iconName, style = "btn-ghost") =>
      h(`button.btn.${style}`, { type: "button", dataset: { action: name }, onclick: () => this.act(name) }, icon(iconName), label);
    const actions = [];
    if (issue.status === "unclaimed") actions.push(action("claim", t("action.claim"), "hand", "btn-primary"));
    if (issue.status === "claimed") actions.push(action("resolve", t("action.resolve"), "check-circle", "btn-success"));
    if (issue.status === "resolved") actions.push(action("reopen", t("action.reopen"), "reopen"));
    actions.push(h("button.btn.btn-ghost", {
      type: "button", dataset: { action: "watch" },
      onclick: () => this.watch(!watching),
    }, icon(watching ? "eye-off" : "eye"), watching ? t("action.unwatch") : t("action.watch")));
    if (issue.status === "unclaimed" || issue.status === "claimed") actions.push(action("cancel", t("action.cancel"), "ban", "btn-ghost-danger"));
    actions.push(this.customerPanel.toggle());
    if (this.tools.files) actions.push(this.tools.files.toggle(this));
    const calls = this.stream.calls;
    if (calls) {
      // The camera: a call in the room on screen, or joining the one under way there.
      const here = calls.liveIn(issue.id).find((c) => c.room === this.active);
      const mine = calls.inCall && calls.inCall.issue_id === issue.id;
      if (here && !mine) {
        actions.unshift(h("button.btn.btn-primary", { type: "button", dataset: { action: "join-call" }, onclick: () => calls.join(here.id) }, icon("video"), t("issue.join_call")));
      }
    }
    const saved = (changed) => {
      this.issue = changed;
      this.renderHeader();
      this.reloadActivity();
    };

    // The header is drawn again on every change from elsewhere (a colleague's
    // presence, an update to the Issue): a tag being typed keeps its text and focus.
    const typing = this.header.querySelector(".tag-input");
    const typed = typing && { value: typing.value, focused: document.activeElement === typing };
    clear(this.header,
      h("button.btn.btn-icon.back", { type: "button", "aria-label": t("issue.back"), onclick: () => this.onClose() }, icon("back")),
      h("span.head-avatar", {}, avatar(customer.name, "customer", "avatar-lg")),
      h("h1.issue-title", { id: "issue-title", title: issue.subject }, issue.subject),
      h("div.head-actions", { role: "group", "aria-label": t("issue.actions") }, actions),
      h("div.head-meta", {},
        h("span.ref", { title: t("issue.reference") }, `#${issue.reference}`),
        h(`span.status.status-${issue.status}`, { id: "issue-status" }, t(`status.${issue.status}`)),
        ratingChip(this.rating),
        issue.waiting_since && (issue.status === "unclaimed" || issue.status === "claimed") ? waitingChip(issue.waiting_since) : null,
        h("span.meta-item", {}, h("strong", {}, customer.name), contact ? h("span.muted", {}, ` · ${contact}`) : null),
        presenceChip(this.stream.presence?.of(issue.id)),
        callChip(this.stream.calls?.liveIn(issue.id)),
        h("span.colleagues"),
        given ? h("span.meta-item.given-contact", {
          id: "issue-given-contact",
          title: t("issue.given_contact.title"),
        }, t("issue.given_contact", { given })) : null,
        h("span.meta-item", {}, icon(issue.source_channel || "chat"), t(`channel.${issue.source_channel || "chat"}`)),
        ownerPicker(this, saved),
        tagsAndPriority(this, saved),
        h("span.meta-item.muted", { title: issue.created_at }, t("issue.opened", { ago: relative(issue.created_at) }))));
    tickWaiting(this.header, this.directory.org);
    this.showColleagues();
    const again = typed && this.header.querySelector(".tag-input");
    if (again) {
      again.value = typed.value;
      if (typed.focused) again.focus();
    }
  }

  async act(name) {
    if (name === "cancel" && !confirm(t("issue.confirm_cancel", { ref: this.issue.reference }))) return;
    try {
      this.issue = await post(`/issues/${this.issueId}/${name}`);
      this.renderHeader();
      toast(t(`toast.${name}`, { ref: this.issue.reference }));
      this.reloadActivity();
    } catch (error) {
      toast(error.message, "error");
    }
  }

  async watch(on) {
    try {
      this.issue = await (on ? put(`/issues/${this.issueId}/watch`) : del(`/issues/${this.issueId}/watch`));
      this.renderHeader();
    } catch (error) {
      toast(error.message, "error");
    }
  }
}
