// Bots in the console: "#" autocomplete in the private room (the organization's
// bots, from GET /bots), a welcome bot's buttons shown read-only, and the
// "Send to Customer" action on an assist bot's suggestion.

import { get, post } from "./api.js";
import { h, icon, toast } from "./dom.js";

const MAX = 8;
const CHOOSE = "Choose: ";
let offered = null; // the organization's callable bots, fetched once per page

function callableBots() {
  offered ||= get("/bots").catch(() => {
    offered = null;
    return [];
  });
  return offered;
}

/** A bot message's text without its buttons line, and the buttons' labels. */
export function splitChoices(body) {
  const lines = body.split("\n");
  const last = lines[lines.length - 1] || "";
  if (!last.startsWith(CHOOSE)) return { text: body, choices: [] };
  return { text: lines.slice(0, -1).join("\n"), choices: last.slice(CHOOSE.length).split(" | ").filter(Boolean) };
}

export function choiceChips(choices) {
  if (!choices.length) return null;
  return h("div.bot-choices", { role: "group", "aria-label": "Buttons the Customer was offered" },
    choices.map((label) => h("span.bot-choice", {}, label)));
}

export class BotPicker {
  constructor(composer) {
    this.composer = composer;
    this.items = [];
    this.active = 0;
    this.start = -1;
  }

  query() {
    const t = this.composer.textarea;
    const before = t.value.slice(0, t.selectionStart);
    const match = before.match(/(?:^|\s)#([A-Za-z0-9_-]{0,32})$/);
    if (!match) return null;
    this.start = before.length - match[1].length - 1;
    return match[1].toLowerCase();
  }

  async update() {
    const q = this.query();
    if (q === null) return this.close();
    const bots = await callableBots();
    if (this.query() !== q) return undefined; // typed on meanwhile
    this.items = bots.filter((b) => b.nickname.startsWith(q)).slice(0, MAX);
    if (!this.items.length) return this.close();
    this.active = Math.min(this.active, this.items.length - 1);
    return this.render();
  }

  render() {
    const t = this.composer.textarea;
    const list = h("ul.menu.bot-menu", { role: "listbox", id: "bot-list", "aria-label": "Call a bot" },
      this.items.map((bot, i) => h("li.menu-item", {
        role: "option", id: `bot-${bot.nickname}`, "aria-selected": String(i === this.active),
        onmousedown: (e) => {
          e.preventDefault();
          this.choose(bot);
        },
      }, h("span.avatar.avatar-bot.avatar-sm", { "aria-hidden": "true" }, icon("bot")),
        h("span.menu-main", {}, `#${bot.nickname}`), h("span.menu-sub", {}, bot.help))));
    this.composer.showPopover(list);
    t.setAttribute("aria-controls", "bot-list");
    t.setAttribute("aria-activedescendant", `bot-${this.items[this.active].nickname}`);
  }

  close() {
    const open = this.composer.popover.querySelector(".bot-menu");
    this.items = [];
    this.active = 0;
    if (!open) return;
    this.composer.showPopover(null);
    this.composer.textarea.removeAttribute("aria-controls");
    this.composer.textarea.removeAttribute("aria-activedescendant");
  }

  choose(bot) {
    const t = this.composer.textarea;
    const caret = t.selectionStart;
    const text = `#${bot.nickname} `;
    t.value = t.value.slice(0, this.start) + text + t.value.slice(caret);
    t.selectionStart = t.selectionEnd = this.start + text.length;
    this.close();
    this.composer.changed();
    t.focus();
  }

  handleKey(event) {
    if (!this.items.length) return false;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + this.items.length) % this.items.length;
      this.render();
    } else if (event.key === "Enter" || event.key === "Tab") {
      this.choose(this.items[this.active]);
    } else if (event.key === "Escape") {
      this.close();
    } else {
      return false;
    }
    event.preventDefault();
    return true;
  }
}

/** Which private-room bot messages an agent may send on to the Customer. */
export class Suggestions {
  constructor(issueId) {
    this.issueId = issueId;
    this.known = null; // message id -> public message id or null
    this.loading = null;
  }

  async load(force = false) {
    if (this.loading && !force) return this.loading;
    this.loading = get(`/issues/${this.issueId}/suggestions`)
      .then((data) => { this.known = new Map(Object.entries(data.suggestions)); })
      .catch(() => { this.known ||= new Map(); });
    return this.loading;
  }

  /** The action for `message`, filled in once the server says it is a suggestion. */
  actionFor(message) {
    const slot = h("div.suggest-actions");
    const fill = async () => {
      if (!this.known || !this.known.has(message.id)) await this.load(true);
      if (!this.known.has(message.id)) return;
      slot.replaceChildren(this.known.get(message.id) ? sentEl() : this.button(message, slot));
    };
    fill();
    return slot;
  }

  button(message, slot) {
    return h("button.btn.btn-sm.suggest-send", {
      type: "button", "aria-label": "Send this suggestion to the Customer, as your message",
      onclick: async (e) => {
        e.currentTarget.disabled = true;
        try {
          const sent = await post(`/issues/${this.issueId}/suggestions/${message.id}/send`, {});
          this.known.set(message.id, sent.id);
          slot.replaceChildren(sentEl());
        } catch (error) {
          toast(error.message, "error");
          e.currentTarget.disabled = false;
        }
      },
    }, icon("send"), "Send to Customer");
  }
}

function sentEl() {
  return h("span.suggest-sent", {}, icon("check"), "Sent to the Customer");
}
