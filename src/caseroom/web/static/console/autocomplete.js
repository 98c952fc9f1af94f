// A suggestion list under the composer for a word being typed ("@na", "#sum"):
// arrows move, Enter or Tab inserts, Escape closes. Each picker says what it
// looks for, what it offers and what it inserts.

import { h } from "./dom.js";

export class TokenPicker {
  /** `menu`: {className, id, label} of the list. */
  constructor(composer, menu) {
    this.composer = composer;
    this.menu = menu;
    this.items = [];
    this.active = 0;
    this.start = -1; // where the word being completed starts
  }

  // -- what a picker says --------------------------------------------------------
  /** The word being typed before the caret (setting this.start), or null. */
  query() { return null; }
  /** The items offered for `q` (may be a promise). */
  itemsFor(_q) { return []; }
  /** The id of the option for `item`, unique in the page. */
  optionId(_item) { return ""; }
  /** The content of the option for `item`. */
  optionContent(_item) { return []; }
  /** The text put in place of the word. */
  insertion(_item) { return ""; }

  // -- shared behaviour ------------------------------------------------------------
  async update() {
    const q = this.query();
    if (q === null) return this.close();
    const items = await this.itemsFor(q);
    if (this.query() !== q) return undefined; // typed on meanwhile
    this.items = items;
    if (!this.items.length) return this.close();
    this.active = Math.min(this.active, this.items.length - 1);
    return this.render();
  }

  render() {
    const t = this.composer.textarea;
    const list = h(`ul.menu.${this.menu.className}`, { role: "listbox", id: this.menu.id, "aria-label": this.menu.label },
      this.items.map((item, i) => h("li.menu-item", {
        role: "option", id: this.optionId(item), "aria-selected": String(i === this.active),
        onmousedown: (e) => {
          e.preventDefault();
          this.choose(item);
        },
      }, ...this.optionContent(item))));
    this.composer.showPopover(list);
    // A textarea cannot be a combobox; as a textbox it still points at the
    // suggestion being chosen.
    t.setAttribute("aria-haspopup", "listbox");
    t.setAttribute("aria-controls", this.menu.id);
    t.setAttribute("aria-activedescendant", this.optionId(this.items[this.active]));
    t.setAttribute("aria-autocomplete", "list");
  }

  close() {
    const open = this.composer.popover.querySelector(`.${this.menu.className}`);
    this.items = [];
    this.active = 0;
    if (!open) return;
    this.composer.showPopover(null);
    this.composer.textarea.removeAttribute("aria-controls");
    this.composer.textarea.removeAttribute("aria-activedescendant");
  }

  choose(item) {
    const t = this.composer.textarea;
    const caret = t.selectionStart;
    const text = this.insertion(item);
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
