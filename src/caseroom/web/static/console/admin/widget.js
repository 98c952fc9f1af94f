// The chat widget: its look, greeting and the sites that may show it, with a live
// preview of the unsaved changes and the snippets to paste into a site or an app.

import { get, patch } from "../api.js";
import { h, icon, toast } from "../dom.js";
import { t } from "../i18n.js";
import { attempt, field, sectionHead, secretBox, select } from "./ui.js";

/** White or ink, whichever reads better on `color` (as the server picks it). */
function textOn(color) {
  const channel = (i) => {
    const v = parseInt(color.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const lum = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  const contrast = (a, b) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  return contrast(lum, 1) >= contrast(lum, 0.0093) ? "#ffffff" : "#111827";
}

function preview() {
  const title = h("strong.preview-title");
  const greeting = h("p.preview-greeting");
  const head = h("div.preview-head", {}, title);
  const launcher = h("span.preview-launcher", { "aria-hidden": "true" }, icon("chat"));
  const panel = h("div.preview-panel", {}, head, h("div.preview-body", {}, greeting,
    h("span.preview-field", {}, t("admin.widget.preview.name")), h("span.preview-field", {}, t("admin.widget.preview.contact")),
    h("span.preview-button", {}, t("admin.widget.preview.start"))));
  const stage = h("div.preview-stage", { role: "img", "aria-label": t("admin.widget.preview") }, panel, launcher);
  const show = ({ color, title: text, greeting: hello, position }) => {
    const valid = /^#[0-9a-f]{6}$/i.test(color) ? color : "#2563eb";
    for (const el of [head, launcher]) {
      el.style.setProperty("background", valid);
      el.style.setProperty("color", textOn(valid.toLowerCase()));
    }
    panel.querySelector(".preview-button").style.setProperty("background", valid);
    panel.querySelector(".preview-button").style.setProperty("color", textOn(valid.toLowerCase()));
    title.textContent = text || t("admin.widget.preview.title");
    greeting.textContent = hello;
    stage.classList.toggle("left", position === "left");
  };
  return { el: stage, show };
}

function snippets(slug) {
  const origin = location.origin;
  const site = `<script src="${origin}/widget.js" data-org="${slug}" async></script>`;
  const app = `<iframe src="${origin}/embed/${slug}" title="${t("admin.widget.frame_title")}" allow="camera; microphone; clipboard-write"></iframe>`;
  return h("div.snippets", {},
    secretBox(t("admin.widget.snippet.site"), site, t("admin.widget.snippet.site_note")),
    secretBox(t("admin.widget.snippet.app"), app, t("admin.widget.snippet.app_note", { connect: `${origin}/connect/${slug}` })));
}

export async function widgetSection({ directory }) {
  const current = await get("/settings/widget");
  const color = field(t("admin.widget.color"), { value: current.color, "data-hint": t("admin.widget.color_hint"), pattern: "#[0-9a-fA-F]{6}" });
  const picker = h("input.color-swatch", { type: "color", value: current.color, "aria-label": t("admin.widget.color_pick") });
  const position = field(t("admin.widget.position"), {}, select([["right", t("admin.widget.position.right")], ["left", t("admin.widget.position.left")]], current.position));
  const title = field(t("admin.title_field"), { value: current.title, maxlength: "80" });
  const greeting = field(t("admin.greeting"), { "data-hint": t("admin.widget.greeting_hint") }, h("textarea", { rows: "3", maxlength: "300" }));
  greeting.input.value = current.greeting;
  const sites = field(t("admin.widget.sites"), { "data-hint": t("admin.widget.sites_hint") },
    h("textarea", { rows: "3", spellcheck: "false" }));
  sites.input.value = current.allowed_sites.join("\n");
  const error = h("p.form-error", { role: "alert" });
  const look = preview();
  const values = () => ({
    color: color.input.value.trim(), position: position.input.value, title: title.input.value, greeting: greeting.input.value,
    allowed_sites: sites.input.value.split(/\s+/).filter(Boolean),
  });
  const redraw = () => look.show(values());
  picker.addEventListener("input", () => {
    color.input.value = picker.value;
    redraw();
  });
  color.input.addEventListener("input", () => {
    if (/^#[0-9a-f]{6}$/i.test(color.input.value.trim())) picker.value = color.input.value.trim();
    redraw();
  });
  for (const input of [position.input, title.input, greeting.input]) input.addEventListener("input", redraw);
  redraw();

  const form = h("form.admin-form.widget-form", { "aria-label": t("admin.section.widget") },
    h("div.widget-edit", {},
      h("div.widget-fields", {}, h("div.color-row", {}, color.el, picker), position.el, title.el, greeting.el, sites.el, error,
        h("div.form-actions", {}, h("button.btn.btn-primary", { type: "submit" }, t("admin.widget.save")))),
      look.el));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const saved = await attempt(error, () => patch("/settings/widget", values()),
      { color: color.input, position: position.input, title: title.input, greeting: greeting.input, allowed_sites: sites.input });
    if (saved) {
      sites.input.value = saved.allowed_sites.join("\n");
      toast(t("admin.widget.saved"));
    }
  });
  return h("div.admin-section", { id: "admin-widget" },
    sectionHead(t("admin.section.widget"), t("admin.widget.intro")),
    form, snippets(directory.org.slug));
}
