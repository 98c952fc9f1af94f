// The `?` overlay: every keyboard shortcut of the console in one list.

import { h } from "./dom.js";
import { t } from "./i18n.js";

// Keys, alternatives split by "|", and what each does (a catalogue key).
const SHORTCUTS = [
  ["/", "search"], ["?", "help"], ["g", "cards"], ["↑ ↓|j k", "move"], ["Enter", "open"], ["c", "claim"],
  ["w", "watch"], ["Esc", "escape"], ["← →", "rooms"], ["Shift+Enter", "newline"], ["Alt+N", "note"],
  ["/", "canned", "shortcuts.where.empty_message"], ["@", "mention", "shortcuts.where.private_room"],
];

export function showShortcuts() {
  if (document.getElementById("shortcuts")) return;
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  const dialog = h("dialog.shortcuts", { id: "shortcuts", "aria-labelledby": "shortcuts-title" },
    h("h2", { id: "shortcuts-title" }, t("shortcuts.title")),
    h("dl", {}, SHORTCUTS.map(([keys, what, where]) => h("div.shortcut-row", {},
      h("dt", {}, keys.split("|").map((k, i) => [i ? ` ${t("shortcuts.or")} ` : "", h("kbd", {}, k)]).flat(), where ? ` ${t(where)}` : ""),
      h("dd", {}, t(`shortcuts.${what}`))))),
    h("button.btn.btn-primary", { type: "button", onclick: close }, t("common.close")));
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
