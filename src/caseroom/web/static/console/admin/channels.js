// The organization's channels: the mailbox and its relay, the SMS number and
// provider, and the ICE servers of video calls. Secrets are write-only: the form
// says which are set and sends only those typed in (or cleared).

import { get, put } from "../api.js";
import { h, icon, toast } from "../dom.js";
import { t } from "../i18n.js";
import { attempt, field, sectionHead, select } from "./ui.js";

// Each channel's words are in the catalogue: admin.channels.<channel>.{label,text,settings,save,saved},
// and each field's admin.channels.field.<name> (its hint admin.channels.hint.<name>).
const CHANNELS = [
  {
    channel: "email", icon: "email",
    fields: [
      { name: "address", placeholder: "support@example.com", required: true },
      { name: "display_name", placeholder: "Northwind Support" },
      { name: "relay_host", placeholder: "smtp.example.com", hint: true },
      { name: "relay_port", placeholder: "587", type: "number" },
      { name: "relay_tls", choices: ["starttls", "tls", "none"] },
      { name: "relay_user" },
      { name: "relay_password", secret: true },
      { name: "dkim_selector", placeholder: "caseroom" },
      { name: "dkim_private_key", secret: true, multiline: true },
    ],
  },
  {
    channel: "sms", icon: "sms",
    fields: [
      { name: "from_number", placeholder: "+14155550100", required: true },
      { name: "account_sid" },
      { name: "auth_token", secret: true },
      { name: "api_base", placeholder: "https://api.twilio.com", hint: true },
      { name: "default_region", placeholder: "US", hint: true },
      { name: "help_text", multiline: true },
    ],
  },
  {
    channel: "video", icon: "video",
    fields: [
      { name: "stun_urls", placeholder: "stun:stun.example.com:3478", hint: true },
      { name: "turn_urls", placeholder: "turn:turn.example.com:3478?transport=udp" },
      { name: "turn_secret", secret: true },
    ],
  },
];

const words = (spec, part) => t(`admin.channels.${spec.channel}.${part}`);
const choiceLabel = (choice) => (choice === "none" ? t("admin.channels.tls.none") : choice.toUpperCase());

function channelForm(spec, current) {
  const config = current?.config || {};
  const set = new Set(current?.secrets_set || []);
  const cleared = new Set();
  const enabled = h("input", { type: "checkbox", checked: current ? current.enabled : true });
  const inputs = {};
  const fields = spec.fields.map((f) => {
    const attrs = { placeholder: f.secret && set.has(f.name) ? t("admin.channels.secret_replace") : f.placeholder || "", autocomplete: "off", spellcheck: "false" };
    if (f.hint) attrs["data-hint"] = t(`admin.channels.hint.${f.name}`);
    let control = null;
    if (f.choices) control = select(f.choices.map((c) => [c, choiceLabel(c)]), String(config[f.name] ?? f.choices[0]));
    else if (f.multiline) control = h("textarea", { rows: "3", ...attrs });
    const made = field(t(`admin.channels.field.${f.name}`), { ...attrs, type: f.secret ? "password" : f.type || "text" }, control);
    if (!f.secret && !f.choices) made.input.value = config[f.name] ?? "";
    inputs[f.name] = made.input;
    if (f.secret && set.has(f.name)) {
      const clear = h("button.btn.btn-sm.btn-ghost-danger", { type: "button", onclick: () => {
        cleared.add(f.name);
        made.input.value = "";
        made.input.placeholder = t("admin.channels.secret_removed");
      } }, t("admin.remove"));
      made.el.append(h("span.secret-state", {}, icon("lock"), t("admin.channels.secret_set"), clear));
    }
    return made.el;
  });
  const error = h("p.form-error", { role: "alert" });
  const form = h("form.admin-form.channel-form", { "aria-label": words(spec, "settings"), dataset: { channel: spec.channel } },
    h("div.channel-title", {}, icon(spec.icon), h("h3", {}, words(spec, "label")),
      h(`span.state.${!current ? "state-off" : current.enabled ? "state-on" : "state-pending"}`, {},
        !current ? t("admin.channels.not_set_up") : current.enabled ? t("admin.channels.on") : t("admin.channels.off")),
      h("label.check", {}, enabled, t("admin.channels.turned_on"))),
    h("p.muted", {}, words(spec, "text")), h("div.form-row", {}, fields), error,
    h("div.form-actions", {}, h("button.btn.btn-primary", { type: "submit" }, words(spec, "save"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { enabled: enabled.checked, config: {}, secrets: {} };
    for (const f of spec.fields) {
      const value = inputs[f.name].value.trim();
      if (f.secret) {
        if (value) body.secrets[f.name] = value;
        else if (cleared.has(f.name)) body.secrets[f.name] = null;
      } else if (value) {
        body.config[f.name] = f.type === "number" ? Number(value) : value;
      }
    }
    const problemFields = Object.fromEntries(spec.fields.flatMap((f) => [[`config.${f.name}`, inputs[f.name]], [`secrets.${f.name}`, inputs[f.name]]]));
    const saved = await attempt(error, () => put(`/settings/channels/${spec.channel}`, body), problemFields);
    if (saved) {
      toast(words(spec, "saved"));
      form.replaceWith(channelForm(spec, saved));
    }
  });
  return form;
}

export async function channelsSection() {
  const stored = new Map((await get("/settings/channels")).map((s) => [s.channel, s]));
  return h("div.admin-section", { id: "admin-channels" },
    sectionHead(t("admin.section.channels"), t("admin.channels.intro")),
    CHANNELS.map((spec) => channelForm(spec, stored.get(spec.channel))));
}
