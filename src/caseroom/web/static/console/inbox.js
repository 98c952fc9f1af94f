// The inbox: the queues (Unclaimed, Mine, Watching, Mentions) with counts, and
// the cards of the selected queue, kept current from the event stream.

import { ApiError, del, get, post, put } from "./api.js";
import { avatar, clear, h, icon, tickWaiting, toast, waitingChip } from "./dom.js";
import { presenceChip } from "./presence.js";
import { callChip } from "./calls.js";
import { SearchBar, highlighted } from "./search.js";
import { t } from "./i18n.js";

// Each list's name and empty text are the catalogue's inbox.queue.<id> and inbox.empty.<id>.
export const QUEUES = [
  { id: "unclaimed", icon: "inbox" },
  { id: "mine", icon: "mine" },
  { id: "watching", icon: "eye" },
  { id: "mentions", icon: "at" },
];
// Views over the whole history, read when shown (not on every change, as queues are).
export const VIEWS = [
  { id: "all", icon: "files" },
  { id: "open", icon: "inbox" },
  { id: "resolved", icon: "check" },
  { id: "closed", icon: "ban" },
];
const listLabel = (id) => t(`inbox.queue.${id}`);
const LISTS = [...QUEUES, ...VIEWS];
const PAGE = 100;
const REFRESH_DEBOUNCE_MS = 250;
const TEAM_HOURS_EVERY_MS = 5 * 60 * 1000;
const OPEN = new Set(["unclaimed", "claimed"]);
const SEEN_KEY = "caseroom.console.seen"; // issue id -> the public seq last seen
// Queues of one's own work read newest activity first; Unclaimed stays oldest first (fair).
const BY_ACTIVITY = new Set(["mine", "watching", "mentions"]);
const activity = (issue) => issue.last_message_at || issue.created_at;

export class Inbox {
  constructor({ directory, stream, onOpen }) {
    this.directory = directory;
    this.stream = stream;
    this.onOpen = onOpen;
    this.queue = "unclaimed";
    this.openId = null;
    this.lists = Object.fromEntries(QUEUES.map((q) => [q.id, { items: [], more: false, loaded: false }]));
    this.cards = new Map(); // issue id -> card element (reused between renders)
    this.previews = new Map(); // "id:publicSeq" -> last public message
    this.fresh = new Set(); // ids to highlight once
    try {
      this.seenSeq = JSON.parse(localStorage.getItem(SEEN_KEY) || "{}");
    } catch {
      this.seenSeq = {};
    }
    this.found = { items: [], more: false, loaded: false };
    this.searchBar = new SearchBar({ directory, onChange: () => this.find() });
    this.nav = this.buildNav();
    this.pane = this.buildPane();
    stream.addEventListener("issue", (e) => this.onIssueEvent(e.detail));
    stream.addEventListener("ready", () => this.refresh());
    this.loadTeamHours();
    setInterval(() => this.loadTeamHours(), TEAM_HOURS_EVERY_MS);
    stream.addEventListener("event", (e) => {
      if (e.detail.type === "notification.created") this.onNotification(e.detail.payload.notification);
      if (e.detail.type === "inbox.resync") this.refreshSoon(); // the server may have missed telling us something
    });
    stream.presence?.addEventListener("change", (e) => this.showPresence(e.detail.issueId));
    stream.calls?.addEventListener("change", (e) => this.showCall(e.detail.issueId));
    this.unread = []; // unread mention notifications
    this.ticker = setInterval(() => this.tick(), 1000);
  }

  // -- structure ---------------------------------------------------------------------

  buildNav() {
    this.navButtons = new Map();
    const list = h("ul.queue-nav", { role: "list" });
    for (const q of QUEUES) {
      // The name is the visible text ("Mine 1") with words for a screen reader
      // around the number: "Mine, 1 Issue".
      const count = h("span.count", {}, "");
      const counted = h("span.sr-only", {}, "");
      const button = h("a.queue-link", { href: `#/${q.id}`, id: `queue-${q.id}`, dataset: { queue: q.id } },
        icon(q.icon), h("span.queue-label", {}, listLabel(q.id)), h("span.sr-only", {}, ", "), count, counted);
      button.addEventListener("keydown", (e) => this.navKeys(e, q.id));
      this.navButtons.set(q.id, { button, count, counted });
      list.append(h("li", {}, button));
    }
    const views = h("ul.queue-nav.view-nav", { role: "list", "aria-label": t("inbox.views") });
    for (const v of VIEWS) {
      const button = h("a.queue-link", { href: `#/${v.id}`, id: `queue-${v.id}`, dataset: { queue: v.id } },
        icon(v.icon), h("span.queue-label", {}, listLabel(v.id)));
      this.navButtons.set(v.id, { button, count: h("span"), counted: h("span") });
      views.append(h("li", {}, button));
    }
    return h("nav.queues", { "aria-label": t("inbox.queues") }, list, h("div.nav-heading", { "aria-hidden": "true" }, t("inbox.views")), views);
  }

