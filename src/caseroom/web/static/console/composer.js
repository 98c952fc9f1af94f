// The composer under a room's timeline: channel, tools, text, send.
// Enter sends, Shift+Enter starts a new line; every control has a label.

import { avatar, h, icon } from "./dom.js";
import { MentionPicker } from "./mentions.js";
import { smsSegments } from "./sms_segments.js";
import { BotPicker } from "./bots.js";
import { t } from "./i18n.js";

const TYPING_EVERY_MS = 3000;
// What was written and not sent, per Issue and room, for as long as the page lives
// (leaving an Issue with Esc and coming back finds the text again).
const drafts = new Map();

export class Composer {
  /**
   * tools: optional { canned, attachments } objects the Issue view plugs in when
   * the server offers them; each has button() and, for attachments, take(files).
   */
  constructor({ issue, room, directory, stream, onSend, tools = {} }) {
    this.issue = issue;
    this.room = room;
    this.directory = directory;
    this.stream = stream;
    this.onSend = onSend;
    this.tools = tools;
    this.note = false;
    this.lastTyping = 0;
    this.build();
  }

  build() {
    const id = `${this.room}-composer`;
    this.textarea = h("textarea.compose-text", {
      id: `${id}-text`,
      rows: "1",
      "aria-label": this.label(),
      placeholder: this.placeholder(),
      "aria-keyshortcuts": "Enter",
    });
    this.textarea.addEventListener("keydown", (e) => this.keys(e));
    this.textarea.addEventListener("input", () => this.changed());

    this.channel = h("select.channel-select", { id: `${id}-channel`, "aria-label": t("composer.channel_label") },
      channelOptions(this.directory.org.channels));
    const chatIcon = h("span.channel-icon", {}, icon("chat"));
    this.channelIcon = chatIcon;
    this.channel.addEventListener("change", () => {
      chatIcon.replaceChildren(icon(this.channel.value.split(":")[0]));
      this.emailFields.hidden = this.channel.value !== "email";
      this.changed();
    });
    // Email's own fields: a subject for a new thread; in the private room, To and Cc.
    this.subject = h("input.email-subject", { id: `${id}-subject`, type: "text", maxlength: "200",
      placeholder: this.room === "public" ? t("composer.email.subject_public") : t("composer.email.subject"), "aria-label": t("composer.email.subject_label") });
    this.to = h("input.email-to", { id: `${id}-to`, type: "text", placeholder: t("composer.email.to_placeholder"),
      "aria-label": t("composer.email.to_label") });
    this.cc = h("input.email-cc", { id: `${id}-cc`, type: "text", placeholder: t("composer.email.optional"), "aria-label": t("composer.email.cc_label") });
    for (const input of [this.to, this.cc, this.subject]) input.addEventListener("input", () => this.changed());
    this.emailFields = h("div.email-fields", { hidden: true, "aria-label": t("channel.email"), role: "group" },
      this.room === "private" ? h("label.email-field", {}, h("span", {}, t("composer.email.to")), this.to) : null,
      this.room === "private" ? h("label.email-field", {}, h("span", {}, t("composer.email.cc")), this.cc) : null,
      // The Customer's own mail named the public thread: replies keep its subject.
      this.room === "public" && this.issue.source_channel === "email" ? null
        : h("label.email-field", {}, h("span", {}, t("composer.email.subject")), this.subject));

    this.noteButton = h("button.tool.tool-note", {
      type: "button", "aria-pressed": "false", title: t("composer.note_title"),
      "aria-keyshortcuts": "Alt+N", onclick: () => this.toggleNote(),
    }, icon("note"), h("span.tool-label", {}, t("composer.note")));

    const video = this.directory.channel("video");
    const reason = video && !video.enabled ? t("composer.video.not_set_up") : null;
    this.camera = h("button.tool.tool-camera", {
      type: "button", "aria-disabled": reason ? "true" : null, title: reason || t(`composer.video.title_${this.room}`),
      "aria-label": reason ? t("composer.video.unavailable", { reason }) : t("composer.video.start"), dataset: { tip: reason },
      onclick: () => {
        if (!reason) this.stream.calls?.start(this.issue.id, this.room);
      },
    }, icon("video"));

    this.send = h("button.btn.btn-primary.send", { type: "submit", "aria-label": t("composer.send_label"), disabled: true },
      icon("send"), h("span.send-label", {}, t("composer.send")));

    // The message limit, announced as it nears: a send that cannot succeed is never made.
    this.maxChars = this.tools.limits?.max_message_chars || 0;
    this.counter = h("span.char-count", { id: `${id}-count`, "aria-live": "polite", hidden: true });
    this.tray = h("div.tray", { hidden: true, "aria-label": t("composer.tray") });
    // By SMS: how many message parts the text takes and in which encoding, as it is typed.
    this.smsMeter = h("div.sms-meter", { hidden: true, "aria-live": "polite", role: "status" });
    this.popover = h("div.popover-host");
    const toolbar = h("div.composer-tools", { role: "toolbar", "aria-label": t("composer.tools") },
      h("label.channel", { for: `${id}-channel` }, chatIcon, h("span.sr-only", {}, t("search.channel")), this.channel,
        h("span.channel-caret", {}, icon("chevron"))),
      h("span.tool-sep", { "aria-hidden": "true" }),
      this.tools.canned ? this.tools.canned.button(this) : null,
      this.noteButton,
      this.tools.attachments ? this.tools.attachments.button(this) : null,
      this.camera,
      h("span.grow"),
      this.counter,
      h("span.compose-hint", {}, this.room === "private" ? `${t("composer.hint.private")} · ` : "", h("kbd", {}, "Enter"), ` ${t("composer.hint.send")} · `,
        h("kbd", {}, "Shift"), "+", h("kbd", {}, "Enter"), ` ${t("composer.hint.newline")}`));
    const formLabel = t(`composer.form_${this.room}`);
    this.form = h(`form.composer.composer-${this.room}`, { "aria-label": formLabel, novalidate: true },
      this.popover, toolbar, this.emailFields, this.tray,
      h("div.compose-row", {}, this.textarea, this.send), this.smsMeter);
    if (this.room === "private") {
      // Everything here is for agents only: a log note would mean nothing more.
      this.noteButton.hidden = true;
    }
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    this.form.addEventListener("keydown", (e) => {
      if (e.altKey && (e.key === "n" || e.key === "N") && this.room === "public") {
        e.preventDefault();
        this.toggleNote();
      }
    });
    if (this.room === "private") {
      this.mentions = new MentionPicker(this);
      this.bots = new BotPicker(this);
    }
    this.el = this.form;
    const draft = drafts.get(this.draftKey());
    if (draft) {
      this.textarea.value = draft;
      this.lastTyping = Date.now(); // coming back is not typing
      queueMicrotask(() => this.changed());
    }
  }

