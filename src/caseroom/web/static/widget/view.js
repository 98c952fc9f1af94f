// Drawing the chat: the views, the timeline and its messages. Every piece of text
// from the server goes in through textContent, never as HTML.

const $ = (id) => document.getElementById(id);
const GROUP_GAP_MS = 5 * 60 * 1000;
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+[^\s<>".,:;'!?)\]]/g;

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

export function initials(name) {
  const words = String(name || "").trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? words[0][0] + words[words.length - 1][0] : (words[0] || "?").slice(0, 2);
  return letters.toUpperCase();
}

export function showView(name) {
  for (const view of ["loading", "error", "form", "chat"]) {
    $(`view-${view}`).hidden = view !== name;
  }
  $("shell").dataset.state = name;
}

export function showError(title, detail) {
  $("error-title").textContent = title;
  $("error-detail").textContent = detail || "";
  showView("error");
}

export function applyLook(look, mode) {
  const root = document.documentElement.style;
  root.setProperty("--brand", look.color);
  root.setProperty("--on-brand", look.text_color);
  document.title = `${look.title} · ${look.organization.name}`;
  $("title").textContent = look.title;
  $("org-name").textContent = look.organization.name;
  const mark = (look.organization.name.match(/[\p{L}\p{N}]/u) || ["?"])[0].toUpperCase();
  $("brand-mark").textContent = mark;
  $("greeting-avatar").textContent = mark;
  $("greeting-author").textContent = look.organization.name;
  $("greeting-text").textContent = look.greeting;
  $("form-greeting").textContent = look.greeting;
  document.body.classList.add(`mode-${mode}`);
}

function linkified(text) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    fragment.append(text.slice(last, match.index));
    const link = el("a", "", match[0]);
    link.href = match[0];
    link.target = "_blank";
    link.rel = "noopener noreferrer nofollow";
    fragment.append(link);
    last = match.index + match[0].length;
  }
  fragment.append(text.slice(last));
  return fragment;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "short", day: "numeric" });

function dayLabel(date) {
  const today = new Date();
  const yesterday = new Date(today);
  yesterday.setDate(today.getDate() - 1);
  if (date.toDateString() === today.toDateString()) return "Today";
  if (date.toDateString() === yesterday.toDateString()) return "Yesterday";
  return dayFormat.format(date);
}

function author(item) {
  return item.author ? `${item.author.kind}:${item.author.id}` : "customer:me";
}

export function fileIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "file-icon");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M14 3H7a2 2 0 00-2 2v14a2 2 0 002 2h10a2 2 0 002-2V8zM14 3v5h5");
  svg.append(path);
  return svg;
}

export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

function fileChip(file) {
  const chip = el("span", "file");
  chip.append(fileIcon(), el("span", "file-name", file.filename));
  chip.append(el("span", "size", formatSize(file.size)));
  return chip;
}

function filesOf(item, renderFile) {
  if (item.pending && item.files) {
    const box = el("div", "files");
    item.files.forEach((file) => box.append(fileChip(file)));
    return box;
  }
  const files = item.attachments || [];
  if (!files.length) return null;
  const box = el("div", "files");
  for (const file of files) box.append(renderFile ? renderFile(file) : fileChip(file));
  return box;
}

/**
 * The timeline's items in order: `messages` (from the server, by seq) then
 * `pending` (optimistic sends). Each pending item has `key`, `body`, `state`
 * ("sending" | "failed") and maybe `error`.
 */
export function renderTimeline(messages, pending, { onRetry, onDiscard, canRetry, renderFile, seenSeq = 0, onChoose } = {}) {
  const box = $("messages");
  const timeline = $("timeline");
  const nearBottom = timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight < 120;
  const items = [
    ...messages.map((m) => ({ ...m, mine: m.author.kind === "customer", at: new Date(m.created_at) })),
    ...pending.map((p) => ({ ...p, mine: true, pending: true, at: new Date(p.createdAt || Date.now()) })),
  ];
  // "Seen" goes under the Customer's last message once an agent has read that far.
  const lastMine = messages.filter((m) => m.author.kind === "customer").at(-1);
  const seenId = lastMine && seenSeq >= lastMine.seq ? lastMine.id : null;
  const fragment = document.createDocumentFragment();
  let previous = null;
  items.forEach((item, index) => {
    const next = items[index + 1];
    if (!previous || previous.at.toDateString() !== item.at.toDateString()) {
      fragment.append(el("div", "day", dayLabel(item.at)));
      previous = null;
    }
    if (item.kind === "event") {
      const event = el("div", "event", item.body);
      event.dataset.seq = item.seq;
      fragment.append(event);
      previous = null;
      return;
    }
    const first = !previous || previous.kind === "event" || author(previous) !== author(item) ||
      item.at - previous.at > GROUP_GAP_MS;
    const last = !next || next.kind === "event" || author(next) !== author(item) ||
      next.at - item.at > GROUP_GAP_MS || next.at.toDateString() !== item.at.toDateString();
    const seen = !item.pending && item.id === seenId;
    // A bot's buttons answer its latest question only: earlier ones are shown spent.
    const choose = index === items.length - 1 ? onChoose : null;
    fragment.append(renderMessage(item, { first, last: last || seen, seen, onRetry, onDiscard, canRetry, renderFile, choose }));
    previous = item;
  });
  box.replaceChildren(fragment);
  if (nearBottom || pending.length) timeline.scrollTop = timeline.scrollHeight;
}

