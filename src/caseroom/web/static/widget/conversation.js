// One Customer's conversation: the messages of the current Issue's public room,
// the sends not yet acknowledged, and the stream that keeps both current.
//
// Resume: `lastSeq` is the highest sequence number received from the server in
// order (history page or stream). After any (re)connect the room is subscribed
// with after=lastSeq, so the server replays exactly what was missed. Messages are
// kept by id, so nothing is shown twice.
//
// Sends are optimistic: each gets an idempotency key, is shown at once, kept in
// storage until acknowledged, and resent with the same key after a reconnect.

import { api, ApiError, withRetry } from "./api.js";
import { Receipts } from "./receipts.js";
import { Stream } from "./stream.js";
import { newKey } from "./store.js";

const TYPING_EVERY_MS = 2500;
const TYPING_SHOWN_MS = 6000;
const PAGE = 50;

export class Conversation {
  /**
   * session: { token?, issueId?, contact?, pending? } as saved by `store`.
   * hooks: onChange(), onTyping(name|null), onStatus(status), onConnection(state),
   *        onIncoming(message, { live }), onLost(reason), onCallFrame(frame) -> handled,
   *        onStreamReady() (each time the stream is up, after a reconnect too)
   * surface: which page this is (widget, embed, connect), told with each start so
   *          agents see where the Customer wrote from.
   */
  constructor(slug, store, session, hooks, surface) {
    this.slug = slug;
    this.surface = surface;
    this.store = store;
    this.session = { pending: [], ...session };
    this.hooks = hooks;
    this.messages = new Map();
    this.lastSeq = 0;
    this.hasMore = false;
    this.status = null;
    this.stream = null;
    this.starting = false;
    this.lastTypingSent = 0;
    this.typingTimer = null;
    this.files = new Map(); // key -> File[] of a pending send (never stored)
    this.uploading = new Set();
    // hooks.canRead(): the Customer can see the chat now (their reads count).
    this.receipts = new Receipts({
      post: (issueId, body) => api.receipt(this.token, issueId, body),
      canRead: () => (hooks.canRead ? hooks.canRead() : true),
      onSeen: () => this.hooks.onChange(),
    });
    this.subscribedBefore = false;
    this.busyRetries = 0; // sends the server was too busy for, tried again after a wait
    this.busyTimer = null;
    // Files do not survive a reload: a send that carried some cannot be redone.
    for (const item of this.session.pending) {
      if (item.files && item.state === "sending") {
        item.state = "failed";
        item.error = "the page was reloaded before the files were sent; attach them again";
      }
    }
  }

  get token() {
    return this.session.token;
  }

  get issueId() {
    return this.session.issueId;
  }

  ordered() {
    return [...this.messages.values()].sort((a, b) => a.seq - b.seq);
  }

  pending() {
    return this.session.pending;
  }

  persist() {
    this.store.save(this.session);
  }

  /** Drop a pending send for good (a failed one the Customer gives up on). */
  discard(key) {
    this.session.pending = this.session.pending.filter((p) => p.key !== key);
    this.files.delete(key);
    this.persist();
    this.hooks.onChange();
  }

  // -- opening -----------------------------------------------------------------

  /** With a token: pick the Issue, show its newest page, then go live. */
  async resume(knownIssues) {
    const issues = knownIssues || (await withRetry(() => api.issues(this.token))).items;
    const current = issues.find((i) => i.id === this.issueId) || issues[0];
    if (current) {
      this.session.issueId = current.id;
      this.setStatus(current.status);
      const page = await withRetry(() => api.messages(this.token, current.id, { limit: PAGE }));
      page.items.forEach((m) => this.accept(m, { ordered: true }));
      this.takeReceipts(page);
      if (this.lastSeq) this.receipts.received(current.id, this.lastSeq);
      this.hasMore = page.has_more;
    } else {
      this.session.issueId = null;
    }
    this.persist();
    this.hooks.onChange();
    this.goLive();
    if (!this.token || this.issueId) return;
    // A verified Customer with no Issue yet: their first message opens one.
    this.flushStarts();
  }

  /** A new Customer (pre-chat form done): nothing to load until the first message. */
  begin(contact) {
    this.session.contact = contact;
    this.persist();
    this.hooks.onChange();
    this.flushStarts();
  }

  goLive() {
    if (this.stream || !this.token) return;
    this.stream = new Stream(this.token, {
      onReady: () => {
        this.subscribe();
        this.hooks.onStreamReady?.();
      },
      onFrame: (frame) => this.onFrame(frame),
      onState: (state) => {
        if (state === "unauthorized") this.hooks.onLost("unauthorized");
        else this.hooks.onConnection(state);
      },
    });
    this.stream.connect();
  }

