// The Customer's presence per Issue, from `presence.updated` events: online
// (their page shows the conversation), away (hidden), left. Sessions repeat it
// with every heartbeat, so a state not heard for a while is shown as unknown.

import { h } from "./dom.js";
import { t } from "./i18n.js";

const STALE_MS = 45_000; // a little over two heartbeats

export class Presence extends EventTarget {
  constructor(stream) {
    super();
    this.states = new Map(); // issue id -> { state, heard }
    stream.addEventListener("event", (e) => {
      const frame = e.detail;
      if (frame.type !== "presence.updated") return;
      this.states.set(frame.issue_id, { state: frame.payload.presence.state, heard: Date.now() });
      this.dispatchEvent(new CustomEvent("change", { detail: { issueId: frame.issue_id } }));
    });
  }

  of(issueId) {
    const known = this.states.get(issueId);
    if (!known) return null;
    if (known.state !== "left" && Date.now() - known.heard > STALE_MS) return null;
    return known.state;
  }
}

/** A small chip for a header or a card; nothing when the presence is unknown. */
export function presenceChip(state) {
  if (!state) return null;
  return h(`span.presence.presence-${state}`, { title: t(`presence.${state}.title`) },
    h("span.presence-dot", { "aria-hidden": "true" }), t(`presence.${state}`));
}
