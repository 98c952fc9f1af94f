// Agents: invite (a one-time link sets the password), role and teams, deactivate
// (their open Issues go back to the team queue; they are signed out at once), reactivate.

import { get, patch, post } from "../api.js";
import { avatar, clear, h, toast } from "../dom.js";
import { t } from "../i18n.js";
import { attempt, checklist, field, secretBox, sectionHead, select, table } from "./ui.js";

const roles = () => [["agent", t("app.role.agent")], ["admin", t("app.role.admin")]];

export async function agentsSection({ directory }) {
  const el = h("div.admin-section", { id: "admin-agents" });
  const [agents, teams] = await Promise.all([get("/admin/agents"), get("/admin/teams")]);
  const teamItems = teams.map((team) => [team.id, team.name]);
  const teamName = new Map(teams.map((team) => [team.id, team.name]));
  const shown = h("div.admin-callout-slot");
  const rows = h("tbody");

  const render = (list) => {
    clear(rows, list.map((agent) => agentRow(agent)));
  };
  const reload = async () => render(await get("/admin/agents"));

  const agentRow = (agent) => {
    const status = !agent.active ? [t("admin.agents.deactivated"), "off"] : agent.invited ? [t("admin.agents.invited"), "pending"] : [t("admin.agents.active"), "on"];
    const actions = h("div.row-actions");
    const me = agent.id === directory.me.id;
    actions.append(h("button.btn.btn-sm", { type: "button", onclick: () => edit(agent, row) }, t("admin.edit")));
    if (agent.active && agent.invited) {
      actions.append(h("button.btn.btn-sm", { type: "button", onclick: async () => {
        const invited = await post(`/admin/agents/${agent.id}/invite`);
        clear(shown, secretBox(t("admin.agents.new_link_title", { name: agent.name }), invited.invite_url, t("admin.agents.new_link_note")));
      } }, t("admin.agents.new_link")));
    }
    if (agent.active && !me) {
      actions.append(h("button.btn.btn-sm.btn-ghost-danger", { type: "button", onclick: async () => {
        if (!confirm(t("admin.agents.deactivate_confirm", { name: agent.name }))) return;
        try {
          const done = await post(`/admin/agents/${agent.id}/deactivate`);
          toast(t("admin.agents.deactivated_toast", { name: agent.name, count: done.released_issue_ids.length }));
          await reload();
        } catch (error) {
          toast(error.message, "error");
        }
      } }, t("admin.agents.deactivate")));
    } else if (!agent.active) {
      actions.append(h("button.btn.btn-sm", { type: "button", onclick: async () => {
        await post(`/admin/agents/${agent.id}/reactivate`);
        toast(t("admin.agents.reactivated_toast", { name: agent.name }));
        await reload();
      } }, t("admin.agents.reactivate")));
    }
    const row = h("tr", { dataset: { agentId: agent.id } },
      h("td", {}, h("div.person", {}, avatar(agent.name, "agent", "avatar-sm"),
        h("div", {}, h("strong", {}, agent.name, me ? h("span.muted", {}, ` ${t("admin.agents.you")}`) : null), h("div.muted", {}, agent.email)))),
      h("td", {}, agent.role === "admin" ? t("app.role.admin") : t("app.role.agent")),
      h("td", {}, agent.team_ids.map((id) => teamName.get(id)).filter(Boolean).join(", ") || h("span.muted", {}, t("admin.agents.no_team"))),
      h("td", {}, h(`span.state.state-${status[1]}`, {}, status[0])),
      h("td", {}, actions));
    return row;
  };

  const edit = (agent, row) => {
    if (row.nextElementSibling?.classList.contains("edit-row")) return row.nextElementSibling.querySelector("input")?.focus();
    const name = field(t("admin.name"), { value: agent.name, required: true });
    const role = field(t("admin.agents.role"), {}, select(roles(), agent.role));
    const picked = checklist(t("admin.section.teams"), teamItems, agent.team_ids);
    const error = h("p.form-error", { role: "alert" });
    const form = h("form.inline-form", {}, name.el, role.el, picked.el, error,
      h("div.form-actions", {},
        h("button.btn.btn-primary.btn-sm", { type: "submit" }, t("common.save")),
        h("button.btn.btn-sm", { type: "button", onclick: () => editRow.remove() }, t("common.cancel"))));
    const editRow = h("tr.edit-row", {}, h("td", { colspan: "5" }, form));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const saved = await attempt(error, () => patch(`/admin/agents/${agent.id}`, {
        name: name.input.value, role: role.input.value, team_ids: picked.values(),
      }), { name: name.input });
      if (saved) {
        toast(t("admin.saved", { name: saved.name }));
        await reload();
      }
    });
    row.after(editRow);
    name.input.focus();
  };

  // Inviting: the link is shown once, here.
  const email = field(t("admin.agents.work_email"), { type: "email", required: true, placeholder: t("admin.agents.email_placeholder"), autocomplete: "off" });
  const name = field(t("admin.name"), { required: true, autocomplete: "off" });
  const role = field(t("admin.agents.role"), {}, select(roles(), "agent"));
  const picked = checklist(t("admin.section.teams"), teamItems, teams.length === 1 ? [teams[0].id] : []);
  const error = h("p.form-error", { role: "alert" });
  const invite = h("form.admin-form", { id: "invite-form", "aria-label": t("admin.agents.invite_title") },
    h("h3", {}, t("admin.agents.invite_title")),
    h("div.form-row", {}, email.el, name.el, role.el), picked.el, error,
    h("div.form-actions", {}, h("button.btn.btn-primary", { type: "submit" }, t("admin.agents.invite"))));
  invite.addEventListener("submit", async (event) => {
    event.preventDefault();
    const invited = await attempt(error, () => post("/admin/agents", {
      email: email.input.value, name: name.input.value, role: role.input.value, team_ids: picked.values(),
    }), { email: email.input, name: name.input });
    if (!invited) return;
    invite.reset();
    clear(shown, secretBox(t("admin.agents.link_title", { name: invited.agent.name }), invited.invite_url,
      t("admin.agents.link_note")));
    await reload();
  });

  render(agents);
  el.append(
    sectionHead(t("admin.section.agents"), t("admin.agents.intro")),
    shown,
    table([t("app.role.agent"), t("admin.agents.role"), t("admin.section.teams"), t("admin.agents.status"), ""], rows, t("admin.section.agents")),
    invite);
  return el;
}
