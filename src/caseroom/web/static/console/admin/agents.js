// Agents: invite (a one-time link sets the password), role and teams, deactivate
// (their open Issues go back to the team queue; they are signed out at once), reactivate.

import { get, patch, post } from "../api.js";
import { avatar, clear, h, toast } from "../dom.js";
import { attempt, checklist, field, secretBox, sectionHead, select, table } from "./ui.js";

const ROLES = [["agent", "Agent"], ["admin", "Admin"]];

export async function agentsSection({ directory }) {
  const el = h("div.admin-section", { id: "admin-agents" });
  const [agents, teams] = await Promise.all([get("/admin/agents"), get("/admin/teams")]);
  const teamItems = teams.map((t) => [t.id, t.name]);
  const teamName = new Map(teams.map((t) => [t.id, t.name]));
  const shown = h("div.admin-callout-slot");
  const rows = h("tbody");

  const render = (list) => {
    clear(rows, list.map((agent) => agentRow(agent)));
  };
  const reload = async () => render(await get("/admin/agents"));

  const agentRow = (agent) => {
    const status = !agent.active ? ["Deactivated", "off"] : agent.invited ? ["Invited", "pending"] : ["Active", "on"];
    const actions = h("div.row-actions");
    const me = agent.id === directory.me.id;
    actions.append(h("button.btn.btn-sm", { type: "button", onclick: () => edit(agent, row) }, "Edit"));
    if (agent.active && agent.invited) {
      actions.append(h("button.btn.btn-sm", { type: "button", onclick: async () => {
        const invited = await post(`/admin/agents/${agent.id}/invite`);
        clear(shown, secretBox(`New invitation link for ${agent.name}`, invited.invite_url, "Earlier links stop working. It works once."));
      } }, "New link"));
    }
    if (agent.active && !me) {
      actions.append(h("button.btn.btn-sm.btn-ghost-danger", { type: "button", onclick: async () => {
        if (!confirm(`Deactivate ${agent.name}? They are signed out at once and their open Issues go back to the team queue.`)) return;
        try {
          const done = await post(`/admin/agents/${agent.id}/deactivate`);
          toast(`${agent.name} is deactivated; ${done.released_issue_ids.length} open Issue(s) back in the queue`);
          await reload();
        } catch (error) {
          toast(error.message, "error");
        }
      } }, "Deactivate"));
    } else if (!agent.active) {
      actions.append(h("button.btn.btn-sm", { type: "button", onclick: async () => {
        await post(`/admin/agents/${agent.id}/reactivate`);
        toast(`${agent.name} can sign in again`);
        await reload();
      } }, "Reactivate"));
    }
    const row = h("tr", { dataset: { agentId: agent.id } },
      h("td", {}, h("div.person", {}, avatar(agent.name, "agent", "avatar-sm"),
        h("div", {}, h("strong", {}, agent.name, me ? h("span.muted", {}, " (you)") : null), h("div.muted", {}, agent.email)))),
      h("td", {}, agent.role === "admin" ? "Admin" : "Agent"),
      h("td", {}, agent.team_ids.map((id) => teamName.get(id)).filter(Boolean).join(", ") || h("span.muted", {}, "No team")),
      h("td", {}, h(`span.state.state-${status[1]}`, {}, status[0])),
      h("td", {}, actions));
    return row;
  };

  const edit = (agent, row) => {
    if (row.nextElementSibling?.classList.contains("edit-row")) return row.nextElementSibling.querySelector("input")?.focus();
    const name = field("Name", { value: agent.name, required: true });
    const role = field("Role", {}, select(ROLES, agent.role));
    const picked = checklist("Teams", teamItems, agent.team_ids);
    const error = h("p.form-error", { role: "alert" });
    const form = h("form.inline-form", {}, name.el, role.el, picked.el, error,
      h("div.form-actions", {},
        h("button.btn.btn-primary.btn-sm", { type: "submit" }, "Save"),
        h("button.btn.btn-sm", { type: "button", onclick: () => editRow.remove() }, "Cancel")));
    const editRow = h("tr.edit-row", {}, h("td", { colspan: "5" }, form));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const saved = await attempt(error, () => patch(`/admin/agents/${agent.id}`, {
        name: name.input.value, role: role.input.value, team_ids: picked.values(),
      }), { name: name.input });
      if (saved) {
        toast(`Saved ${saved.name}`);
        await reload();
      }
    });
    row.after(editRow);
    name.input.focus();
  };

  // Inviting: the link is shown once, here.
  const email = field("Work email", { type: "email", required: true, placeholder: "name@company.com", autocomplete: "off" });
  const name = field("Name", { required: true, autocomplete: "off" });
  const role = field("Role", {}, select(ROLES, "agent"));
  const picked = checklist("Teams", teamItems, teams.length === 1 ? [teams[0].id] : []);
  const error = h("p.form-error", { role: "alert" });
  const invite = h("form.admin-form", { id: "invite-form", "aria-label": "Invite an agent" },
    h("h3", {}, "Invite an agent"),
    h("div.form-row", {}, email.el, name.el, role.el), picked.el, error,
    h("div.form-actions", {}, h("button.btn.btn-primary", { type: "submit" }, "Invite")));
  invite.addEventListener("submit", async (event) => {
    event.preventDefault();
    const invited = await attempt(error, () => post("/admin/agents", {
      email: email.input.value, name: name.input.value, role: role.input.value, team_ids: picked.values(),
    }), { email: email.input, name: name.input });
    if (!invited) return;
    invite.reset();
    clear(shown, secretBox(`Invitation link for ${invited.agent.name}`, invited.invite_url,
      "Send it to them: it sets their password, works once, and is shown only now."));
    await reload();
  });

  render(agents);
  el.append(
    sectionHead("Agents", "Everyone who works in the console. Deactivated agents keep their history but cannot sign in."),
    shown,
    table(["Agent", "Role", "Teams", "Status", ""], rows, "Agents"),
    invite);
  return el;
}