const CHOOSE = "Choose: ";

/** A bot message's text and the buttons of its last line (`Choose: A | B`). */
function splitChoices(item) {
  const lines = (item.body || "").split("\n");
  const lastLine = lines[lines.length - 1];
  if (item.mine || item.author?.kind !== "bot" || !lastLine.startsWith(CHOOSE)) return { text: item.body, choices: [] };
  return { text: lines.slice(0, -1).join("\n"), choices: lastLine.slice(CHOOSE.length).split(" | ").filter(Boolean) };
}

function choiceButtons(choices, choose) {
  const group = el("div", "choices");
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "Choose an answer");
  for (const label of choices) {
    const button = el("button", "choice", label);
    button.type = "button";
    if (choose) button.addEventListener("click", () => choose(label));
    else button.disabled = true;
    group.append(button);
  }
  return group;
}

function renderMessage(item, { first, last, seen, onRetry, onDiscard, canRetry, renderFile, choose }) {
  const row = el("article", `msg ${item.mine ? "mine" : "theirs"}${first ? " first" : ""}`);
  if (item.pending) {
    row.classList.add(item.state === "failed" ? "failed" : "pending");
    row.dataset.key = item.key;
  } else {
    row.dataset.id = item.id;
    row.dataset.seq = item.seq;
  }
  row.dataset.authorKind = item.mine ? "customer" : item.author.kind;
  if (!item.mine) {
    const avatar = el("div", `avatar ${item.author.kind === "bot" ? "bot" : ""}`, initials(item.author.name));
    avatar.setAttribute("aria-hidden", "true");
    if (!first) avatar.classList.add("spacer");
    row.append(avatar);
  }
  const wrap = el("div", "bubble-wrap");
  if (first && !item.mine) wrap.append(el("div", "author", item.author.name));
  const bubble = el("div", `bubble ${item.mine ? "mine" : "theirs"}`);
  const { text, choices } = splitChoices(item);
  if (text) bubble.append(linkified(text));
  else if (!choices.length) bubble.classList.add("only-files");
  const files = filesOf(item, renderFile);
  if (files) bubble.append(files);
  wrap.append(bubble);
  if (choices.length) wrap.append(choiceButtons(choices, choose));
  const meta = metaFor(item, last, { onRetry, onDiscard, canRetry });
  if (meta && seen) meta.append(" · ", el("span", "seen", "Seen"));
  if (meta) wrap.append(meta);
  row.append(wrap);
  return row;
}

function metaFor(item, last, { onRetry, onDiscard, canRetry }) {
  if (item.pending && item.state === "failed") {
    const meta = el("div", "meta", item.error ? `Not sent: ${item.error}` : "Not sent.");
    const actions = [];
    if (!canRetry || canRetry(item.key)) actions.push(["Retry", onRetry]);
    actions.push(["Remove", onDiscard]);
    for (const [label, action] of actions) {
      const button = el("button", "", label);
      button.type = "button";
      button.addEventListener("click", () => action && action(item.key));
      meta.append(button);
    }
    return meta;
  }
  if (item.pending && item.files) {
    return el("div", "meta", `Uploading… ${Math.round((item.progress || 0) * 100)}%`);
  }
  if (item.pending) return el("div", "meta", "Sending…");
  if (!last) return null;
  const time = timeFormat.format(item.at);
  return el("div", "meta", item.mine ? `Sent · ${time}` : time);
}

export function showTyping(name) {
  $("typing").hidden = !name;
  const text = name ? `${name} is typing…` : "";
  if ($("typing-text").textContent !== text) $("announce-typing").textContent = text;
  $("typing-text").textContent = text;
  if (name) {
    const timeline = $("timeline");
    timeline.scrollTop = timeline.scrollHeight;
  }
}

/** Say a new reply once to a screen reader (the timeline itself is not live). */
export function announce(text) {
  const box = $("announce");
  const line = el("p", "", text);
  box.append(line);
  while (box.childElementCount > 3) box.firstElementChild.remove();
}

export function showBanner(text) {
  $("banner").hidden = !text;
  $("banner").textContent = text || "";
}

export function showConnection(text) {
  $("connection").hidden = !text;
  $("connection").textContent = text || "";
}

export function showUploadNotice(text) {
  const box = $("uploads");
  box.hidden = !text;
  box.replaceChildren();
  if (text) box.append(el("span", "upload failed", text));
}
