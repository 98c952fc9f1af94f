// Attach files: a button and drag-and-drop onto the room, the server's limits
// shown before anything is uploaded, a tray of what goes with the next message,
// and an upload with progress that is retried with the same idempotency key.

import { upload } from "./api.js";
import { bytes, h, icon, toast } from "./dom.js";
import { t } from "./i18n.js";

export class AttachmentsTool {
  constructor(limits) {
    this.limits = limits;
    this.trays = new WeakMap(); // composer -> [{ file, error }]
  }

  summary() {
    const { max_files_per_message: count, max_file_bytes: size } = this.limits;
    return t("attach.summary", { count, size: bytes(size) });
  }

  button(composer) {
    const input = h("input", { type: "file", multiple: true, hidden: true, tabindex: "-1", "aria-hidden": "true" });
    input.addEventListener("change", () => {
      this.add(composer, [...input.files]);
      input.value = "";
    });
    const button = h("button.tool.tool-attach", {
      type: "button", "aria-label": `${t("attach.button")}. ${this.summary()}`, dataset: { tip: `${t("attach.button")} · ${this.summary()}` },
      onclick: () => input.click(),
    }, icon("paperclip"), input);
    this.trays.set(composer, []);
    return button;
  }

  /** Files dropped anywhere on `zone` (the room's panel) go to `composer`. */
  dropZone(zone, composer) {
    const overlay = h("div.drop-overlay", { "aria-hidden": "true" },
      h("div.drop-card", {}, icon("paperclip"), h("strong", {}, t("attach.drop")), h("span", {}, this.summary())));
    zone.append(overlay);
    let depth = 0;
    const hasFiles = (e) => [...(e.dataTransfer?.types || [])].includes("Files");
    zone.addEventListener("dragenter", (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth += 1;
      zone.classList.add("is-dropping");
    });
    zone.addEventListener("dragover", (e) => {
      if (hasFiles(e)) e.preventDefault();
    });
    zone.addEventListener("dragleave", () => {
      depth = Math.max(0, depth - 1);
      if (!depth) zone.classList.remove("is-dropping");
    });
    zone.addEventListener("drop", (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      zone.classList.remove("is-dropping");
      this.add(composer, [...e.dataTransfer.files]);
    });
  }

  add(composer, files) {
    const tray = this.trays.get(composer);
    const room = this.limits.max_files_per_message - tray.length;
    if (files.length > room) {
      toast(t("attach.too_many", { count: this.limits.max_files_per_message }), "error");
      files = files.slice(0, Math.max(0, room));
    }
    for (const file of files) {
      const error = file.size > this.limits.max_file_bytes
        ? t("attach.too_large", { size: bytes(file.size), limit: bytes(this.limits.max_file_bytes) })
        : file.size === 0 ? t("attach.empty") : null;
      tray.push({ file, error });
    }
    this.renderTray(composer);
    composer.changed();
    composer.focus();
  }

  remove(composer, index) {
    this.trays.get(composer).splice(index, 1);
    this.renderTray(composer);
    composer.changed();
    composer.focus();
  }

  renderTray(composer) {
    const tray = this.trays.get(composer);
    composer.tray.hidden = tray.length === 0;
    composer.tray.replaceChildren(
      ...tray.map(({ file, error }, i) => h(`div.file-chip${error ? ".file-chip-error" : ""}`, {},
        icon(error ? "alert" : "file"),
        h("span.file-name", { title: file.name }, file.name),
        h("span.file-size", {}, error || bytes(file.size)),
        h("button.chip-remove", { type: "button", "aria-label": t("attach.remove", { name: file.name }), onclick: () => this.remove(composer, i) }, icon("x")))),
      h("span.tray-limits", {}, this.summary()));
  }

  count(composer) {
    return (this.trays.get(composer) || []).length;
  }

  /** Ready to send only when every file is within the limits. */
  blocked(composer) {
    return (this.trays.get(composer) || []).some((f) => f.error);
  }

  take(composer) {
    const files = (this.trays.get(composer) || []).map((f) => f.file);
    this.trays.set(composer, []);
    this.renderTray(composer);
    return files;
  }

  /** How the outbox sends a message with files: one multipart request. */
  transport(issueId, room, files) {
    return (item, progress) => {
      const form = new FormData();
      form.append("body", item.body);
      form.append("kind", item.kind);
      form.append("idempotency_key", item.key);
      for (const file of files) form.append("files", file, file.name);
      return upload(`/issues/${issueId}/rooms/${room}/attachments`, form, progress);
    };
  }
}

const IMAGE = /^image\/(png|jpeg|gif|webp)$/;

/** The files a message carries, as the timeline shows them. */
export function fileList(attachments) {
  if (!attachments || !attachments.length) return null;
  return h("div.files", {}, attachments.map((a) => IMAGE.test(a.content_type)
    ? h("a.file-thumb", { href: a.download_path, target: "_blank", rel: "noopener", title: `${a.filename} (${bytes(a.size)})` },
        h("img", { src: a.download_path, alt: a.filename, loading: "lazy" }))
    : h("a.file-chip.file-link", { href: `${a.download_path}?download=true`, download: a.filename },
        icon("file"), h("span.file-name", {}, a.filename), h("span.file-size", {}, bytes(a.size)), icon("download"))));
}