  buildPane() {
    this.title = h("h1.pane-title", { id: "queue-title" }, listLabel("unclaimed"));
    this.subtitle = h("span.pane-count", { id: "queue-count" });
    this.list = h("div.cards", { role: "list", "aria-labelledby": "queue-title", id: "cards" });
    this.list.addEventListener("keydown", (e) => this.cardKeys(e));
    const hint = h("p.kbd-hint", {}, h("kbd", {}, "↑"), h("kbd", {}, "↓"), ` ${t("inbox.hint.move")} · `, h("kbd", {}, "Enter"), ` ${t("inbox.hint.open")} · `,
      h("kbd", {}, "C"), ` ${t("inbox.hint.claim")} · `, h("kbd", {}, "W"), ` ${t("inbox.hint.watch")}`);
    return h("section.queue-pane", { "aria-labelledby": "queue-title" },
      h("header.pane-head", {}, h("div", {}, this.title, this.subtitle)),
      this.searchBar.el, this.list, hint);
  }

  select(queue, openId) {
    const changed = queue !== this.queue;
    this.queue = LISTS.some((q) => q.id === queue) ? queue : "unclaimed";
    this.openId = openId || null;
    for (const [id, { button }] of this.navButtons) {
      if (id === this.queue) button.setAttribute("aria-current", "page");
      else button.removeAttribute("aria-current");
      // Switching queues keeps the open Issue open.
      button.setAttribute("href", this.openId ? `#/${id}/${this.openId}` : `#/${id}`);
    }
    this.title.textContent = listLabel(this.queue);
    if (changed && this.finding()) {
      this.found = { items: [], more: false, loaded: false };
      this.find();
    }
    this.render();
  }

  // -- data --------------------------------------------------------------------------

  /** Which teams are away now, shown on their Issues' cards. */
  async loadTeamHours() {
    try {
      this.teamHours = new Map((await get("/team-hours")).map((t) => [t.id, t]));
    } catch {
      this.teamHours = this.teamHours || new Map();
    }
  }

  async refresh() {
    if (this.stopped) return;
    await Promise.all(QUEUES.map(async (q) => {
      try {
        const page = await get("/issues", { queue: q.id, limit: PAGE });
        this.lists[q.id] = { items: page.items, more: Boolean(page.next_cursor), loaded: true };
      } catch (error) {
        // Offline or signed out: the next event, reconnect or sign-in reads again.
        if (!(error instanceof ApiError)) throw error;
      }
    }));
    try {
      this.unread = (await get("/notifications", { unread: true, limit: PAGE })).items;
    } catch {
      // not offered by this server, or offline: no mention badges for now
    }
    if (this.finding()) await this.find();
    else if (!this.stopped) this.render();
  }

  /** A view or a search (by words or filters) rather than a live queue. */
  finding() {
    return VIEWS.some((v) => v.id === this.queue) || this.searchBar.active;
  }

  focusSearch() {
    this.searchBar.focus();
  }

  async find() {
    if (this.stopped) return;
    if (!this.finding()) {
      this.render();
      return;
    }
    const params = { limit: PAGE, ...this.searchBar.params() };
    // Words search the whole history unless a view narrows it.
    params.queue = this.searchBar.words && !VIEWS.some((v) => v.id === this.queue) ? "all" : this.queue;
    const asked = (this.asked = JSON.stringify(params));
    try {
      const page = await get("/issues", params);
      if (asked !== this.asked) return; // a later search answered first
      this.found = {
        items: page.items, more: Boolean(page.next_cursor), loaded: true, words: Boolean(params.q),
        // So many Issues matched that only the newest were ranked (see docs/console.md).
        rankedAmong: page.ranked_among_newest ?? null,
      };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      toast(error.message, "error");
    }
    if (!this.stopped) this.render();
  }

  onNotification(notification) {
    const who = this.directory.agentName(notification.actor_id) || t("common.a_colleague");
    toast(t("inbox.toast.mentioned", { who, ref: notification.issue_reference }));
    this.refreshSoon();
  }