  draftKey() {
    return `${this.issue.id}:${this.room}`;
  }

  /** This Issue's reply channels (each with why it is unavailable) and the one to start on. */
  setChannels(channels, preferred) {
    this.channel.replaceChildren(...channelOptions(channels));
    const start = channels.find((c) => c.channel === preferred && c.enabled) || channels.find((c) => c.enabled);
    if (start) this.channel.value = start.channel;
    this.channelIcon.replaceChildren(icon(this.channel.value || "chat"));
    this.emailFields.hidden = this.channel.value !== "email";
    this.showSmsMeter();
  }

  /**
   * The private room's channels also offer a text to each colleague who gave a
   * mobile number (`sms:<agent id>`; never a Customer from here).
   */
  setColleagues(colleagues) {
    const texts = colleagues.map((c) => h("option", { value: `sms:${c.agent_id}` }, t("composer.sms_to", { name: c.name })));
    this.channel.append(...texts);
  }

  /** Under the box while SMS is chosen: parts, encoding and characters, and that files go as links. */
  showSmsMeter() {
    const value = this.channel.value;
    const texting = (this.room === "public" && value === "sms") || value.startsWith("sms:");
    const on = texting && !this.note;
    this.smsMeter.hidden = !on;
    if (!on) return;
    const count = smsSegments(this.textarea.value.trim());
    const parts = t("composer.sms.segments", { count: count.segments });
    const left = count.segments ? count.segments * count.perSegment - count.units : count.perSegment;
    const encoding = t(count.encoding === "UCS-2" ? "composer.sms.encoding_unicode" : "composer.sms.encoding", { encoding: count.encoding });
    this.smsMeter.replaceChildren(
      h("span.sms-segments", {}, parts),
      h("span.sms-encoding", { title: encoding }, count.encoding),
      h("span.sms-units", {}, t("composer.sms.units", { used: count.units, max: Math.max(count.segments, 1) * count.perSegment })),
      h("span.sms-left", {}, left > 0 ? t("composer.sms.left", { count: left }) : ""),
      h("span.sms-files", {}, t("composer.sms.files")),
    );
  }

  label() {
    if (this.note) return t("composer.label.note");
    return t(`composer.label.${this.room}`);
  }

  placeholder() {
    if (this.note) return t("composer.placeholder.note");
    return t(`composer.placeholder.${this.room}`);
  }

