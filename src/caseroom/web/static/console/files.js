// The Issue's files: every attachment from either room (who sent it, when,
// where) and the transcripts filed on each resolution, beside the timeline.

import { get } from "./api.js";
import { bytes, clock, dayLabel, h, icon } from "./dom.js";
import { t } from "./i18n.js";

const OPEN_KEY = "caseroom.console.files-open";
// Beside the timeline when there is room; over it (closed until asked for) when not.
const WIDE = window.matchMedia("(min-width: 1181px)");

export class FilesPanel {
  panel(view) {
    const body = h("div.files-body");
    const aside = h("aside.files-panel", { id: "files-panel", "aria-label": t("files.panel"), hidden: !this.isOpen() },
      h("header.files-head", {}, h("h2", {}, icon("files"), t("files.title")),
        h("button.btn.btn-icon.btn-ghost.btn-sm.files-close", { type: "button", "aria-label": t("files.close"), onclick: () => this.setOpen(view, false, { focus: true }) }, icon("x"))),
      body);
    // Over the timeline (a narrow screen), Esc closes the panel before anything else.
    aside.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && !WIDE.matches) {
        e.preventDefault();
        e.stopPropagation();
        this.setOpen(view, false, { focus: true });
      }
    });
    view.filesBody = body;
    view.filesAside = aside;
    if (this.isOpen()) this.refresh(view);
    return aside;
  }

  toggle(view) {
    const open = this.isOpen();
    return h("button.btn.btn-ghost", {
      type: "button", "aria-controls": "files-panel", "aria-expanded": String(open), dataset: { action: "files" },
      onclick: () => this.setOpen(view, !this.isOpen(), { focus: true }),
    }, icon("files"), t("files.title"));
  }

  isOpen() {
    if (!WIDE.matches) return Boolean(this.openHere);
    return localStorage.getItem(OPEN_KEY) !== "closed";
  }

  /** `focus`: the keyboard follows — into the panel when it covers the timeline,
   * back to the Files button when it closes. */
  setOpen(view, open, { focus = false } = {}) {
    if (WIDE.matches) localStorage.setItem(OPEN_KEY, open ? "open" : "closed");
    else this.openHere = open;
    view.filesAside.hidden = !open;
    const toggle = view.header.querySelector('[data-action="files"]');
    toggle?.setAttribute("aria-expanded", String(open));
    if (open) this.refresh(view);
    if (!focus) return;
    if (!open) toggle?.focus();
    else if (!WIDE.matches) view.filesAside.querySelector(".files-close").focus();
  }

  changed(view, frame) {
    if (frame.type === "transcript.filed" || frame.type === "message.created") this.refreshSoon(view);
  }

  refreshSoon(view) {
    clearTimeout(view.filesTimer);
    view.filesTimer = setTimeout(() => this.refresh(view), 200);
  }

  async refresh(view) {
    if (!view.filesBody || view.filesAside.hidden) return;
    const [attachments, transcripts] = await Promise.all([
      get(`/issues/${view.issueId}/attachments`).then((r) => r.items).catch(() => null),
      get(`/issues/${view.issueId}/transcripts`).then((r) => r.items).catch(() => null),
    ]);
    view.filesBody.replaceChildren(
      h("section.files-section", { "aria-labelledby": "attachments-title" },
        h("h3", { id: "attachments-title" }, t("files.attachments"), attachments ? h("span.count-soft", {}, attachments.length) : null),
        attachmentRows(attachments)),
      h("section.files-section", { "aria-labelledby": "transcripts-title" },
        h("h3", { id: "transcripts-title" }, t("files.transcripts")),
        transcriptRows(transcripts)));
  }
}

function attachmentRows(items) {
  if (items === null) return h("p.files-empty", {}, t("files.attachments_failed"));
  if (!items.length) return h("p.files-empty", {}, t("files.attachments_empty"));
  return h("ul.file-rows", {}, [...items].reverse().map((a) => h("li.file-row", {},
    h("span.file-icon", {}, icon("file")),
    h("div.file-main", {},
      h("a.file-title", { href: `${a.download_path}?download=true`, download: a.filename, title: a.filename }, a.filename),
      h("span.file-meta", {}, `${a.sender.name} · ${dayLabel(a.created_at)} ${clock(a.created_at)} · ${bytes(a.size)}`)),
    h(`span.room-tag.room-${a.room}`, { title: t(`files.sent_in.${a.room}`) },
      icon(a.room === "private" ? "lock" : "globe"), t(`issue.room.${a.room}`)))));
}

function transcriptRows(items) {
  if (items === null) return h("p.files-empty", {}, t("files.transcripts_failed"));
  if (!items.length) return h("p.files-empty", {}, t("files.transcripts_empty"));
  const versions = new Map();
  for (const transcript of items) {
    if (!versions.has(transcript.version)) versions.set(transcript.version, []);
    versions.get(transcript.version).push(transcript);
  }
  return h("ul.transcripts", {}, [...versions.entries()].sort((a, b) => b[0] - a[0]).map(([version, files]) => {
    const resolved = files[0].resolved_at;
    const link = (room, format) => {
      const file = files.find((f) => f.room === room && f.format === format);
      return file ? h("a.transcript-link", { href: file.download_path, target: "_blank", rel: "noopener", title: `${file.filename} (${bytes(file.size)})` }, format.toUpperCase()) : null;
    };
    return h("li.transcript", {},
      h("div.transcript-head", {}, h("strong", {}, t("files.version", { version })), h("span.file-meta", {}, t("files.resolved", { when: `${dayLabel(resolved)} ${clock(resolved)}` }))),
      ["public", "private"].map((room) => h("div.transcript-room", {},
        icon(room === "private" ? "lock" : "globe"), h("span", {}, t(`files.room.${room}`)),
        h("span.grow"), link(room, "html"), link(room, "pdf"))));
  }));
}
