// Satisfaction: the Customer's rating on the Issue header, and a small report
// (the spread of scores, the average, the latest comments) from the sidebar.

import { get } from "./api.js";
import { ago, h, icon } from "./dom.js";
import { formatNumber, t } from "./i18n.js";

/** "★ 4/5" with the comment as its title; nothing when the Issue is not rated. */
export function ratingChip(rating) {
  if (!rating) return null;
  return h("span.rating-chip", { id: "issue-rating", title: rating.comment || t("ratings.rated") },
    "★ ", `${rating.score}/5`, rating.comment ? h("span.rating-comment", {}, ` “${rating.comment}”`) : null);
}

export function reportButton() {
  const panel = h("div.report", { id: "satisfaction-report", hidden: true, role: "region", "aria-label": t("ratings.title") });
  const button = h("button.btn.btn-icon.btn-ghost.alerts-button", {
    type: "button", "aria-label": t("ratings.report"), title: t("ratings.report_title"),
    "aria-expanded": "false", "aria-controls": "satisfaction-report",
    onclick: async () => {
      panel.hidden = !panel.hidden;
      button.setAttribute("aria-expanded", String(!panel.hidden));
      if (!panel.hidden) await fill(panel);
    },
  }, icon("check-circle"));
  return h("div.alerts", {}, button, panel);
}

async function fill(panel) {
  let report;
  try {
    report = await get("/reports/satisfaction");
  } catch (error) {
    panel.replaceChildren(h("p", {}, error.message));
    return;
  }
  const most = Math.max(1, ...Object.values(report.counts));
  panel.replaceChildren(
    h("h2.report-title", {}, t("ratings.title")),
    h("p.report-average", {}, report.average === null ? t("ratings.none")
      : t("ratings.average", { average: formatNumber(report.average, { minimumFractionDigits: 1, maximumFractionDigits: 1 }), count: report.total })),
    h("ul.report-bars", {}, [5, 4, 3, 2, 1].map((s) => h("li", {},
      h("span", {}, `${s}★`), bar((report.counts[s] / most) * 100), h("span", {}, report.counts[s])))),
    h("ul.report-recent", {}, report.recent.filter((r) => r.comment).slice(0, 5).map((r) => h("li", {},
      h("a", { href: `#/all/${r.issue_id}` }, `#${r.reference}`), ` ★${r.score} `, h("q", {}, r.comment), h("span.muted", {}, ` · ${ago(r.created_at)}`)))));
}

/** A bar as wide as its share (set through the CSSOM: the page allows no inline style). */
function bar(percent) {
  const el = h("span.bar");
  el.style.setProperty("--w", `${percent}%`);
  return el;
}
