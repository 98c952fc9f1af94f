// Optimistic sends. Each message gets an idempotency key when it is written and
// keeps it through every retry, so the server stores it once however often the
// request is repeated; the page shows it at once and confirms it on success.

import { post } from "./api.js";
import { newKey } from "./dom.js";
import { t } from "./i18n.js";

const RETRY_MIN_MS = 800;
const RETRY_MAX_MS = 10000;

export class Outbox extends EventTarget {
  constructor() {
    super();
    this.items = new Map(); // key -> pending item
    window.addEventListener("online", () => this.retryWaiting());
  }

  /** Queue a message; returns the pending item (shown until "sent"). */
  send({ issueId, room, body, kind = "message", channel = "chat", transport = null, files = [], email = null }) {
    const item = {
      key: newKey(),
      issueId,
      room,
      body,
      kind,
      channel,
      email,
      transport,
      files: files.map((f) => ({ name: f.name, size: f.size })),
      progress: 0,
      state: "sending",
      attempts: 0,
      error: null,
      createdAt: new Date().toISOString(),
    };
    this.items.set(item.key, item);
    this.changed(item);
    this.attempt(item);
    return item;
  }

  pending(issueId, room) {
    return [...this.items.values()].filter((i) => i.issueId === issueId && i.room === room);
  }

  async attempt(item) {
    clearTimeout(item.timer);
    item.attempts += 1;
    item.state = item.attempts > 1 ? "retrying" : "sending";
    this.changed(item);
    try {
      const progress = (fraction) => {
        item.progress = fraction;
        this.changed(item);
      };
      const message = item.transport
        ? await item.transport(item, progress)
        : await post(`/issues/${item.issueId}/rooms/${item.room}/messages`, {
            body: item.body,
            kind: item.kind,
            channel: item.channel,
            idempotency_key: item.key,
            ...(item.email ? { email: item.email } : {}),
          });
      this.items.delete(item.key);
      item.state = "sent";
      this.dispatchEvent(new CustomEvent("sent", { detail: { item, message } }));
    } catch (error) {
      if (error.transient) {
        item.state = "waiting";
        item.error = error.status === 0 ? t("outbox.offline") : t("outbox.busy");
        const wait = Math.min(RETRY_MIN_MS * 2 ** (item.attempts - 1), RETRY_MAX_MS);
        item.timer = setTimeout(() => this.attempt(item), wait);
      } else {
        item.state = "failed";
        item.error = error.message;
      }
      this.changed(item);
    }
  }

  retry(key) {
    const item = this.items.get(key);
    if (item) this.attempt(item);
  }

  discard(key) {
    const item = this.items.get(key);
    if (!item) return;
    clearTimeout(item.timer);
    this.items.delete(key);
    item.state = "discarded";
    this.changed(item);
  }

  retryWaiting() {
    for (const item of this.items.values()) if (item.state === "waiting") this.attempt(item);
  }

  changed(item) {
    this.dispatchEvent(new CustomEvent("change", { detail: { item } }));
  }
}
