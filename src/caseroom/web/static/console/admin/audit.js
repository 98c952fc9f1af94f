// The audit log: admin actions and sign-ins, filtered by kind, exported as CSV.

import { apiUrl, get } from "../api.js";
import { clear, h } from "../dom.js";
import { sectionHead, select, table } from "./ui.js";

const KINDS = [
  ["", "Everything"], ["auth.", "Sign-ins"], ["agent.", "Agents"], ["team.", "Teams"],
  ["canned.", "Canned responses"], ["api_token.", "API tokens"], ["redaction_pattern.", "Redaction"],
  ["widget.", "Widget"], ["organization.", "Organization"],
];

const when = (iso) => new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "medium" });

function detailText(entry) {
  return Object.entries(entry.detail).map(([key, value]) => `${key}: ${Array.isArray(value) ? value.length : value}`).join(" · ");
}

export async function auditSection() {
  const el = h("div.admin-section", { id: "admin-audit" });
  const rows = h("tbody");
  const kind = select(KINDS, "");
  kind.id = "audit-kind";
  const exportLink = h("a.btn.btn-sm", { href: apiUrl("/admin/audit.csv"), download: "audit-log.csv" }, "Export CSV");
  const more = h("button.btn.btn-sm", { type: "button", hidden: true }, "Older entries");
  let before = null;

  const load = async (append) => {
    const action = kind.value || undefined;
    const page = await get("/admin/audit", { action, before: append ? before : undefined, limit: 50 });
    before = page.next_before;
    more.hidden = !before;
    exportLink.href = apiUrl("/admin/audit.csv", { action });
    const built = page.entries.map((entry) => h("tr", {},
      h("td", {}, h("time", { datetime: entry.created_at }, when(entry.created_at))),
      h("td", {}, entry.actor.name, h("div.muted", {}, entry.actor.kind === "agent" ? "" : entry.actor.kind)),
      h("td", {}, h("code", {}, entry.action)),
      h("td.audit-detail", {}, detailText(entry)),
      h("td", {}, entry.client_address || "")));
    if (append) rows.append(...built);
    else clear(rows, built.length ? built : h("tr", {}, h("td.muted", { colspan: "5" }, "Nothing recorded.")));
  };
  kind.addEventListener("change", () => load(false));
  more.addEventListener("click", () => load(true));
  await load(false);

  el.append(
    sectionHead("Audit log", "Every admin action and every sign-in: who, what, when and from where. Entries cannot be changed."),
    h("div.admin-toolbar", {}, h("label", { for: "audit-kind" }, "Show"), kind, h("div.grow"), exportLink),
    table(["When", "Who", "What", "Details", "From"], rows, "Audit log"),
    more);
  return el;
}
