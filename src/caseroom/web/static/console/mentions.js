// "@" autocomplete in the private room: suggests the organization's agents and
// inserts the mention syntax the server understands, @[Display Name].

import { TokenPicker } from "./autocomplete.js";
import { avatar, h } from "./dom.js";
import { t } from "./i18n.js";

const MAX = 6;

export class MentionPicker extends TokenPicker {
  constructor(composer) {
    super(composer, { className: "mention-menu", id: "mention-list", label: t("shortcuts.mention") });
  }

  /** The "@word" being typed just before the caret, or null. */
  query() {
    const t = this.composer.textarea;
    const before = t.value.slice(0, t.selectionStart);
    const match = before.match(/(?:^|[^\w])@(\[?)([^\n@\[\]]{0,40})$/);
    if (!match || /\s{2}|^\s/.test(match[2])) return null;
    this.start = before.length - match[2].length - match[1].length - 1;
    return match[2].toLowerCase();
  }

  itemsFor(q) {
    const me = this.composer.directory.me.id;
    const agents = [...this.composer.directory.agents.values()].filter((a) => a.id !== me);
    const rank = (a) => {
      const name = a.name.toLowerCase();
      if (name.startsWith(q)) return 0;
      if (name.split(/\s+/).some((w) => w.startsWith(q))) return 1;
      if (a.email.toLowerCase().startsWith(q)) return 2;
      return 9;
    };
    return agents.filter((a) => rank(a) < 9).sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name)).slice(0, MAX);
  }

  optionId(agent) {
    return `mention-${agent.id}`;
  }

  optionContent(agent) {
    return [avatar(agent.name, "agent", "avatar-sm"), h("span.menu-main", {}, agent.name), h("span.menu-sub", {}, agent.email)];
  }

  insertion(agent) {
    return `@[${agent.name}] `;
  }
}
