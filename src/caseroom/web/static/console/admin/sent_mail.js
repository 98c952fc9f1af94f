// Sent mail: outbound email kept in the local capture when the organization has no
// relay set up (the demo's mailbox). Opening one shows its headers, text and HTML.

import { get } from "../api.js";
import { clear, h } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { sectionHead } from "./ui.js";

const when = (iso) => formatDate(iso, { dateStyle: "medium", timeStyle: "short" });

export async function sentMailSection() {
  const el = h("div.admin-section", { id: "admin-sent-mail" });
  const rows = h("tbody");
  const detail = h("div.sent-mail-detail", { "aria-live": "polite" });
  const open = async (id) => {
    const mail = await get(`/admin/sent-mail/${id}`);
    // Its own page with its own strict policy (inline styles paint, nothing runs or loads).
    const frame = h("iframe.email-html", { sandbox: "", referrerpolicy: "no-referrer", title: t("admin.sent_mail.html_part"),
      src: `/api/v1/admin/sent-mail/${encodeURIComponent(id)}/html` });
    clear(detail, h("h3", {}, mail.subject),
      h("table.admin-table.mail-headers", {}, h("tbody", {}, ...mail.headers.map(([name, value]) =>
        h("tr", {}, h("th", { scope: "row" }, name), h("td", {}, h("code", {}, value)))))),
      h("h4", {}, t("admin.sent_mail.text")), h("pre.mail-text", {}, mail.text || ""),
      mail.html ? h("h4", {}, t("admin.sent_mail.html")) : null, mail.html ? frame : null);
  };
  const page = await get("/admin/sent-mail");
  clear(rows, page.items.length ? page.items.map((mail) => h("tr", { dataset: { mailId: mail.id } },
    h("td", {}, when(mail.created_at)),
    h("td", {}, mail.recipients.join(", ")),
    h("th", { scope: "row" }, h("button.link", { type: "button", onclick: () => open(mail.id) }, mail.subject)))) :
    h("tr", {}, h("td.muted", { colspan: "3" }, t("admin.sent_mail.none"))));
  el.append(
    sectionHead(t("admin.section.sent-mail"), t("admin.sent_mail.intro")),
    h("table.admin-table", {}, h("thead", {}, h("tr", {}, h("th", {}, t("admin.when")), h("th", {}, t("admin.sent_mail.to")), h("th", {}, t("admin.sent_mail.subject")))), rows),
    detail);
  return el;
}
