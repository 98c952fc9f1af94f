// Bots and webhooks: the built-in welcome bot of the web chat, custom bots called
// with #nickname (or greeting Customers), integrators' webhook subscriptions, and
// the log of every signed delivery with "Send again".

import { get, patch, post, put } from "../api.js";
import { clear, h, toast } from "../dom.js";
import { attempt, field, secretBox, sectionHead, select, table } from "./ui.js";

const EVENTS = ["issue.created", "issue.claimed", "issue.resolved", "message.created", "transcript.filed"];

async function welcomeForm(teams) {
  const current = await get("/admin/welcome-bot");
  const active = h("input", { type: "checkbox", checked: current.active });
  const name = field("Name", { value: current.name || "Virtual assistant", required: true });
  const greeting = field("Greeting", {}, h("textarea", { rows: "2" }));
  greeting.input.value = current.greeting;
  const topics = field("Topics", { "data-hint": "One a line: Label = Team (the team the topic routes to)." },
    h("textarea", { rows: "3" }));
  const teamName = new Map(teams.map((t) => [t.id, t.name]));
  topics.input.value = current.topics.map((t) => `${t.label}${t.team_id ? ` = ${teamName.get(t.team_id) || ""}` : ""}`).join("\n");
  const error = h("p.form-error", { role: "alert" });
  const form = h("form.admin-form", { "aria-label": "Welcome bot" }, h("h3", {}, "Welcome bot (web chat)"),
    h("label.check", {}, active, "Greets Customers, offers the topics, answers from published articles, hands off to a person"),
    h("div.form-row", {}, name.el), greeting.el, topics.el, error,
    h("div.form-actions", {}, h("button.btn.btn-primary", { type: "submit" }, "Save welcome bot")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const byName = new Map(teams.map((t) => [t.name.toLowerCase(), t.id]));
    const chosen = topics.input.value.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
      const [label, team] = line.split("=").map((part) => part.trim());
      return { label, team_id: team ? byName.get(team.toLowerCase()) || null : null };
    });
    const saved = await attempt(error, () => put("/admin/welcome-bot", {
      active: active.checked, name: name.input.value, greeting: greeting.input.value, topics: chosen,
    }), { name: name.input, greeting: greeting.input, topics: topics.input });
    if (saved) toast("Saved the welcome bot");
  });
  return form;
}

function botForm(onSaved) {
  const nickname = field("Nickname", { required: true, placeholder: "e.g. orders", "data-hint": "Agents call it with #nickname." });
  const name = field("Name", { required: true, placeholder: "Order lookup" });
  const kind = field("Kind", {}, select([["assist", "Assist (private room)"], ["welcome", "Welcome (talks with Customers)"]], "assist"));
  const url = field("URL", { required: true, type: "url", placeholder: "https://bots.example.com/hook" });
  const error = h("p.form-error", { role: "alert" });
  const form = h("form.admin-form", { "aria-label": "New bot" }, h("h3", {}, "Register a custom bot"),
    h("div.form-row", {}, nickname.el, name.el, kind.el), url.el, error,
    h("div.form-actions", {}, h("button.btn.btn-primary", { type: "submit" }, "Register bot")));
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
  const url = field("URL", { required: true, type: "url", placeholder: "https://crm.example.com/caseroom" });
  const boxes = EVENTS.map((e) => ({ e, box: h("input", { type: "checkbox", value: e, checked: true }) }));
  const error = h("p.form-error", { role: "alert" });
  const form = h("form.admin-form", { "aria-label": "New webhook" }, h("h3", {}, "Subscribe a URL to events"), url.el,
    h("fieldset.checklist", {}, h("legend", {}, "Events"), boxes.map(({ e, box }) => h("label.check", {}, box, e))),
    error, h("div.form-actions", {}, h("button.btn.btn-primary", { type: "submit" }, "Subscribe")));
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
    ? secretBox(`Signing secret for ${made.nickname ? "#" + made.nickname : made.url}`, made.secret,
      "Shown once. Verify each request's webhook-signature with it (docs/bots.md).")
    : "");

  const renderBots = (bots) => clear(botRows, bots.length ? bots.map((bot) => h("tr", {},
    h("th", { scope: "row" }, `#${bot.nickname}`), h("td", {}, bot.name), h("td", {}, bot.kind),
    h("td", {}, bot.url ? h("code", {}, bot.url) : "built in"),
    h("td", {}, bot.breaker?.open_until ? "paused (failing)" : bot.active ? "on" : "off"),
    h("td", {}, bot.url ? h("div.row-actions", {},
      h("button.btn.btn-sm", { type: "button", onclick: async () => {
        await patch(`/admin/bots/${bot.id}`, { active: !bot.active });
        await reload();
      } }, bot.active ? "Switch off" : "Switch on"),
      h("button.btn.btn-sm", { type: "button", onclick: async () => {
        const rotated = await post(`/admin/bots/${bot.id}/secret`, { keep_previous: true });
        showSecret(rotated);
      } }, "New secret")) : null)))
    : h("tr", {}, h("td.muted", { colspan: "6" }, "No bots yet.")));

  const renderHooks = (hooks) => clear(hookRows, hooks.length ? hooks.map((hook) => h("tr", {},
    h("th", { scope: "row" }, h("code", {}, hook.url)), h("td", {}, hook.events.join(", ")),
    h("td", {}, hook.active ? "on" : "off"))) : h("tr", {}, h("td.muted", { colspan: "3" }, "No subscriptions yet.")));

  const renderLog = (log) => clear(logRows, log.length ? log.map((d) => h("tr", {},
    h("th", { scope: "row" }, h("time", { datetime: d.created_at }, new Date(d.created_at).toLocaleString())),
    h("td", {}, d.event_type), h("td", {}, d.state), h("td", {}, String(d.attempts)),
    h("td", {}, d.last_error || (d.response_status ? String(d.response_status) : "")),
    h("td", {}, d.state === "queued" ? null : h("button.btn.btn-sm", { type: "button", onclick: async () => {
      await post(`/admin/webhook-deliveries/${d.id}/send-again`, {});
      toast("Queued again");
      await reload();
    } }, "Send again")))) : h("tr", {}, h("td.muted", { colspan: "6" }, "Nothing delivered yet.")));

  const reload = async () => {
    const [bots, hooks, log] = await Promise.all([get("/admin/bots"), get("/admin/webhooks"), get("/admin/webhook-deliveries")]);
    renderBots(bots);
    renderHooks(hooks);
    renderLog(log);
  };
  const teams = await get("/admin/teams");
  await reload();
  el.append(
    sectionHead("Bots and webhooks", "Bots answer in the private room when an agent types #nickname, or greet Customers in web chat. Every call and webhook is signed (Standard Webhooks)."),
    await welcomeForm(teams), secret,
    table(["Nickname", "Name", "Kind", "URL", "State", ""], botRows, "Custom bots"),
    botForm(async (made) => {
      showSecret(made);
      await reload();
    }),
    table(["URL", "Events", "State"], hookRows, "Webhook subscriptions"),
    subscriptionForm(async (made) => {
      showSecret(made);
      await reload();
    }),
    h("h3", {}, "Delivery log"),
    table(["When", "Event", "State", "Tries", "Last answer", ""], logRows, "Webhook deliveries"));
  return el;
}
