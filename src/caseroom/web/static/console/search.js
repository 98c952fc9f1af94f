// The inbox's search box and filters: words (found in references, Customers'
// names, emails and phones, subjects and message text) and filters by team,
// owner, channel, tag and order, which combine with each other and the queue.

import { h, icon } from "./dom.js";
import { t } from "./i18n.js";

const DEBOUNCE_MS = 200;
const CHANNELS = ["chat", "email", "sms", "video"];
const SORTS = ["last_activity", "waiting", "created"];

export class SearchBar {
  constructor({ directory, onChange }) {
    this.onChange = onChange;
    this.input = h("input.search-input", {
      type: "search", id: "search", placeholder: t("search.placeholder"),
      "aria-label": t("search.label"), "aria-keyshortcuts": "/", autocomplete: "off",
    });
    this.input.addEventListener("input", () => this.changedSoon());
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.input.value) {
        e.preventDefault();
        this.input.value = "";
        this.changed();
      } else if (e.key === "Enter") {
        this.changed();
      }
    });
    const choice = (name, label, options) => {
      const select = h("select.filter", { "aria-label": label, dataset: { filter: name } },
        options.map(([value, text]) => h("option", { value }, text)));
      select.addEventListener("change", () => this.changed());
      return select;
    };
    this.team = choice("team", t("search.team"), [["", t("search.any_team")], ...directory.teams.map((team) => [team.id, team.name])]);
    this.agent = choice("agent", t("search.owner"), [["", t("search.any_owner")], ...[...directory.agents.values()].map((a) => [a.id, a.name])]);
    this.channel = choice("channel", t("search.channel"), [["", t("search.any_channel")], ...CHANNELS.map((c) => [c, t(`channel.${c}`)])]);
    this.sort = choice("sort", t("search.order"), [["", t("search.sort.best")], ...SORTS.map((s) => [s, t(`search.sort.${s}`)])]);
    this.tag = h("input.filter.filter-tag", { type: "text", placeholder: t("search.tag"), "aria-label": t("search.tag"), maxlength: 64 });
    this.tag.addEventListener("input", () => this.changedSoon());
    this.filters = h("div.filters", { id: "search-filters", hidden: true }, this.team, this.agent, this.channel, this.tag, this.sort);
    this.filterToggle = h("button.btn.btn-icon.btn-ghost.btn-sm.filter-toggle", {
      type: "button", "aria-label": t("search.filters"), title: t("search.filters_title"),
      "aria-expanded": "false", "aria-controls": "search-filters",
      onclick: () => {
        this.filters.hidden = !this.filters.hidden;
        this.filterToggle.setAttribute("aria-expanded", String(!this.filters.hidden));
      },
    }, icon("chevron"));
    this.el = h("div.search", { role: "search" },
      h("div.search-line", {},
        h("label.search-box", {}, icon("search"), this.input, h("kbd.search-key", { "aria-hidden": "true" }, "/")),
        this.filterToggle),
      this.filters);
  }

  /** What to ask the server for, beyond the queue (empty values left out). */
  params() {
    const params = {
      q: this.input.value.trim(), team: this.team.value, agent: this.agent.value,
      channel: this.channel.value, tag: this.tag.value.trim(), sort: this.sort.value,
    };
    return Object.fromEntries(Object.entries(params).filter(([, v]) => v));
  }

  get active() {
    return Object.keys(this.params()).length > 0;
  }

  get words() {
    return Boolean(this.input.value.trim());
  }

  focus() {
    this.input.focus();
    this.input.select();
  }

  changedSoon() {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.changed(), DEBOUNCE_MS);
  }

  changed() {
    clearTimeout(this.debounce);
    this.onChange();
  }

  stop() {
    clearTimeout(this.debounce);
  }
}

/** A match's text with the matched words marked (spans from the server). */
export function highlighted(match) {
  const parts = [];
  let at = 0;
  for (const [start, end] of match.highlights) {
    if (start < at) continue;
    parts.push(match.text.slice(at, start), h("mark", {}, match.text.slice(start, end)));
    at = end;
  }
  parts.push(match.text.slice(at));
  return parts;
}
