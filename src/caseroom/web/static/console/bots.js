// Bots in the console: "#" autocomplete in the private room (the organization's
// bots, from GET /bots), a welcome bot's buttons shown read-only, and the
// "Send to Customer" action on an assist bot's suggestion.

import { get, post } from "./api.js";
import { TokenPicker } from "./autocomplete.js";
import { h, icon, toast } from "./dom.js";
import { t } from "./i18n.js";

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
  return h("div.bot-choices", { role: "group", "aria-label": t("bots.choices") },
    choices.map((label) => h("span.bot-choice", {}, label)));
}

export class BotPicker extends TokenPicker {
  constructor(composer) {
    super(composer, { className: "bot-menu", id: "bot-list", label: t("bots.call") });
  }

  query() {
    const t = this.composer.textarea;
    const before = t.value.slice(0, t.selectionStart);
    const match = before.match(/(?:^|\s)#([A-Za-z0-9_-]{0,32})$/);
    if (!match) return null;
    this.start = before.length - match[1].length - 1;
    return match[1].toLowerCase();
  }

  async itemsFor(q) {
    return (await callableBots()).filter((b) => b.nickname.startsWith(q)).slice(0, MAX);
  }

  optionId(bot) {
    return `bot-${bot.nickname}`;
  }

  optionContent(bot) {
    return [h("span.avatar.avatar-bot.avatar-sm", { "aria-hidden": "true" }, icon("bot")),
      h("span.menu-main", {}, `#${bot.nickname}`), h("span.menu-sub", {}, bot.help)];
  }

  insertion(bot) {
    return `#${bot.nickname} `;
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
      type: "button", "aria-label": t("bots.send_label"),
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
    }, icon("send"), t("bots.send"));
  }
}

function sentEl() {
  return h("span.suggest-sent", {}, icon("check"), t("bots.sent"));
}
