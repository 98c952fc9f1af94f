// Delivery marks under agents' messages in the public room: for chat, how far
// the Customer's device has received and read the room ("Sent", "Delivered",
// "Read"); for email and SMS, each delivery's state, with the reason and a
// retry when it failed. Kept live from `receipt.updated` and
// `message.delivery_updated`. The console also reports this agent's own reads
// of the room, which become the Customer's "Seen".

import { get, post } from "./api.js";
import { h, toast } from "./dom.js";
import { t } from "./i18n.js";

const REPORT_AFTER_MS = 400;
const RETRYABLE = new Set(["failed", "bounced"]);
const KNOWN_STATES = new Set(["queued", "sent", "delivered", "read", "failed", "bounced"]);
/** A delivery's state in words; a text the carrier took and could not hand over is "undelivered" in SMS terms. */
function stateLabel(channel, state) {
  if (channel === "sms" && state === "bounced") return t("marks.state.undelivered");
  return KNOWN_STATES.has(state) ? t(`marks.state.${state}`) : state;
}

// One tick for "sent", two for "delivered" and "read"; the word always says which.
const TICK = '<path d="M4 12.5l4.5 4.5L18 7.5"/>';
const TICKS = '<path d="M2 12.5l4.5 4.5L16 7.5"/><path d="M10.5 16l1 1L21 7.5"/>';
const ALERT = '<path d="M12 3l10 18H2z"/><path d="M12 10v4M12 17.5h.01"/>';
const CLOCK = '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>';

function glyph(paths) {
  const span = document.createElement("span");
  span.className = "mark-glyph";
  span.setAttribute("aria-hidden", "true");
  span.innerHTML = `<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${paths}</svg>`;
  return span;
}

export class DeliveryMarks {
  /** `timeline` is the public room's; `stream` the console's event stream. */
  constructor({ issueId, timeline, stream, deliveriesOnly = false }) {
    // deliveriesOnly: the private room's marks, its emails' delivery states (no chat marks, no reads).
    this.deliveriesOnly = deliveriesOnly;
    this.issueId = issueId;
    this.timeline = timeline;
    this.stream = stream;
    this.customer = { delivered: 0, read: 0 }; // the Customer's receipt in this room
    this.deliveries = new Map(); // message id -> Map(delivery id -> delivery)
    this.reported = { delivered: 0, read: 0 }; // this agent's marks as the server has them
    this.reportTimer = null;
    this.listeners = [];

    timeline.onPage = (page) => this.takePage(page);
    timeline.onRendered = () => this.refresh();
    this.on(stream, "event", (e) => this.onEvent(e.detail));
    this.on(stream, "message", (e) => {
      if (e.detail.message.issue_id === this.issueId) this.reportSoon();
    });
    this.on(stream, "ready", (e) => {
      if (e.detail.reconnected) this.reload();
    });
    this.on(timeline.scroller, "scroll", () => this.reportSoon());
    this.on(document, "visibilitychange", () => this.reportSoon());
  }

  on(target, type, handler) {
    target.addEventListener(type, handler, { passive: true });
    this.listeners.push(() => target.removeEventListener(type, handler));
  }

  destroy() {
    clearTimeout(this.reportTimer);
    this.listeners.forEach((off) => off());
  }

  // -- what the server says ----------------------------------------------------------

  takePage(page) {
    if (!this.deliveriesOnly) for (const receipt of page.receipts || []) this.takeReceipt(receipt);
    for (const message of page.items || []) {
      for (const delivery of message.deliveries || []) this.takeDelivery({ ...delivery, message_id: message.id });
    }
  }

  /** After a reconnect: receipts and deliveries may have moved while we were away. */
  async reload() {
    try {
      this.takePage(await get(this.timeline.path(), { limit: 40 }));
      this.update();
    } catch {
      // the next event or reconnect tries again
    }
  }

  takeReceipt(receipt) {
    if (receipt.reader?.kind === "customer") {
      this.customer.delivered = Math.max(this.customer.delivered, receipt.delivered_seq);
      this.customer.read = Math.max(this.customer.read, receipt.read_seq);
    }
  }

  takeDelivery(delivery) {
    if (!delivery.message_id) return;
    if (!this.deliveries.has(delivery.message_id)) this.deliveries.set(delivery.message_id, new Map());
    const known = this.deliveries.get(delivery.message_id);
    const before = known.get(delivery.id);
    // An older report arriving late (REST and events spell times alike only as instants).
    if (before && Date.parse(before.updated_at) > Date.parse(delivery.updated_at)) return;
    known.set(delivery.id, delivery);
  }

  onEvent(frame) {
    if (frame.issue_id !== this.issueId) return;
    if (frame.type === "receipt.updated" && frame.room === "public" && frame.payload?.receipt) {
      this.takeReceipt(frame.payload.receipt);
      this.update();
    } else if (frame.type === "message.delivery_updated" && frame.payload?.delivery) {
      this.takeDelivery(frame.payload.delivery);
      this.update();
    }
  }

  /** Redraw the marks, staying at the newest message when there already. */
  update() {
    const stick = this.timeline.nearBottom();
    this.refresh();
    if (stick) this.timeline.scroller.scrollTop = this.timeline.scroller.scrollHeight;
  }