  toggleNote(on = !this.note) {
    this.note = on;
    this.form.classList.toggle("is-note", on);
    this.noteButton.setAttribute("aria-pressed", String(on));
    this.textarea.placeholder = this.placeholder();
    this.textarea.setAttribute("aria-label", this.label());
    this.send.setAttribute("aria-label", on ? t("composer.add_note") : t("composer.send_label"));
    this.send.querySelector(".send-label").textContent = on ? t("composer.add_note") : t("composer.send");
    this.showSmsMeter();
    this.textarea.focus();
  }

  /** Put text in the box (a canned response), ready to edit. */
  insert(text, { replace = false } = {}) {
    const box = this.textarea;
    if (replace || !box.value.trim()) box.value = text;
    else {
      const start = box.selectionStart;
      box.value = box.value.slice(0, start) + text + box.value.slice(box.selectionEnd);
      box.selectionStart = box.selectionEnd = start + text.length;
    }
    this.changed();
    box.focus();
  }

  keys(event) {
    if (this.mentions?.handleKey(event)) return;
    if (this.bots?.handleKey(event)) return;
    if (this.tools.canned?.handleKey?.(event, this)) return;
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.submit();
    }
  }

  changed() {
    const box = this.textarea;
    box.style.height = "auto";
    box.style.height = `${Math.min(box.scrollHeight, 220)}px`;
    this.count();
    this.send.disabled = !this.ready();
    if (box.value) drafts.set(this.draftKey(), box.value);
    else drafts.delete(this.draftKey());
    this.mentions?.update();
    this.bots?.update();
    this.tools.canned?.typed?.(this);
    this.showSmsMeter();
    const now = Date.now();
    if (box.value && !this.note && now - this.lastTyping > TYPING_EVERY_MS) {
      this.lastTyping = now;
      this.stream.typing(this.issue.id, this.room);
    }
  }

  /** Shown from 90% of the limit; over it, the box is marked invalid. */
  count() {
    if (!this.maxChars) return;
    const used = this.textarea.value.trim().length;
    const over = used > this.maxChars;
    this.counter.hidden = used < this.maxChars * 0.9;
    this.counter.textContent = this.counter.hidden ? "" : over
      ? t("composer.over_limit", { count: used - this.maxChars, max: this.maxChars })
      : `${used} / ${this.maxChars}`;
    this.counter.classList.toggle("char-over", over);
    if (over) {
      this.textarea.setAttribute("aria-invalid", "true");
      this.textarea.setAttribute("aria-describedby", this.counter.id);
    } else {
      this.textarea.removeAttribute("aria-invalid");
      this.textarea.removeAttribute("aria-describedby");
    }
  }

  tooLong() {
    return this.maxChars > 0 && this.textarea.value.trim().length > this.maxChars;
  }

  ready() {
    if (this.tooLong()) return false;
    const files = this.tools.attachments?.count?.(this) || 0;
    if (files && this.tools.attachments.blocked(this)) return false;
    if (this.isEmail() && this.room === "private" && !this.to.value.trim()) return false;
    return Boolean(this.textarea.value.trim()) || files > 0;
  }

  submit() {
    if (!this.ready()) return;
    if (this.cannedPicker) this.tools.canned.close(this, { focus: false });
    const body = this.textarea.value.trim();
    const files = this.tools.attachments?.take?.(this) || [];
    const email = this.isEmail() ? this.emailValue() : null;
    this.onSend({ room: this.room, body, kind: this.note ? "note" : "message", channel: this.channel.value, files, email });
    this.textarea.value = "";
    if (email) for (const input of [this.subject, this.to, this.cc]) input.value = "";
    this.lastTyping = 0;
    this.changed();
  }

  focus() {
    this.textarea.focus();
  }

  isEmail() {
    return this.channel.value === "email" && !this.note;
  }

  emailValue() {
    const list = (input) => input.value.split(/[,;\s]+/).map((a) => a.trim()).filter(Boolean);
    const email = { subject: this.subject.value.trim() || null };
    if (this.room === "private") Object.assign(email, { to: list(this.to), cc: list(this.cc) });
    return email;
  }

  showPopover(content) {
    this.popover.replaceChildren(content || "");
    this.popover.classList.toggle("open", Boolean(content));
  }
}

function channelOptions(channels) {
  return channels.filter((c) => c.channel !== "video").map((c) =>
    h("option", { value: c.channel, disabled: !c.enabled, title: c.reason || null },
      c.enabled ? t(`channel.${c.channel}`) : `${t(`channel.${c.channel}`)} — ${c.reason}`));
}

export { avatar };
