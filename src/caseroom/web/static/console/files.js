// The Issue's files: every attachment from either room (who sent it, when,
// where) and the transcripts filed on each resolution, beside the timeline.

import { get } from "./api.js";
import { bytes, clock, dayLabel, h, icon } from "./dom.js";

const OPEN_KEY = "caseroom.console.files-open";
// Beside the timeline when there is room; over it (closed until asked for) when not.
const WIDE = window.matchMedia("(min-width: 1181px)");

export class FilesPanel {
  panel(view) {
    const body = h("div.files-body");
    const aside = h("aside.files-panel", { id: "files-panel", "aria-label": "Issue files", hidden: !this.isOpen() },
      h("header.files-head", {}, h("h2", {}, icon("files"), "Files"),
        h("button.btn.btn-icon.btn-ghost.btn-sm.files-close", { type: "button", "aria-label": "Close the files panel", onclick: () => this.setOpen(view, false, { focus: true }) }, icon("x"))),
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
    }, icon("files"), "Files");
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
        h("h3", { id: "attachments-title" }, "Attachments", attachments ? h("span.count-soft", {}, attachments.length) : null),
        attachmentRows(attachments)),
      h("section.files-section", { "aria-labelledby": "transcripts-title" },
        h("h3", { id: "transcripts-title" }, "Transcripts"),
        transcriptRows(transcripts)));
  }
}

function attachmentRows(items) {
  if (items === null) return h("p.files-empty", {}, "Attachments could not be loaded.");
  if (!items.length) return h("p.files-empty", {}, "No files yet. Files sent in either room appear here.");
  return h("ul.file-rows", {}, [...items].reverse().map((a) => h("li.file-row", {},
    h("span.file-icon", {}, icon("file")),
    h("div.file-main", {},
      h("a.file-title", { href: `${a.download_path}?download=true`, download: a.filename, title: a.filename }, a.filename),
      h("span.file-meta", {}, `${a.sender.name} · ${dayLabel(a.created_at)} ${clock(a.created_at)} · ${bytes(a.size)}`)),
    h(`span.room-tag.room-${a.room}`, { title: a.room === "private" ? "Sent in the private room" : "Sent in the public room" },
      icon(a.room === "private" ? "lock" : "globe"), a.room === "private" ? "Private" : "Public"))));
}

function transcriptRows(items) {
  if (items === null) return h("p.files-empty", {}, "Transcripts could not be loaded.");
  if (!items.length) return h("p.files-empty", {}, "A transcript of each room is filed here every time the Issue is resolved.");
  const versions = new Map();
  for (const t of items) {
    if (!versions.has(t.version)) versions.set(t.version, []);
    versions.get(t.version).push(t);
  }
  return h("ul.transcripts", {}, [...versions.entries()].sort((a, b) => b[0] - a[0]).map(([version, files]) => {
    const resolved = files[0].resolved_at;
    const link = (room, format) => {
      const file = files.find((f) => f.room === room && f.format === format);
      return file ? h("a.transcript-link", { href: file.download_path, target: "_blank", rel: "noopener", title: `${file.filename} (${bytes(file.size)})` }, format.toUpperCase()) : null;
    };
    return h("li.transcript", {},
      h("div.transcript-head", {}, h("strong", {}, `Version ${version}`), h("span.file-meta", {}, `Resolved ${dayLabel(resolved)} ${clock(resolved)}`)),
      ["public", "private"].map((room) => h("div.transcript-room", {},
        icon(room === "private" ? "lock" : "globe"), h("span", {}, room === "private" ? "Private room" : "Public room"),
        h("span.grow"), link(room, "html"), link(room, "pdf"))));
  }));
}