  /** Opening an Issue reads its mentions. */
  async seen(issueId) {
    this.markSeen(issueId);
    const ids = this.unread.filter((n) => n.issue_id === issueId).map((n) => n.id);
    if (!ids.length) return;
    this.unread = this.unread.filter((n) => n.issue_id !== issueId);
    this.render();
    try {
      await post("/notifications/read", { ids });
    } catch {
      this.refreshSoon();
    }
  }

  /** The Customer's messages up to now are read: no unread count on the card. */
  markSeen(issueId) {
    const issue = this.find_(issueId);
    if (!issue) return;
    this.seenSeq[issueId] = issue.last_seq.public;
    const ids = Object.keys(this.seenSeq);
    for (const old of ids.slice(0, Math.max(0, ids.length - 500))) delete this.seenSeq[old];
    localStorage.setItem(SEEN_KEY, JSON.stringify(this.seenSeq));
  }

  find_(issueId) {
    for (const list of [...Object.values(this.lists), this.found]) {
      const issue = list.items.find((i) => i.id === issueId);
      if (issue) return issue;
    }
    return null;
  }

  unreadOf(issue) {
    if (issue.id === this.openId) return 0;
    const seen = this.seenSeq[issue.id];
    return seen === undefined ? 0 : Math.max(0, issue.last_seq.public - seen);
  }

  stop() {
    this.stopped = true;
    this.searchBar.stop();
    clearInterval(this.ticker);
    clearTimeout(this.debounce);
  }

