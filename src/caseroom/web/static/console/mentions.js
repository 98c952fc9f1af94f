// "@" autocomplete in the private room: suggests the organization's agents and
// inserts the mention syntax the server understands, @[Display Name].

import { avatar, h } from "./dom.js";

const MAX = 6;

export class MentionPicker {
  constructor(composer) {
    this.composer = composer;
    this.items = [];
    this.active = 0;
    this.start = -1;
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

  update() {
    const q = this.query();
    if (q === null) return this.close();
    const me = this.composer.directory.me.id;
    const agents = [...this.composer.directory.agents.values()].filter((a) => a.id !== me);
    const rank = (a) => {
      const name = a.name.toLowerCase();
      if (name.startsWith(q)) return 0;
      if (name.split(/\s+/).some((w) => w.startsWith(q))) return 1;
      if (a.email.toLowerCase().startsWith(q)) return 2;
      return 9;
    };
    this.items = agents.filter((a) => rank(a) < 9).sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name)).slice(0, MAX);
    if (!this.items.length) return this.close();
    this.active = Math.min(this.active, this.items.length - 1);
    this.render();
  }

  render() {
    const t = this.composer.textarea;
    const list = h("ul.menu.mention-menu", { role: "listbox", id: "mention-list", "aria-label": "Mention a colleague" },
      this.items.map((agent, i) => h("li.menu-item", {
        role: "option", id: `mention-${agent.id}`, "aria-selected": String(i === this.active),
        onmousedown: (e) => {
          e.preventDefault();
          this.choose(agent);
        },
      }, avatar(agent.name, "agent", "avatar-sm"), h("span.menu-main", {}, agent.name), h("span.menu-sub", {}, agent.email))));
    this.composer.showPopover(list);
    // A textarea cannot be a combobox; as a textbox it still points at the
    // suggestion being chosen.
    t.setAttribute("aria-haspopup", "listbox");
    t.setAttribute("aria-controls", "mention-list");
    t.setAttribute("aria-activedescendant", `mention-${this.items[this.active].id}`);
    t.setAttribute("aria-autocomplete", "list");
  }

  close() {
    if (!this.items.length && !this.composer.popover.querySelector(".mention-menu")) return;
    this.items = [];
    this.active = 0;
    const t = this.composer.textarea;
    if (this.composer.popover.querySelector(".mention-menu")) this.composer.showPopover(null);
    t.removeAttribute("aria-controls");
    t.removeAttribute("aria-activedescendant");
  }

  choose(agent) {
    const t = this.composer.textarea;
    const caret = t.selectionStart;
    const text = `@[${agent.name}] `;
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
