// The organization's channels: the mailbox and its relay, the SMS number and
// provider, and the ICE servers of video calls. Secrets are write-only: the form
// says which are set and sends only those typed in (or cleared).

import { get, put } from "../api.js";
import { h, icon, toast } from "../dom.js";
import { attempt, field, sectionHead, select } from "./ui.js";

const CHANNELS = [
  {
    channel: "email", label: "Email", save: "email", icon: "email",
    text: "Customers write to this address; agents answer from it. Without a relay, outgoing mail is kept under Sent mail.",
    fields: [
      { name: "address", label: "Support address", placeholder: "support@example.com", required: true },
      { name: "display_name", label: "Name on outgoing mail", placeholder: "Northwind Support" },
      { name: "relay_host", label: "Relay host", placeholder: "smtp.example.com", hint: "Leave empty to keep outgoing mail here (Sent mail)." },
      { name: "relay_port", label: "Relay port", placeholder: "587", type: "number" },
      { name: "relay_tls", label: "Relay security", choices: [["starttls", "STARTTLS"], ["tls", "TLS"], ["none", "None"]] },
      { name: "relay_user", label: "Relay user" },
      { name: "relay_password", label: "Relay password", secret: true },
      { name: "dkim_selector", label: "DKIM selector", placeholder: "caseroom" },
      { name: "dkim_private_key", label: "DKIM private key (PEM)", secret: true, multiline: true },
    ],
  },
  {
    channel: "sms", label: "SMS", save: "SMS", icon: "sms",
    text: "Texts through a Twilio-compatible provider: its number, account and the address of its API.",
    fields: [
      { name: "from_number", label: "Number", placeholder: "+14155550100", required: true },
      { name: "account_sid", label: "Account SID" },
      { name: "auth_token", label: "Auth token", secret: true },
      { name: "api_base", label: "API address", placeholder: "https://api.twilio.com", hint: "For a Twilio-compatible provider; empty for Twilio." },
      { name: "default_region", label: "Default region", placeholder: "US", hint: "Numbers typed without a country code are read as this country's." },
      { name: "help_text", label: "Answer to HELP", multiline: true },
    ],
  },
  {
    channel: "video", label: "Video calls", save: "video calls", icon: "video",
    text: "STUN and TURN servers for calls across networks. TURN passwords are minted per call from the shared secret (coturn's use-auth-secret).",
    fields: [
      { name: "stun_urls", label: "STUN servers", placeholder: "stun:stun.example.com:3478", hint: "Several: separated by spaces." },
      { name: "turn_urls", label: "TURN servers", placeholder: "turn:turn.example.com:3478?transport=udp" },
      { name: "turn_secret", label: "TURN shared secret", secret: true },
    ],
  },
];

function channelForm(spec, current) {
  const config = current?.config || {};
  const set = new Set(current?.secrets_set || []);
  const cleared = new Set();
  const enabled = h("input", { type: "checkbox", checked: current ? current.enabled : true });
  const inputs = {};
  const fields = spec.fields.map((f) => {
    const attrs = { placeholder: f.secret && set.has(f.name) ? "Set: type to replace" : f.placeholder || "", autocomplete: "off", spellcheck: "false" };
    if (f.hint) attrs["data-hint"] = f.hint;
    let control = null;
    if (f.choices) control = select(f.choices, String(config[f.name] ?? f.choices[0][0]));
    else if (f.multiline) control = h("textarea", { rows: "3", ...attrs });
    const made = field(f.label, { ...attrs, type: f.secret ? "password" : f.type || "text" }, control);
    if (!f.secret && !f.choices) made.input.value = config[f.name] ?? "";
    inputs[f.name] = made.input;
    if (f.secret && set.has(f.name)) {
      const clear = h("button.btn.btn-sm.btn-ghost-danger", { type: "button", onclick: () => {
        cleared.add(f.name);
        made.input.value = "";
        made.input.placeholder = "Removed when saved";
      } }, "Remove");
      made.el.append(h("span.secret-state", {}, icon("lock"), "Set", clear));
    }
    return made.el;
  });
  const error = h("p.form-error", { role: "alert" });
  const form = h("form.admin-form.channel-form", { "aria-label": `${spec.label} settings`, dataset: { channel: spec.channel } },
    h("div.channel-title", {}, icon(spec.icon), h("h3", {}, spec.label),
      h(`span.state.${!current ? "state-off" : current.enabled ? "state-on" : "state-pending"}`, {},
        !current ? "Not set up" : current.enabled ? "On" : "Off"),
      h("label.check", {}, enabled, "Turned on")),
    h("p.muted", {}, spec.text), h("div.form-row", {}, fields), error,
    h("div.form-actions", {}, h("button.btn.btn-primary", { type: "submit" }, `Save ${spec.save}`)));
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
      toast(`Saved the ${spec.save} settings`);
      form.replaceWith(channelForm(spec, saved));
    }
  });
  return form;
}

export async function channelsSection() {
  const stored = new Map((await get("/settings/channels")).map((s) => [s.channel, s]));
  return h("div.admin-section", { id: "admin-channels" },
    sectionHead("Channels", "How Customers reach you besides the chat: email, text messages and video calls."),
    CHANNELS.map((spec) => channelForm(spec, stored.get(spec.channel))));
}
