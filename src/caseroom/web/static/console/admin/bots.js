// Bots and webhooks: the built-in welcome bot of the web chat, custom bots called
// with #nickname (or greeting Customers), integrators' webhook subscriptions, and
// the log of every signed delivery with "Send again".

import { get, patch, post, put } from "../api.js";
import { clear, h, toast } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { attempt, field, secretBox, sectionHead, select, table } from "./ui.js";

const EVENTS = ["issue.created", "issue.claimed", "issue.resolved", "message.created", "transcript.filed"];

async function welcomeForm(teams) {
  const current = await get("/admin/welcome-bot");
  const active = h("input", { type: "checkbox", checked: current.active });
  const name = field(t("admin.name"), { value: current.name || t("admin.bots.default_name"), required: true });
  const greeting = field(t("admin.greeting"), {}, h("textarea", { rows: "2" }));
  greeting.input.value = current.greeting;
  const topics = field(t("admin.bots.topics"), { "data-hint": t("admin.bots.topics_hint") },
    h("textarea", { rows: "3" }));
  const teamName = new Map(teams.map((team) => [team.id, team.name]));
  topics.input.value = current.topics.map((topic) => `${topic.label}${topic.team_id ? ` = ${teamName.get(topic.team_id) || ""}` : ""}`).join("\n");
  const error = h("p.form-error", { role: "alert" });
  const form = h("form.admin-form", { "aria-label": t("admin.bots.welcome") }, h("h3", {}, t("admin.bots.welcome_title")),
    h("label.check", {}, active, t("admin.bots.welcome_active")),
    h("div.form-row", {}, name.el), greeting.el, topics.el, error,
    h("div.form-actions", {}, h("button.btn.btn-primary", { type: "submit" }, t("admin.bots.welcome_save"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const byName = new Map(teams.map((team) => [team.name.toLowerCase(), team.id]));
    const chosen = topics.input.value.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
      const [label, team] = line.split("=").map((part) => part.trim());
      return { label, team_id: team ? byName.get(team.toLowerCase()) || null : null };
    });
    const saved = await attempt(error, () => put("/admin/welcome-bot", {
      active: active.checked, name: name.input.value, greeting: greeting.input.value, topics: chosen,
    }), { name: name.input, greeting: greeting.input, topics: topics.input });
    if (saved) toast(t("admin.bots.welcome_saved"));
  });
  return form;
}

