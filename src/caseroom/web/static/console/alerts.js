// Never miss a message: a desktop notification and a short sound (each a
// preference, kept in this browser) for a new Unclaimed Issue, a Customer's
// message on one's own Issues, and a mention. A notification opens the Issue
// (a mention, the private room at the mentioned message).

import { h, icon } from "./dom.js";
import { t } from "./i18n.js";

const PREFS_KEY = "caseroom.console.alerts";
const DEFAULTS = { desktop: false, sound: true };

export class Alerts {
  constructor({ directory, stream, open }) {
    this.directory = directory;
    this.open = open;
    this.prefs = { ...DEFAULTS, ...read() };
    stream.addEventListener("issue", (e) => this.onIssue(e.detail));
    stream.addEventListener("event", (e) => {
      if (e.detail.type === "notification.created") this.onMention(e.detail.payload.notification);
    });
  }

  onIssue({ type, issue, changes = [] }) {
    const me = this.directory.me.id;
    if (type === "issue.created" && issue.status === "unclaimed") {
      this.alert(t("alerts.new_issue", { ref: issue.reference }), issue.subject, () => this.open(issue.id, "unclaimed"));
    } else if (type === "issue.updated" && changes.includes("last_seq") && issue.owner_agent_id === me
      && issue.waiting_since && !document.hasFocus()) {
      this.alert(t("alerts.customer_wrote", { ref: issue.reference }), issue.subject, () => this.open(issue.id, "mine"));
    }
  }

  onMention(notification) {
    const who = this.directory.agentName(notification.actor_id) || t("common.a_colleague");
    this.alert(t("alerts.mentioned", { who }), `#${notification.issue_reference}`,
      () => this.open(notification.issue_id, "mentions", { room: "private", messageId: notification.message_id }));
  }

  alert(title, body, onClick) {
    if (this.prefs.sound) chime();
    if (!this.prefs.desktop || typeof Notification === "undefined" || Notification.permission !== "granted") return;
    const shown = new Notification(title, { body, tag: title });
    shown.onclick = () => {
      window.focus();
      onClick();
      shown.close();
    };
  }

  /** The preferences as two switches, for the sidebar. */
  settings() {
    const toggle = (name, label) => {
      const input = h("input", { type: "checkbox", checked: this.prefs[name], dataset: { pref: name } });
      input.addEventListener("change", async () => {
        if (name === "desktop" && input.checked && typeof Notification !== "undefined" && Notification.permission !== "granted") {
          input.checked = (await Notification.requestPermission()) === "granted";
        }
        this.prefs[name] = input.checked;
        localStorage.setItem(PREFS_KEY, JSON.stringify(this.prefs));
      });
      return h("label.alert-pref", {}, input, label);
    };
    const panel = h("div.alert-prefs", { id: "alert-prefs", hidden: true, role: "group", "aria-label": t("alerts.prefs") },
      toggle("desktop", t("alerts.desktop")), toggle("sound", t("alerts.sound")));
    const button = h("button.btn.btn-icon.btn-ghost.alerts-button", {
      type: "button", "aria-label": t("alerts.prefs"), title: t("alerts.prefs_title"),
      "aria-expanded": "false", "aria-controls": "alert-prefs",
      onclick: () => {
        panel.hidden = !panel.hidden;
        button.setAttribute("aria-expanded", String(!panel.hidden));
      },
    }, icon("spark"));
    return h("div.alerts", {}, button, panel);
  }
}

function read() {
  try {
    return JSON.parse(localStorage.getItem(PREFS_KEY) || "{}");
  } catch {
    return {};
  }
}

let audio = null;
/** Two short soft tones, made on the spot (no sound file to fetch). */
function chime() {
  try {
    audio ||= new AudioContext();
    const now = audio.currentTime;
    for (const [offset, freq] of [[0, 880], [0.12, 1175]]) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + offset);
      gain.gain.exponentialRampToValueAtTime(0.08, now + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + offset);
      osc.stop(now + offset + 0.3);
    }
  } catch {
    // no audio here (autoplay rules, no device): the notification still shows
  }
}
