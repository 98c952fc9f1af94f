// Video calls in the console: one call client for the agent, and which Issues
// have a call ringing or under way (for the inbox cards and the Issue header),
// from `call.updated` events and, at start, GET /calls/live.

import { CallClient } from "../call/call.js";
import { get } from "./api.js";
import { h, icon, toast } from "./dom.js";
import { t } from "./i18n.js";

export class CallDesk extends EventTarget {
  constructor(stream) {
    super();
    this.live = new Map(); // call id -> call payload (ringing or active)
    this.client = new CallClient((frame) => stream.send(frame), {
      canShare: true,
      onChange: (call) => this.track(call),
      words: (key, vars) => t(`call.${key}`, vars),
    });
    stream.addEventListener("event", (e) => {
      const frame = e.detail;
      if (!String(frame.type).startsWith("call.")) return;
      if (frame.type === "call.updated") this.track(frame.payload.call);
      this.client.handle(frame);
    });
    stream.addEventListener("problem", (e) => this.client.handle({ type: "error", ...e.detail }));
    stream.addEventListener("ready", (e) => {
      this.load();
      if (e.detail.reconnected) this.client.rejoin();
    });
  }

  async load() {
    const calls = await get("/calls/live").catch(() => null);
    if (!calls) return;
    const before = new Set([...this.live.values()].map((c) => c.issue_id));
    this.live = new Map(calls.map((c) => [c.id, c]));
    for (const issueId of new Set([...before, ...calls.map((c) => c.issue_id)])) this.changed(issueId);
  }

  track(call) {
    if (call.state === "ended") this.live.delete(call.id);
    else this.live.set(call.id, call);
    this.changed(call.issue_id);
  }

  changed(issueId) {
    this.dispatchEvent(new CustomEvent("change", { detail: { issueId } }));
  }

  /** The Issue's live calls (at most one per room). */
  liveIn(issueId) {
    return [...this.live.values()].filter((c) => c.issue_id === issueId);
  }

  get inCall() {
    return this.client.call;
  }

  async start(issueId, room) {
    try {
      await this.client.start(issueId, room);
    } catch (error) {
      toast(error.message, "error");
    }
  }

  async join(callId) {
    try {
      await this.client.accept(callId);
    } catch (error) {
      toast(error.message, "error");
    }
  }
}

/** A chip for an inbox card or the Issue header: a call rings or is under way. */
export function callChip(calls) {
  const live = calls?.[0];
  if (!live) return null;
  const label = live.state === "ringing" ? t("calls.ringing") : t("calls.on_call");
  return h("span.call-chip", { title: t(`calls.in_room.${live.room === "private" ? "private" : "public"}`) }, icon("video"), label);
}
