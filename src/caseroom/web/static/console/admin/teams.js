// Teams: name, hours of operation (like Mon-Fri 09:00-17:00) in a time zone, members.

import { get, patch, post } from "../api.js";
import { clear, h, toast } from "../dom.js";
import { t } from "../i18n.js";
import { attempt, checklist, field, sectionHead, table } from "./ui.js";

function zoneList() {
  const list = h("datalist", { id: "admin-timezones" });
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  for (const zone of ["UTC", ...zones]) list.append(h("option", { value: zone }));
  return list;
}

function teamForm(team, agents, onSave, onCancel) {
  const name = field(t("admin.name"), { value: team?.name || "", required: true });
  const hours = field(t("admin.teams.hours_label"), {
    value: team?.hours || "", placeholder: "Mon-Fri 09:00-17:00", "data-hint": t("admin.teams.hours_hint"),
  });
  const zone = field(t("admin.teams.timezone"), {
    value: team?.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC", list: "admin-timezones", required: true,
  });
  const members = checklist(t("admin.teams.members"), agents.filter((a) => a.active).map((a) => [a.id, a.name]), team?.member_ids || []);
  const error = h("p.form-error", { role: "alert" });
  const form = h(team ? "form.inline-form" : "form.admin-form", { "aria-label": team ? t("admin.edit_named", { name: team.name }) : t("admin.teams.new") },
    team ? null : h("h3", {}, t("admin.teams.new")),
    h("div.form-row", {}, name.el, hours.el, zone.el), members.el, error,
    h("div.form-actions", {}, h("button.btn.btn-primary", { type: "submit", class: team ? "btn-sm" : "" }, team ? t("common.save") : t("admin.teams.create")),
      onCancel ? h("button.btn.btn-sm", { type: "button", onclick: onCancel }, t("common.cancel")) : null));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { name: name.input.value, hours: hours.input.value, timezone: zone.input.value, member_ids: members.values() };
    const saved = await attempt(error, () => onSave(body), { name: name.input, hours: hours.input, timezone: zone.input });
    if (saved && !team) form.reset();
  });
  return { form, focus: () => name.input.focus() };
}

export async function teamsSection() {
  const el = h("div.admin-section", { id: "admin-teams" });
  const [teams, agents] = await Promise.all([get("/admin/teams"), get("/admin/agents")]);
  const agentName = new Map(agents.map((a) => [a.id, a.name]));
  const rows = h("tbody");
  const reload = async () => render(await get("/admin/teams"));

  const render = (list) => clear(rows, list.map((team) => {
    const row = h("tr", { dataset: { teamId: team.id } },
      h("th", { scope: "row" }, team.name),
      h("td", {}, team.hours || h("span.muted", {}, t("admin.teams.not_set"))),
      h("td", {}, team.timezone),
      h("td", {}, team.member_ids.map((id) => agentName.get(id)).filter(Boolean).join(", ") || h("span.muted", {}, t("admin.teams.nobody"))),
      h("td", {}, h("div.row-actions", {}, h("button.btn.btn-sm", { type: "button", onclick: () => {
        if (row.nextElementSibling?.classList.contains("edit-row")) return;
        const editor = teamForm(team, agents, async (body) => {
          const saved = await patch(`/admin/teams/${team.id}`, body);
          toast(t("admin.saved", { name: saved.name }));
          await reload();
          return saved;
        }, () => editRow.remove());
        const editRow = h("tr.edit-row", {}, h("td", { colspan: "5" }, editor.form));
        row.after(editRow);
        editor.focus();
      } }, t("admin.edit")))));
    return row;
  }));

  render(teams);
  const create = teamForm(null, agents, async (body) => {
    const made = await post("/admin/teams", body);
    toast(t("admin.created", { name: made.name }));
    await reload();
    return made;
  });
  el.append(
    sectionHead(t("admin.section.teams"), t("admin.teams.intro")),
    zoneList(),
    table([t("admin.teams.team"), t("admin.teams.hours"), t("admin.teams.timezone"), t("admin.teams.members"), ""], rows, t("admin.section.teams")),
    create.form);
  return el;
}
