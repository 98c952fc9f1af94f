// The audit log: admin actions and sign-ins, filtered by kind, exported as CSV.

import { apiUrl, get } from "../api.js";
import { clear, h } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { sectionHead, select, table } from "./ui.js";

const kinds = () => [
  ["", t("admin.audit.kind.all")], ["auth.", t("admin.audit.kind.auth")], ["agent.", t("admin.section.agents")],
  ["team.", t("admin.section.teams")], ["canned.", t("admin.section.canned")], ["api_token.", t("admin.section.tokens")],
  ["redaction_pattern.", t("admin.section.redaction")], ["widget.", t("admin.audit.kind.widget")],
  ["organization.", t("app.organization")],
];

const when = (iso) => formatDate(iso, { dateStyle: "medium", timeStyle: "medium" });

function detailText(entry) {
  return Object.entries(entry.detail).map(([key, value]) => `${key}: ${Array.isArray(value) ? value.length : value}`).join(" · ");
}

export async function auditSection() {
  const el = h("div.admin-section", { id: "admin-audit" });
  const rows = h("tbody");
  const kind = select(kinds(), "");
  kind.id = "audit-kind";
  const exportLink = h("a.btn.btn-sm", { href: apiUrl("/admin/audit.csv"), download: "audit-log.csv" }, t("admin.audit.export"));
  const more = h("button.btn.btn-sm", { type: "button", hidden: true }, t("admin.audit.older"));
  let before = null;

  const load = async (append) => {
    const action = kind.value || undefined;
    const page = await get("/admin/audit", { action, before: append ? before : undefined, limit: 50 });
    before = page.next_before;
    more.hidden = !before;
    exportLink.href = apiUrl("/admin/audit.csv", { action });
    const built = page.entries.map((entry) => h("tr", {},
      h("td", {}, h("time", { datetime: entry.created_at }, when(entry.created_at))),
      h("td", {}, entry.actor.name, h("div.muted", {}, entry.actor.kind === "agent" ? "" : t(`admin.audit.actor.${entry.actor.kind}`))),
      h("td", {}, h("code", {}, entry.action)),
      h("td.audit-detail", {}, detailText(entry)),
      h("td", {}, entry.client_address || "")));
    if (append) rows.append(...built);
    else clear(rows, built.length ? built : h("tr", {}, h("td.muted", { colspan: "5" }, t("admin.audit.nothing"))));
  };
  kind.addEventListener("change", () => load(false));
  more.addEventListener("click", () => load(true));
  await load(false);

  el.append(
    sectionHead(t("admin.section.audit"), t("admin.audit.intro")),
    h("div.admin-toolbar", {}, h("label", { for: "audit-kind" }, t("admin.audit.show")), kind, h("div.grow"), exportLink),
    table([t("admin.when"), t("admin.audit.who"), t("admin.audit.what"), t("admin.audit.details"), t("admin.audit.from")], rows, t("admin.section.audit")),
    more);
  return el;
}