  // -- drawing ---------------------------------------------------------------------------

  /** Put the current mark under every agent message the timeline shows. */
  refresh() {
    for (const message of this.timeline.messages.values()) {
      if (message.kind !== "message" || message.author.kind !== "agent") continue;
      if (this.deliveriesOnly && !this.deliveries.get(message.id)?.size && !message.deliveries?.length) continue;
      const el = this.timeline.elements.get(message.id);
      const main = el?.querySelector(".msg-main");
      if (!main) continue;
      const mark = this.markFor(message);
      const old = main.querySelector(":scope > .msg-mark");
      if (old && old.dataset.signature === mark.dataset.signature) continue;
      if (old) old.replaceWith(mark);
      else main.append(mark);
    }
    this.reportSoon();
  }

  markFor(message) {
    for (const delivery of message.deliveries || []) this.takeDelivery({ ...delivery, message_id: message.id });
    const sent = [...(this.deliveries.get(message.id)?.values() || [])];
    if (sent.length) {
      const marks = sent.map((d) => this.deliveryMark(d));
      const box = h("div.msg-mark.msg-mark-list", { dataset: { signature: marks.map((m) => m.dataset.signature).join("|") } }, marks);
      return box;
    }
    return this.chatMark(message);
  }

  chatMark(message) {
    const state = this.customer.read >= message.seq ? "read"
      : this.customer.delivered >= message.seq ? "delivered" : "sent";
    const label = t(`marks.state.${state}`);
    const title = t(`marks.chat.${state}`);
    return h(`div.msg-mark.mark-${state}`, { title, dataset: { state, signature: `chat:${state}` } },
      glyph(state === "sent" ? TICK : TICKS), h("span.mark-text", {}, label));
  }

  deliveryMark(delivery) {
    const via = ["sms", "email", "chat"].includes(delivery.channel) ? t(`channel.${delivery.channel}`) : delivery.channel;
    const state = delivery.state;
    const failed = RETRYABLE.has(state);
    // Queued with a reason: the provider said "not now" and it is tried again.
    const deferred = state === "queued" && Boolean(delivery.error);
    const word = deferred ? t("marks.state.deferred") : stateLabel(delivery.channel, state);
    const label = failed ? t("marks.failed_by", { state: word, via }) : `${word} · ${via}`;
    const code = delivery.channel === "sms" && delivery.error && delivery.error_code ? ` ${t("marks.code", { code: delivery.error_code })}` : "";
    const reason = failed ? (delivery.error ? delivery.error + code : delivery.error_code || t("marks.no_reason")) : deferred ? delivery.error : null;
    const icon = failed ? ALERT : state === "queued" ? CLOCK : state === "sent" ? TICK : TICKS;
    const parts = [glyph(icon), h("span.mark-text", {}, reason ? `${label}: ` : label)];
    if (reason) parts.push(h("span.mark-reason", {}, reason));
    if (failed) {
      parts.push(h("button.link.mark-retry", {
        type: "button", "aria-label": t("marks.retry_label", { via }),
        onclick: (e) => this.retry(delivery, e.currentTarget),
      }, t("marks.retry")));
    }
    return h(`span.mark-item.mark-${state}`, {
      title: t("marks.to", { via, recipient: delivery.recipient }),
      dataset: { state, channel: delivery.channel, signature: `${delivery.id}:${state}:${reason || ""}` },
    }, parts);
  }

  async retry(delivery, button) {
    button.disabled = true;
    try {
      const again = await post(`/deliveries/${delivery.id}/retry`);
      this.takeDelivery({ ...again, message_id: delivery.message_id });
      this.update();
    } catch (error) {
      button.disabled = false;
      toast(error.message, "error");
    }
  }

  // -- this agent's reads ----------------------------------------------------------------

  reportSoon() {
    if (this.deliveriesOnly) return;
    clearTimeout(this.reportTimer);
    this.reportTimer = setTimeout(() => this.report(), REPORT_AFTER_MS);
  }

  /** The highest message number scrolled into view while the room is on screen. */
  readUpTo() {
    const t = this.timeline;
    if (!t.visible || document.visibilityState !== "visible" || !t.scroller.clientHeight) return 0;
    const bottom = t.scroller.getBoundingClientRect().bottom;
    let seen = 0;
    for (const el of t.list.querySelectorAll(":scope > [data-seq]")) {
      if (el.getBoundingClientRect().top >= bottom) break;
      seen = Math.max(seen, Number(el.dataset.seq));
    }
    return seen;
  }

  async report() {
    const delivered = this.timeline.maxSeq;
    const read = Math.min(this.readUpTo(), delivered);
    if (delivered <= this.reported.delivered && read <= this.reported.read) return;
    const body = { delivered_seq: Math.max(delivered, this.reported.delivered), read_seq: Math.max(read, this.reported.read) };
    this.reported = { delivered: body.delivered_seq, read: body.read_seq };
    try {
      const receipt = await post(`/issues/${this.issueId}/rooms/public/receipts`, body);
      this.reported = {
        delivered: Math.max(this.reported.delivered, receipt.delivered_seq),
        read: Math.max(this.reported.read, receipt.read_seq),
      };
    } catch {
      this.reported = { delivered: 0, read: 0 }; // say it again with the next change
    }
  }
}
