// The Issue header's hand-over controls: the owner and team picker (assign,
// transfer to a team, unassign), the tags editor and the priority.

import { post, put } from "./api.js";
import { avatar, h, icon, toast } from "./dom.js";
import { t } from "./i18n.js";

const PRIORITIES = ["", "low", "high", "urgent"];

/** The "Owner" button and its menu; `onChange(issue)` gets the saved Issue. */
export function ownerPicker(view, onChange) {
  const { issue, directory } = view;
  const owner = issue.owner_agent_id ? directory.agentName(issue.owner_agent_id) : null;
  const team = issue.team_id ? directory.teams.find((x) => x.id === issue.team_id)?.name : null;
  const label = `${owner ? t("assign.owner", { owner }) : t("inbox.card.unassigned")}${team ? ` · ${team}` : ""}`;
  const menu = h("div.picker", { role: "menu", "aria-label": t("assign.menu"), hidden: true, id: "owner-menu" });
  const button = h("button.meta-item.picker-button", {
    type: "button", id: "issue-owner", "aria-haspopup": "menu", "aria-expanded": "false", "aria-controls": "owner-menu",
    title: t("assign.title"),
  }, icon("mine"), label, icon("chevron"));
  const close = () => {
    menu.hidden = true;
    button.setAttribute("aria-expanded", "false");
  };
  const act = async (call, done) => {
    close();
    try {
      const saved = await call();
      toast(done);
      onChange(saved);
    } catch (error) {
      toast(error.message, "error");
    }
  };
  const item = (text, extra, onclick, current = false) => h("button.picker-item", {
    type: "button", role: "menuitemradio", "aria-checked": String(current), onclick,
  }, extra, h("span.picker-label", {}, text), current ? icon("check") : null);
  const agents = [...directory.agents.values()].filter((a) => a.active !== false);
  menu.append(
    h("div.picker-heading", {}, t("assign.to")),
    ...agents.map((a) => item(a.id === directory.me.id ? t("assign.me", { name: a.name }) : a.name, avatar(a.name, "agent", "avatar-xs"),
      () => act(() => post(`/issues/${issue.id}/assign`, { agent_id: a.id }), t("assign.assigned", { name: a.name })),
      a.id === issue.owner_agent_id)),
    directory.teams.length ? h("div.picker-heading", {}, t("assign.transfer")) : null,
    ...directory.teams.map((x) => item(x.name, icon("inbox"),
      () => act(() => post(`/issues/${issue.id}/assign`, { team_id: x.id }), t("assign.transferred", { team: x.name })),
      x.id === issue.team_id)),
    issue.owner_agent_id
      ? item(t("assign.unassign"), icon("x"), () => act(() => post(`/issues/${issue.id}/unassign`), t("inbox.card.unassigned")))
      : null);
  const open = issue.status === "unclaimed" || issue.status === "claimed";
  button.disabled = !open;
  button.addEventListener("click", () => {
    menu.hidden = !menu.hidden;
    button.setAttribute("aria-expanded", String(!menu.hidden));
    if (!menu.hidden) menu.querySelector(".picker-item")?.focus();
  });
  menu.addEventListener("keydown", (e) => {
    const items = [...menu.querySelectorAll(".picker-item")];
    const at = items.indexOf(document.activeElement);
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
      button.focus();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      items[(at + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length]?.focus();
    }
  });
  return h("span.picker-wrap", {}, button, menu);
}

/** Tags as removable chips plus an input (Enter adds), and the priority. */
export function tagsAndPriority(view, onChange) {
  const { issue } = view;
  const save = async (tags, typed = "") => {
    try {
      onChange(await put(`/issues/${issue.id}/tags`, { tags }));
    } catch (error) {
      toast(error.message, "error");
      // Not saved: the text goes back where it was typed (the input drawn last).
      const current = input.isConnected ? input : document.querySelector(".tag-input");
      if (current && typed && !current.value) current.value = typed;
    }
  };
  const input = h("input.tag-input", { type: "text", placeholder: t("assign.tag_placeholder"), "aria-label": t("assign.add_tag"), maxlength: 64 });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && input.value.trim()) {
      e.preventDefault();
      const typed = input.value.trim();
      input.value = ""; // taken now: a header drawn again before the answer keeps what is typed
      save([...(issue.tags || []), typed], typed);
    }
  });
  const chips = (issue.tags || []).map((tag) => h("span.tag-chip", {}, tag,
    h("button.tag-remove", { type: "button", "aria-label": t("assign.remove_tag", { tag }), onclick: () => save(issue.tags.filter((x) => x !== tag)) }, icon("x"))));
  const priority = h("select.priority-select", { "aria-label": t("assign.priority"), id: "issue-priority", dataset: { priority: issue.priority || "" } },
    PRIORITIES.map((value) => h("option", { value, selected: (issue.priority || "") === value }, t(`assign.priority.${value || "normal"}`))));
  priority.addEventListener("change", async () => {
    try {
      onChange(await put(`/issues/${issue.id}/priority`, { priority: priority.value || null }));
    } catch (error) {
      toast(error.message, "error");
    }
  });
  return h("span.tags", { role: "group", "aria-label": t("assign.tags_and_priority") }, priority, ...chips, input);
}


