// Message text as DOM nodes (never HTML): links and @mentions made visible.

import { h } from "./dom.js";

const LINK = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/g;

/** Tokens for the agents' names, longest first, so "@Ana Lopez" wins over "@Ana". */
function mentionPattern(names) {
  const escaped = [...new Set(names)]
    .filter(Boolean)
    .sort((a, b) => b.length - a.length)
    .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const named = escaped.length ? `|@(?:${escaped.join("|")})(?![\\w])` : "";
  return new RegExp(`@\\[[^\\]\\n]{1,80}\\]${named}`, "g");
}

export function richText(body, { names = [], me = "" } = {}) {
  const out = [];
  const mentions = mentionPattern(names);
  const pieces = [];
  for (const [pattern, kind] of [[LINK, "link"], [mentions, "mention"]]) {
    pattern.lastIndex = 0;
    for (const match of body.matchAll(pattern)) {
      pieces.push({ start: match.index, end: match.index + match[0].length, text: match[0], kind });
    }
  }
  pieces.sort((a, b) => a.start - b.start);
  let at = 0;
  for (const piece of pieces) {
    if (piece.start < at) continue; // overlapping: first one wins
    if (piece.start > at) out.push(body.slice(at, piece.start));
    if (piece.kind === "link") {
      out.push(h("a", { href: piece.text, target: "_blank", rel: "noopener noreferrer nofollow" }, piece.text));
    } else {
      const name = piece.text.replace(/^@\[?|\]$/g, "");
      const self = me && (name === me || name === me.split(" ")[0]);
      out.push(h(`span.mention${self ? ".mention-me" : ""}`, {}, `@${name}`));
    }
    at = piece.end;
  }
  if (at < body.length) out.push(body.slice(at));
  return out;
}
