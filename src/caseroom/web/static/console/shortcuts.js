// The `?` overlay: every keyboard shortcut of the console in one list.

import { h } from "./dom.js";

const SHORTCUTS = [
  ["/", "Search Issues"],
  ["?", "Show this list"],
  ["g", "Go to the inbox cards"],
  ["↑ ↓ or j k", "Move between cards"],
  ["Enter", "Open the card (in the composer: send)"],
  ["c", "Claim the card"],
  ["w", "Watch or unwatch the card"],
  ["Esc", "Close a picker, then back to the inbox"],
  ["← →", "Switch between the Public and Private rooms (on a tab)"],
  ["Shift+Enter", "New line in the composer"],
  ["Alt+N", "Log note on or off (public room)"],
  ["/ in an empty message", "Canned responses"],
  ["@ in the private room", "Mention a colleague"],
];

export function showShortcuts() {
  if (document.getElementById("shortcuts")) return;
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  const dialog = h("dialog.shortcuts", { id: "shortcuts", "aria-labelledby": "shortcuts-title" },
    h("h2", { id: "shortcuts-title" }, "Keyboard shortcuts"),
    h("dl", {}, SHORTCUTS.map(([keys, what]) => h("div.shortcut-row", {},
      h("dt", {}, keys.split(" or ").map((k, i) => [i ? " or " : "", h("kbd", {}, k)]).flat()), h("dd", {}, what)))),
    h("button.btn.btn-primary", { type: "button", onclick: close }, "Close"));
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