  refreshSoon() {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.refresh(), REFRESH_DEBOUNCE_MS);
  }

  onIssueEvent({ type, issue }) {
    // Show the change at once on cards that hold this Issue, then re-read the queues.
    for (const list of [...Object.values(this.lists), this.found]) {
      const index = list.items.findIndex((i) => i.id === issue.id);
      if (index >= 0) list.items[index] = { ...issue, match: list.items[index].match };
    }
    if (type === "issue.created") this.fresh.add(issue.id);
    if (issue.id === this.openId) this.markSeen(issue.id);
    else if (this.seenSeq[issue.id] === undefined && this.find_(issue.id)) {
      // First news of a card never opened here: count from what it showed.
      this.seenSeq[issue.id] = Math.max(0, issue.last_seq.public - 1);
    }
    this.render();
    this.refreshSoon();
  }

  // -- rendering ---------------------------------------------------------------------

  render() {
    for (const q of QUEUES) {
      const { items, more, loaded } = this.lists[q.id];
      const text = loaded ? (more ? `${items.length}+` : String(items.length)) : "";
      const { count, counted } = this.navButtons.get(q.id);
      if (q.id === "mentions" && this.unread.length) {
        count.textContent = String(this.unread.length);
        count.classList.add("count-hot");
        counted.textContent = ` ${t("inbox.count.unread")}`;
        continue;
      }
      count.textContent = items.length || !loaded ? text : "";
      count.classList.toggle("count-hot", q.id === "unclaimed" && items.length > 0);
      counted.textContent = !loaded ? "" : items.length ? ` ${t("inbox.count.issues", { count: items.length })}` : t("inbox.count.none");
    }
    const unclaimed = this.lists.unclaimed.items.length;
    document.title = `${unclaimed ? `(${unclaimed}) ` : ""}caseroom · ${t("app.console")}`;

    const finding = this.finding();
    const { items, loaded, more } = finding ? this.found : this.lists[this.queue];
    const total = `${items.length}${more ? "+" : ""}`;
    const counting = finding && this.searchBar.words ? "inbox.subtitle.found" : "inbox.subtitle.count";
    const ranked = finding && this.found.rankedAmong
      ? ` · ${t("inbox.subtitle.ranked_newest", { count: this.found.rankedAmong })}` : "";
    this.subtitle.textContent = loaded ? t(counting, { count: items.length, total }) + ranked : "";
    const focused = document.activeElement?.closest?.(".card")?.dataset.id;
    if (!loaded) {
      clear(this.list, h("div.skeleton-card"), h("div.skeleton-card"), h("div.skeleton-card"));
      return;
    }
    if (!items.length) {
      const q = LISTS.find((x) => x.id === this.queue);
      const empty = finding && this.searchBar.active ? t("inbox.empty.search") : t(`inbox.empty.${q.id}`);
      clear(this.list, h("div.empty", {}, h("div.empty-icon", {}, icon(finding ? "search" : q.icon)), h("p", {}, empty)));
      return;
    }
    const ordered = !finding && BY_ACTIVITY.has(this.queue)
      ? [...items].sort((a, b) => activity(b).localeCompare(activity(a)))
      : items;
    const cards = ordered.map((issue) => this.card(issue));
    this.list.replaceChildren(...cards.map((card) => card.item));
    cards.forEach((card, i) => card.setAttribute("tabindex", (focused ? card.dataset.id === focused : i === 0) ? "0" : "-1"));
    if (!cards.some((c) => c.tabIndex === 0)) cards[0].tabIndex = 0;
    if (focused) this.list.querySelector(`.card[data-id="${focused}"]`)?.focus();
    this.tick();
  }

  /** The Customer's presence on a card, changed in place. */
  showPresence(issueId) {
    const meta = this.cards.get(issueId)?.querySelector(".card-meta");
    if (!meta) return;
    meta.querySelector(".presence")?.remove();
    const chip = presenceChip(this.stream.presence.of(issueId));
    if (chip) meta.append(chip);
  }

  /** A call ringing or under way on a card, changed in place. */
  showCall(issueId) {
    const meta = this.cards.get(issueId)?.querySelector(".card-meta");
    if (!meta) return;
    meta.querySelector(".call-chip")?.remove();
    const chip = callChip(this.stream.calls.liveIn(issueId));
    if (chip) meta.append(chip);
  }

  card(issue) {
    let card = this.cards.get(issue.id);
    if (!card) {
      // A focusable article in a list item: the list says how many, the article is what the keyboard visits.
      card = h("article.card", { dataset: { id: issue.id } });
      card.item = h("div.card-item", { role: "listitem" }, card);
      card.addEventListener("click", (e) => {
        if (!e.target.closest("button")) this.onOpen(issue.id, this.queue);
      });
      this.cards.set(issue.id, card);
    }
    const me = this.directory.me.id;
    const watching = (issue.watcher_ids || []).includes(me);
    const waiting = issue.waiting_since && OPEN.has(issue.status);
    const name = h("span.card-name", {}, "…");
    const preview = h("p.card-preview", {}, issue.subject);
    const avatarSlot = h("span.card-avatar", {}, avatar("", "customer"));
    this.directory.customer(issue.customer_id).then((c) => {
      name.textContent = c.name;
      avatarSlot.replaceChildren(avatar(c.name, "customer"));
      card.setAttribute("aria-label", t("inbox.card.label", { name: c.name, ref: issue.reference, status: t(`status.${issue.status}`) }));
    });
    if (issue.match) {
      preview.classList.add("card-match");
      preview.replaceChildren(issue.match.room === "private" ? h("span.preview-who", {}, icon("lock"), `${t("inbox.card.private")}: `) : "",
        ...highlighted(issue.match));
    } else {
      this.preview(issue).then((m) => {
        if (!m) return;
        // A file sent without words reads as its name.
        const files = (m.attachments || []).map((a) => a.filename).join(", ");
        const body = m.body || (files ? [icon("paperclip"), files] : "");
        preview.replaceChildren(h("span.preview-who", {}, m.author.kind === "customer" ? "" : `${m.author.name.split(" ")[0]}: `), ...[body].flat());
      });
    }
    const owner = issue.owner_agent_id ? this.directory.agentName(issue.owner_agent_id) : null;
    const claim = issue.status === "unclaimed" ? h("button.btn.btn-sm.btn-primary", {
      type: "button", "aria-label": t("inbox.card.claim_label", { ref: issue.reference }),
      dataset: { action: "claim" }, onclick: () => this.claim(issue),
    }, icon("hand"), t("action.claim")) : null;
    const watch = h("button.btn.btn-sm.btn-ghost", {
      // An action named by what it does ("Unwatch"), so no pressed state on top.
      type: "button", "aria-label": t(watching ? "inbox.card.unwatch_label" : "inbox.card.watch_label", { ref: issue.reference }),
      dataset: { action: "watch" }, onclick: () => this.watch(issue, !watching),
    }, icon(watching ? "eye-off" : "eye"), watching ? t("action.unwatch") : t("action.watch"));
    const open = h("button.btn.btn-sm.btn-ghost", {
      type: "button", "aria-label": t("inbox.card.open_label", { ref: issue.reference }), dataset: { action: "open" },
      onclick: () => this.onOpen(issue.id, this.queue),
    }, t("action.open"));
    clear(card,
      h("div.card-top", {}, avatarSlot,
        h("div.card-who", {}, name,
          h("span.card-meta", {}, h("span.ref", {}, `#${issue.reference}`), " · ",
            icon(issue.source_channel || "chat"), t(`channel.${issue.source_channel || "chat"}`),
            presenceChip(this.stream.presence?.of(issue.id)),
            callChip(this.stream.calls?.liveIn(issue.id)))),
        waiting
          ? waitingChip(issue.waiting_since)
          : h(`span.status.status-${issue.status}`, {}, t(`status.${issue.status}`))),
      preview,
      h("div.card-foot", {},
        h("span.card-owner", {}, owner ? [avatar(owner, "agent", "avatar-xs"), owner] : t("inbox.card.unassigned")),
        h("div.card-actions", {}, open, claim, watch)),
    );
    const away = issue.team_id && this.teamHours?.get(issue.team_id);
    if (away && !away.open_now && OPEN.has(issue.status)) {
      card.querySelector(".card-meta").append(h("span.away-chip", { title: `${away.name}: ${away.hours} (${away.timezone})` },
        icon("clock"), t("inbox.card.team_back", { team: away.name, at: away.back_at })));
    }
    if (this.unread.some((n) => n.issue_id === issue.id)) {
      card.querySelector(".card-meta").append(h("span.mention-chip", { title: t("inbox.card.mentioned_title") }, icon("at"), t("inbox.card.mentioned")));
    }
    const unread = this.unreadOf(issue);
    if (unread) {
      card.querySelector(".card-meta").append(h("span.unread-chip", { title: t("inbox.card.unread_title") },
        t("inbox.card.unread", { count: unread }), h("span.sr-only", {}, ` ${t("inbox.card.unread_sr", { count: unread })}`)));
    }
    card.classList.toggle("card-open", issue.id === this.openId);
    card.classList.toggle("card-fresh", this.fresh.has(issue.id));
    this.fresh.delete(issue.id);
    return card;
  }

  async preview(issue) {
    const key = `${issue.id}:${issue.last_seq.public}`;
    if (!this.previews.has(key)) {
      const loading = get(`/issues/${issue.id}/rooms/public/messages`, { limit: 1 })
        .then((page) => page.items[page.items.length - 1] || null)
        .catch(() => null);
      this.previews.set(key, loading);
    }
    return this.previews.get(key);
  }

  tick() {
    tickWaiting(this.list, this.directory.org);
  }

  // -- actions -----------------------------------------------------------------------

  async claim(issue) {
    try {
      await post(`/issues/${issue.id}/claim`);
      toast(t("toast.claim", { ref: issue.reference }));
      this.refreshSoon();
      this.onOpen(issue.id, "mine"); // claimed to answer it: open it
    } catch (error) {
      toast(error.message, "error");
    }
  }

  async watch(issue, on) {
    try {
      await (on ? put(`/issues/${issue.id}/watch`) : del(`/issues/${issue.id}/watch`));
      toast(t(on ? "toast.watching" : "toast.unwatched", { ref: issue.reference }));
      this.refreshSoon();
    } catch (error) {
      toast(error.message, "error");
    }
  }

  // -- keyboard ------------------------------------------------------------------------

  cardKeys(event) {
    const card = event.target.closest(".card");
    if (!card || event.target !== card) return;
    const cards = [...this.list.querySelectorAll(".card")];
    const index = cards.indexOf(card);
    const move = (to) => {
      const next = cards[Math.max(0, Math.min(cards.length - 1, to))];
      cards.forEach((c) => (c.tabIndex = c === next ? 0 : -1));
      next.focus();
      event.preventDefault();
    };
    if (event.key === "ArrowDown" || event.key === "j") move(index + 1);
    else if (event.key === "ArrowUp" || event.key === "k") move(index - 1);
    else if (event.key === "Home") move(0);
    else if (event.key === "End") move(cards.length - 1);
    else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      this.onOpen(card.dataset.id, this.queue);
    } else if (event.key === "c" || event.key === "w") {
      card.querySelector(`button[data-action="${event.key === "c" ? "claim" : "watch"}"]`)?.click();
    }
  }

  navKeys(event, id) {
    const ids = LISTS.map((q) => q.id);
    const index = ids.indexOf(id);
    let next = null;
    if (event.key === "ArrowDown") next = ids[(index + 1) % ids.length];
    if (event.key === "ArrowUp") next = ids[(index - 1 + ids.length) % ids.length];
    if (event.key === "ArrowRight") {
      event.preventDefault();
      this.focusCards();
      return;
    }
    if (next) {
      event.preventDefault();
      this.navButtons.get(next).button.focus();
    }
  }

  focusCards() {
    (this.list.querySelector('.card[tabindex="0"]') || this.list.querySelector(".card"))?.focus();
  }
}
