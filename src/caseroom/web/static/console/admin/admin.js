// The admin screens (admins only): agents, teams, canned responses, the chat widget,
// redaction patterns, API tokens and the audit log, each backed by the same API an integrator uses. Route: #/admin/<section>.

import { clear, h, icon } from "../dom.js";
import { agentsSection } from "./agents.js";
import { auditSection } from "./audit.js";
import { botsSection } from "./bots.js";
import { knowledgeSection } from "./knowledge.js";
import { cannedSection } from "./canned.js";
import { channelsSection } from "./channels.js";
import { redactionSection } from "./redaction.js";
import { sentMailSection } from "./sent_mail.js";
import { teamsSection } from "./teams.js";
import { tokensSection } from "./tokens.js";
import { widgetSection } from "./widget.js";
import { t } from "../i18n.js";

// A section's tab reads the catalogue's admin.section.<id>.
const SECTIONS = [
  { id: "agents", icon: "mine", build: agentsSection },
  { id: "teams", icon: "inbox", build: teamsSection },
  { id: "canned", icon: "bolt", build: cannedSection },
  { id: "widget", icon: "chat", build: widgetSection },
  { id: "channels", icon: "globe", build: channelsSection },
  { id: "redaction", icon: "eye", build: redactionSection },
  { id: "knowledge", icon: "file", build: knowledgeSection },
  { id: "bots", icon: "bot", build: botsSection },
  { id: "tokens", icon: "lock", build: tokensSection },
  { id: "audit", icon: "clock", build: auditSection },
  { id: "sent-mail", icon: "email", build: sentMailSection },
];

let styled = false;
function loadStyles() {
  if (styled) return;
  styled = true;
  document.head.append(h("link", { rel: "stylesheet", href: "/static/console/admin/admin.css" }));
}

/** The sidebar link into the admin screens. */
export function adminNav() {
  loadStyles();
  const link = h("a.queue-link", { href: "#/admin/agents", id: "admin-link" },
    icon("spark"), h("span.queue-label", {}, t("app.role.admin")));
  return h("nav.admin-nav", { "aria-label": t("admin.title") }, link);
}

export class AdminView {
  constructor({ directory }) {
    loadStyles();
    this.directory = directory;
    this.tabs = new Map();
    const list = h("div.admin-tabs", { role: "tablist", "aria-label": t("admin.sections") });
    for (const section of SECTIONS) {
      const tab = h("a.admin-tab", { href: `#/admin/${section.id}`, role: "tab", id: `admin-tab-${section.id}` },
        icon(section.icon), t(`admin.section.${section.id}`));
      this.tabs.set(section.id, tab);
      list.append(tab);
    }
    this.body = h("section.admin-body", { role: "tabpanel", tabindex: "-1" });
    this.el = h("section.admin", { id: "admin", "aria-label": t("admin.title") },
      h("header.admin-head", {}, h("h1.pane-title", {}, t("admin.title")),
        h("p.muted", {}, t("admin.intro", { org: directory.org.name }))),
      list, this.body);
    this.current = null;
  }

  async show(sectionId) {
    const section = SECTIONS.find((s) => s.id === sectionId) || SECTIONS[0];
    for (const [id, tab] of this.tabs) tab.setAttribute("aria-selected", String(id === section.id));
    if (this.current === section.id) return;
    this.current = section.id;
    this.body.setAttribute("aria-labelledby", `admin-tab-${section.id}`);
    clear(this.body, h("p.muted.admin-loading", {}, t("common.loading")));
    try {
      clear(this.body, await section.build({ directory: this.directory }));
    } catch (error) {
      clear(this.body, h("div.empty", {}, icon("alert"), h("p", {}, error.status === 403 ? t("admin.forbidden") : error.message)));
    }
  }
}
