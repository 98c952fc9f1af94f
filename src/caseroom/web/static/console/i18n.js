// The console's words in one place: a catalogue per language
// (locales/<code>.json), English filling any gap. t("inbox.queue.mine") reads
// the active language; {name} placeholders are filled from vars, and an entry
// given as {"one": …, "other": …} picks its form by vars.count (Intl.PluralRules).
// Dates, times and "5 minutes ago" are formatted by Intl in the same language.

export const FALLBACK = "en";
/** The languages offered, each named in itself (as a picker lists them). */
export const LANGUAGES = { en: "English", de: "Deutsch" };

const catalogues = {};
let active = FALLBACK;
let plurals = new Intl.PluralRules(FALLBACK);
const listeners = new Set();

/** The first of the wanted languages the console speaks: the agent's choice, then the browser's. */
export function pickLocale(preference, browser = navigator.languages || [navigator.language]) {
  for (const wanted of [preference, ...browser]) {
    const code = String(wanted || "").toLowerCase().split("-")[0];
    if (code in LANGUAGES) return code;
  }
  return FALLBACK;
}

async function load(code) {
  if (!catalogues[code]) {
    const response = await fetch(`/static/console/locales/${code}.json`, { credentials: "same-origin" });
    catalogues[code] = response.ok ? await response.json() : {};
  }
  return catalogues[code];
}

/** Make `code` the console's language (its catalogue read once); <html lang> follows. */
export async function setLocale(code) {
  const chosen = code in LANGUAGES ? code : FALLBACK;
  await Promise.all([load(FALLBACK), load(chosen)]);
  const changed = chosen !== active;
  active = chosen;
  plurals = new Intl.PluralRules(active);
  document.documentElement.lang = active;
  if (changed) for (const listener of listeners) listener(active);
  return active;
}

export function locale() {
  return active;
}

/** Told the new language whenever it changes. */
export function onLocaleChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function entry(key) {
  return catalogues[active]?.[key] ?? catalogues[FALLBACK]?.[key];
}

export function t(key, vars = {}) {
  let text = entry(key);
  if (text === undefined) return key;
  if (typeof text === "object") text = text[plurals.select(Number(vars.count ?? 0))] ?? text.other;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

const formats = new Map();
function format(kind, options) {
  const key = `${active}|${kind}|${JSON.stringify(options)}`;
  if (!formats.has(key)) {
    const make = { date: Intl.DateTimeFormat, number: Intl.NumberFormat, relative: Intl.RelativeTimeFormat, list: Intl.ListFormat }[kind];
    formats.set(key, new make(active, options));
  }
  return formats.get(key);
}

export function formatTime(value) {
  return format("date", { hour: "2-digit", minute: "2-digit" }).format(new Date(value));
}

export function formatDate(value, options = { day: "numeric", month: "short", year: "numeric" }) {
  return format("date", options).format(new Date(value));
}

export function formatNumber(value, options = {}) {
  return format("number", options).format(value);
}

/** "Ana, Ben and Cleo" / "Ana, Ben und Cleo". */
export function formatList(items) {
  return format("list", { type: "conjunction" }).format(items);
}

/** "just now", "5 minutes ago", "vor 3 Stunden": the time since `value`. */
export function relative(value, now = Date.now()) {
  const seconds = (new Date(value).getTime() - now) / 1000;
  const ago = -seconds;
  if (ago >= 0 && ago < 60) return t("time.just_now");
  const rtf = format("relative", { numeric: "auto" });
  for (const [unit, size] of [["day", 86400], ["hour", 3600], ["minute", 60]]) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.trunc(seconds / size), unit);
  }
  return rtf.format(Math.trunc(seconds), "second");
}