  subscribe() {
    if (!this.issueId) return;
    // Receipts that moved while the connection was down are not replayed: re-read them.
    if (this.subscribedBefore) this.refreshReceipts();
    this.subscribedBefore = true;
    this.stream.send({
      type: "subscribe",
      ref: `subscribe:${this.issueId}`,
      issue_id: this.issueId,
      room: "public",
      after: this.lastSeq,
    });
  }

  // -- sending -------------------------------------------------------------------

  send(body) {
    const text = body.trim();
    if (!text) return;
    this.session.pending.push({ key: newKey(), body: text, state: "sending", createdAt: Date.now() });
    this.persist();
    this.hooks.onChange();
    if (this.issueId) this.flush();
    else this.flushStarts();
  }

  /** Send files (and optional text) as one message, over HTTP with progress. */
  sendFiles(files, body) {
    if (!this.issueId || !files.length) return;
    const key = newKey();
    const meta = files.map((f) => ({ filename: f.name, size: f.size, content_type: f.type }));
    this.files.set(key, files);
    this.session.pending.push({
      key, body: body.trim(), files: meta, state: "sending", progress: 0, createdAt: Date.now(),
    });
    this.persist();
    this.hooks.onChange();
    this.upload(key);
  }

  async upload(key) {
    const item = this.session.pending.find((p) => p.key === key);
    const files = this.files.get(key);
    if (!item || !files || this.uploading.has(key)) return;
    this.uploading.add(key);
    try {
      const message = await withRetry(() =>
        api.sendFiles(this.token, this.issueId, { files, body: item.body, key }, (share) => {
          item.progress = share;
          this.hooks.onChange();
        }),
      );
      this.files.delete(key);
      this.acknowledged(message);
    } catch (error) {
      this.fail(key, error);
    } finally {
      this.uploading.delete(key);
    }
  }

  retry(key) {
    const item = this.session.pending.find((p) => p.key === key);
    if (!item) return;
    if (item.files && !this.files.has(key)) return;
    item.state = "sending";
    item.error = null;
    this.persist();
    this.hooks.onChange();
    if (item.files) this.upload(key);
    else if (this.issueId) this.flush();
    else this.flushStarts();
  }

  /** Resend every unacknowledged message over the stream (same keys: no doubles). */
  flush() {
    if (!this.stream || !this.issueId) return;
    for (const item of this.session.pending) {
      if (item.state !== "sending" || item.files) continue;
      this.stream.send({
        type: "send",
        ref: item.key,
        issue_id: this.issueId,
        room: "public",
        body: item.body,
        idempotency_key: item.key,
      });
    }
  }

  /** Without an Issue the first pending message opens one, over HTTP. */
  async flushStarts() {
    const first = this.session.pending.find((p) => p.state === "sending" && !p.files);
    if (!first || this.starting || this.issueId) return;
    this.starting = true;
    try {
      const started = await withRetry(() => this.open(first), {
        onRetry: () => this.hooks.onConnection("offline"),
      });
      this.hooks.onConnection("online");
      if (started.customer_token) this.session.token = started.customer_token;
      this.session.issueId = started.issue.id;
      delete this.session.contact;
      this.setStatus(started.issue.status);
      this.accept(started.message, { ordered: true });
      this.persist();
      this.hooks.onChange();
      // A connection opened before this Issue existed does not carry its grant.
      if (this.stream) this.stream.reconnect();
      else this.goLive();
    } catch (error) {
      this.fail(first.key, error);
      const field = error instanceof ApiError ? error.problem.field : null;
      if (this.session.contact && ["name", "email", "phone"].includes(field)) {
        this.hooks.onLost("contact", error);
      } else if (error instanceof ApiError && error.status === 401) {
        this.hooks.onLost("unauthorized");
      }
    } finally {
      this.starting = false;
    }
  }

  open(item) {
    const body = { message: item.body, idempotency_key: item.key, surface: this.surface };
    if (this.token) return api.openAnother(this.token, body);
    // Only this browser can prove a retried start is its own: the key alone
    // never hands out a conversation, the secret kept beside it does.
    if (!item.secret) {
      item.secret = newKey();
      this.persist();
    }
    return api.start(this.slug, { ...this.session.contact, ...body, retry_secret: item.secret });
  }

  fail(key, error) {
    const item = this.session.pending.find((p) => p.key === key);
    if (!item) return;
    item.state = "failed";
    item.error = error && error.message ? error.message : null;
    this.persist();
    this.hooks.onChange();
  }

  /** Tell the agents whether this page shows the conversation or is hidden. */
  presence(state) {
    if (this.stream && this.issueId) this.stream.send({ type: "presence", issue_id: this.issueId, state });
  }

  typing() {
    const now = Date.now();
    if (!this.stream || !this.issueId || now - this.lastTypingSent < TYPING_EVERY_MS) return;
    this.lastTypingSent = now;
    this.stream.send({ type: "typing", issue_id: this.issueId, room: "public" });
  }

