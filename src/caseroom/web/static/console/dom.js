// Small DOM helpers: element building, icons, times and names.

import { ICONS } from "./icons.js";
import { formatDate, formatNumber, formatTime, relative, t } from "./i18n.js";

/** h("button.primary", {onclick}, "Text", child) — a tag with optional .classes. */
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split(".");
  const el = document.createElement(tag || "div");
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = [el.className, value].filter(Boolean).join(" ");
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "style" && typeof value === "object") {
      Object.assign(el.style, value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function icon(name, label) {
  const span = document.createElement("span");
  span.className = `icon icon-${name}`;
  span.innerHTML = ICONS[name] || "";
  if (label) {
    span.setAttribute("role", "img");
    span.setAttribute("aria-label", label);
  } else {
    span.setAttribute("aria-hidden", "true");
  }
  return span;
}

export function initials(name) {
  const parts = String(name || "?").trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] || "?").slice(0, 2);
  return letters.toUpperCase();
}

const AVATAR_HUES = [222, 262, 190, 152, 28, 330, 200, 12];

export function avatar(name, kind = "agent", size = "") {
  let hash = 0;
  for (const ch of String(name)) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const hue = AVATAR_HUES[hash % AVATAR_HUES.length];
  const el = h(`span.avatar.avatar-${kind}${size ? "." + size : ""}`, { "aria-hidden": "true" });
  if (kind === "bot") el.append(icon("bot"));
  else if (kind === "system") el.append(icon("info"));
  else {
    el.textContent = initials(name);
    el.style.setProperty("--hue", hue);
  }
  return el;
}

export function firstName(name) {
  return String(name || "").trim().split(/\s+/)[0] || "";
}

export function clock(iso) {
  return iso ? formatTime(iso) : "";
}

export function dayLabel(iso) {
  const date = new Date(iso);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86400000);
  if (date.toDateString() === today.toDateString()) return t("time.today");
  if (date.toDateString() === yesterday.toDateString()) return t("time.yesterday");
  return formatDate(date, { weekday: "long", day: "numeric", month: "long" });
}

/** "42s", "4m 05s", "1h 12m", "3d 4h" */
export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const two = (n) => String(n).padStart(2, "0");
  if (s < 60) return t("time.duration.s", { s });
  const m = Math.floor(s / 60);
  if (m < 60) return t("time.duration.ms", { m, s: two(s % 60) });
  const hr = Math.floor(m / 60);
  if (hr < 24) return t("time.duration.hm", { h: hr, m: two(m % 60) });
  return t("time.duration.dh", { d: Math.floor(hr / 24), h: hr % 24 });
}

export function ago(iso) {
  return iso ? relative(iso) : "";
}

export function bytes(n) {
  const digits = (value, small) => formatNumber(value, { maximumFractionDigits: small ? 1 : 0, minimumFractionDigits: small ? 1 : 0 });
  if (n < 1024) return `${formatNumber(n)} B`;
  if (n < 1024 * 1024) return `${digits(n / 1024, n < 10240)} KB`;
  return `${digits(n / 1024 / 1024, n < 10 * 1024 * 1024)} MB`;
}

export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID().replaceAll("-", "");
  const raw = new Uint8Array(16);
  crypto.getRandomValues(raw);
  return Array.from(raw, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function toast(text, kind = "info") {
  const host = document.getElementById("toasts");
  if (!host) return;
  const el = h(`div.toast.toast-${kind}`, {}, icon(kind === "error" ? "alert" : "check"), h("span", {}, text));
  host.append(el);
  setTimeout(() => el.classList.add("leaving"), 4200);
  setTimeout(() => el.remove(), 4600);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waiting counters under `root`: amber, then red, after the organization's thresholds. */
export function tickWaiting(root, org) {
  const { waiting_amber_seconds: amber, waiting_red_seconds: red } = org;
  for (const el of root.querySelectorAll(".waiting[data-since]")) {
    const seconds = (Date.now() - new Date(el.dataset.since).getTime()) / 1000;
    el.querySelector(".waiting-time").textContent = duration(seconds);
    el.classList.toggle("waiting-amber", seconds >= amber && seconds < red);
    el.classList.toggle("waiting-red", seconds >= red);
    el.setAttribute("aria-label", t("waiting.label", { duration: duration(seconds) }));
  }
}

export function waitingChip(since) {
  return h("span.waiting", { dataset: { since }, title: t("waiting.title") },
    icon("clock"), h("span.waiting-time"));
}