function botForm(onSaved) {
  const nickname = field(t("admin.bots.nickname"), { required: true, placeholder: t("admin.bots.nickname_placeholder"), "data-hint": t("admin.bots.nickname_hint") });
  const name = field(t("admin.name"), { required: true, placeholder: t("admin.bots.name_placeholder") });
  const kind = field(t("admin.bots.kind"), {}, select([["assist", t("admin.bots.kind.assist_long")], ["welcome", t("admin.bots.kind.welcome_long")]], "assist"));
  const url = field(t("admin.url"), { required: true, type: "url", placeholder: "https://bots.example.com/hook" });
  const error = h("p.form-error", { role: "alert" });
  const form = h("form.admin-form", { "aria-label": t("admin.bots.new") }, h("h3", {}, t("admin.bots.register_title")),
    h("div.form-row", {}, nickname.el, name.el, kind.el), url.el, error,
    h("div.form-actions", {}, h("button.btn.btn-primary", { type: "submit" }, t("admin.bots.register"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const made = await attempt(error, () => post("/admin/bots", {
      nickname: nickname.input.value, name: name.input.value, kind: kind.input.value, url: url.input.value,
    }), { nickname: nickname.input, name: name.input, url: url.input });
    if (made) {
      form.reset();
      onSaved(made);
    }
  });
  return form;
}

function subscriptionForm(onSaved) {
  const url = field(t("admin.url"), { required: true, type: "url", placeholder: "https://crm.example.com/caseroom" });
  const boxes = EVENTS.map((e) => ({ e, box: h("input", { type: "checkbox", value: e, checked: true }) }));
  const error = h("p.form-error", { role: "alert" });
  const form = h("form.admin-form", { "aria-label": t("admin.bots.new_webhook") }, h("h3", {}, t("admin.bots.subscribe_title")), url.el,
    h("fieldset.checklist", {}, h("legend", {}, t("admin.bots.events")), boxes.map(({ e, box }) => h("label.check", {}, box, e))),
    error, h("div.form-actions", {}, h("button.btn.btn-primary", { type: "submit" }, t("admin.bots.subscribe"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const events = boxes.filter((b) => b.box.checked).map((b) => b.e);
    const made = await attempt(error, () => post("/admin/webhooks", { url: url.input.value, events }), { url: url.input });
    if (made) {
      form.reset();
      onSaved(made);
    }
  });
  return form;
}

export async function botsSection() {
  const el = h("div.admin-section", { id: "admin-bots" });
  const secret = h("div");
  const botRows = h("tbody");
  const hookRows = h("tbody");
  const logRows = h("tbody");
  const showSecret = (made) => clear(secret, made.secret
    ? secretBox(t("admin.bots.secret_title", { name: made.nickname ? "#" + made.nickname : made.url }), made.secret,
      t("admin.bots.secret_note"))
    : "");

  const renderBots = (bots) => clear(botRows, bots.length ? bots.map((bot) => h("tr", {},
    h("th", { scope: "row" }, `#${bot.nickname}`), h("td", {}, bot.name), h("td", {}, t(`admin.bots.kind.${bot.kind}`)),
    h("td", {}, bot.url ? h("code", {}, bot.url) : t("admin.bots.built_in")),
    h("td", {}, bot.breaker?.open_until ? t("admin.bots.paused") : bot.active ? t("admin.state.on") : t("admin.state.off")),
    h("td", {}, bot.url ? h("div.row-actions", {},
      h("button.btn.btn-sm", { type: "button", onclick: async () => {
        await patch(`/admin/bots/${bot.id}`, { active: !bot.active });
        await reload();
      } }, bot.active ? t("admin.bots.switch_off") : t("admin.bots.switch_on")),
      h("button.btn.btn-sm", { type: "button", onclick: async () => {
        const rotated = await post(`/admin/bots/${bot.id}/secret`, { keep_previous: true });
        showSecret(rotated);
      } }, t("admin.bots.new_secret"))) : null)))
    : h("tr", {}, h("td.muted", { colspan: "6" }, t("admin.bots.none"))));

  const renderHooks = (hooks) => clear(hookRows, hooks.length ? hooks.map((hook) => h("tr", {},
    h("th", { scope: "row" }, h("code", {}, hook.url)), h("td", {}, hook.events.join(", ")),
    h("td", {}, hook.active ? t("admin.state.on") : t("admin.state.off")))) : h("tr", {}, h("td.muted", { colspan: "3" }, t("admin.bots.no_subscriptions"))));

  const renderLog = (log) => clear(logRows, log.length ? log.map((d) => h("tr", {},
    h("th", { scope: "row" }, h("time", { datetime: d.created_at }, formatDate(d.created_at, { dateStyle: "medium", timeStyle: "medium" }))),
    h("td", {}, d.event_type), h("td", {}, t(`admin.bots.delivery.${d.state}`)), h("td", {}, String(d.attempts)),
    h("td", {}, d.last_error || (d.response_status ? String(d.response_status) : "")),
    h("td", {}, d.state === "queued" ? null : h("button.btn.btn-sm", { type: "button", onclick: async () => {
      await post(`/admin/webhook-deliveries/${d.id}/send-again`, {});
      toast(t("admin.bots.queued_again"));
      await reload();
    } }, t("admin.bots.send_again"))))) : h("tr", {}, h("td.muted", { colspan: "6" }, t("admin.bots.nothing_delivered"))));

  const reload = async () => {
    const [bots, hooks, log] = await Promise.all([get("/admin/bots"), get("/admin/webhooks"), get("/admin/webhook-deliveries")]);
    renderBots(bots);
    renderHooks(hooks);
    renderLog(log);
  };
  const teams = await get("/admin/teams");
  await reload();
  el.append(
    sectionHead(t("admin.section.bots"), t("admin.bots.intro")),
    await welcomeForm(teams), secret,
    table([t("admin.bots.nickname"), t("admin.name"), t("admin.bots.kind"), t("admin.url"), t("admin.state"), ""], botRows, t("admin.bots.custom")),
    botForm(async (made) => {
      showSecret(made);
      await reload();
    }),
    table([t("admin.url"), t("admin.bots.events"), t("admin.state")], hookRows, t("admin.bots.subscriptions")),
    subscriptionForm(async (made) => {
      showSecret(made);
      await reload();
    }),
    h("h3", {}, t("admin.bots.delivery_log")),
    table([t("admin.when"), t("admin.bots.event"), t("admin.state"), t("admin.bots.tries"), t("admin.bots.last_answer"), ""], logRows, t("admin.bots.deliveries")));
  return el;
}