  async loadEarlier() {
    const oldest = this.ordered()[0];
    if (!oldest || !this.hasMore) return;
    const page = await withRetry(() =>
      api.messages(this.token, this.issueId, { before: oldest.seq, limit: PAGE }),
    );
    page.items.forEach((m) => this.messages.set(m.id, m));
    this.hasMore = page.has_more;
    this.hooks.onChange({ prepended: true });
  }

  // -- receiving -----------------------------------------------------------------

  onFrame(frame) {
    if (this.hooks.onCallFrame?.(frame)) return; // video call frames
    switch (frame.type) {
      case "subscribed":
        if (frame.issue_id === this.issueId) {
          // Resolved while this page was not yet following: no event will say so.
          if (frame.issue_status) this.setStatus(frame.issue_status);
          this.flush();
        }
        break;
      case "message.created": {
        const message = frame.payload.message;
        if (message.issue_id === this.issueId && message.room === "public") {
          this.accept(message, { ordered: true, live: true });
          this.hooks.onChange();
        }
        break;
      }
      case "ack":
        this.acknowledged(frame.message);
        break;
      case "receipt.updated":
        if (frame.issue_id === this.issueId) this.receipts.take(this.issueId, frame.payload.receipt);
        break;
      case "error":
        this.refused(frame);
        break;
      case "typing":
        if (frame.issue_id === this.issueId && frame.payload.who.kind !== "customer") {
          this.showTyping(frame.payload.who.name);
        }
        break;
      default:
        if (frame.type.startsWith("issue.") && frame.payload.issue?.id === this.issueId) {
          this.setStatus(frame.payload.issue.status);
        }
    }
  }

  /** Take a message from the server; `ordered` ones (history, stream) move lastSeq. */
  /** `live`: it arrived on the stream now, rather than with the history. */
  accept(message, { ordered, live = false }) {
    if (ordered && message.issue_id === this.issueId) {
      this.lastSeq = Math.max(this.lastSeq, message.seq);
      // Agents' messages are reported as delivered on arrival (and read if on screen).
      this.receipts.received(this.issueId, this.lastSeq, { report: message.author.kind !== "customer" });
    }
    const isNew = !this.messages.has(message.id);
    this.messages.set(message.id, message);
    if (message.author.kind === "customer" && message.idempotency_key) {
      const before = this.session.pending.length;
      this.session.pending = this.session.pending.filter((p) => p.key !== message.idempotency_key);
      if (this.session.pending.length !== before) this.persist();
    } else if (isNew && message.kind !== "event") {
      this.showTyping(null);
      this.hooks.onIncoming(message, { live });
    }
  }

  acknowledged(message) {
    this.busyRetries = 0;
    if (message.issue_id !== this.issueId) {
      // The Issue was closed, so the message opened a new one: follow it.
      this.switchTo(message.issue_id);
    }
    this.accept(message, { ordered: false });
    this.hooks.onChange();
  }

  switchTo(issueId) {
    this.session.issueId = issueId;
    this.messages.clear();
    this.lastSeq = 0;
    this.hasMore = false;
    this.setStatus("unclaimed");
    this.persist();
    // A new connection carries the token's new grant.
    if (this.stream) this.stream.reconnect();
  }

  refused(frame) {
    const status = frame.problem?.status || 0;
    const ref = frame.ref || "";
    if (ref.startsWith("subscribe:")) {
      if (status === 404) this.hooks.onLost("issue");
      return;
    }
    const item = this.session.pending.find((p) => p.key === ref);
    if (!item) return;
    if (status >= 500 || status === 429) {
      // Busy or rate-limited: send again after a wait (same key: stored once).
      this.resendAfter(status === 429 ? (frame.problem?.retry_after || 1) * 1000 : 0);
      return;
    }
    this.fail(ref, new ApiError(status, frame.problem));
  }

  resendAfter(atLeastMs) {
    if (this.busyTimer) return;
    const backoff = Math.min(10000, 500 * 2 ** Math.min(this.busyRetries, 5));
    this.busyRetries += 1;
    this.busyTimer = setTimeout(() => {
      this.busyTimer = null;
      this.flush();
    }, Math.max(atLeastMs, backoff));
  }

  takeReceipts(page) {
    for (const receipt of page.receipts || []) this.receipts.take(this.issueId, receipt);
  }

  async refreshReceipts() {
    const issueId = this.issueId;
    try {
      const page = await api.messages(this.token, issueId, { limit: 1 });
      if (issueId === this.issueId) this.takeReceipts(page);
    } catch (error) {
      // the next reconnect or receipt event brings them
    }
  }

  showTyping(name) {
    clearTimeout(this.typingTimer);
    this.hooks.onTyping(name);
    if (name) this.typingTimer = setTimeout(() => this.hooks.onTyping(null), TYPING_SHOWN_MS);
  }

  setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.hooks.onStatus(status);
  }
}
