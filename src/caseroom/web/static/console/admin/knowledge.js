// Knowledge articles: Markdown, tags and a team; published ones are what agents'
// #kb and the welcome bot search, and what Customers are linked to.

import { del, get, post, put } from "../api.js";
import { clear, h, toast } from "../dom.js";
import { t } from "../i18n.js";
import { attempt, field, sectionHead, table } from "./ui.js";

function articleForm(article, onSave, onCancel) {
  const title = field(t("admin.title_field"), { value: article?.title || "", required: true });
  const tags = field(t("admin.knowledge.tags"), { value: (article?.tags || []).join(", "), placeholder: t("admin.knowledge.tags_placeholder") });
  const body = field(t("admin.knowledge.text"), {}, h("textarea", { rows: "6", required: true }));
  body.input.value = article?.body || "";
  const published = h("input", { type: "checkbox", checked: article ? article.published : true });
  const error = h("p.form-error", { role: "alert" });
  const form = h(article ? "form.inline-form" : "form.admin-form", { "aria-label": article ? t("admin.edit_named", { name: article.title }) : t("admin.knowledge.new") },
    article ? null : h("h3", {}, t("admin.knowledge.new")),
    h("div.form-row", {}, title.el, tags.el), body.el, h("label.check", {}, published, t("admin.knowledge.published")), error,
    h("div.form-actions", {}, h("button.btn.btn-primary", { type: "submit" }, article ? t("common.save") : t("admin.knowledge.add")),
      onCancel ? h("button.btn.btn-sm", { type: "button", onclick: onCancel }, t("common.cancel")) : null));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = {
      title: title.input.value, body: body.input.value, published: published.checked,
      tags: tags.input.value.split(",").map((tag) => tag.trim()).filter(Boolean),
    };
    const saved = await attempt(error, () => onSave(data), { title: title.input, body: body.input, tags: tags.input });
    if (saved && !article) form.reset();
  });
  return form;
}

export async function knowledgeSection({ directory }) {
  const el = h("div.admin-section", { id: "admin-knowledge" });
  const rows = h("tbody");
  const reload = async () => render(await get("/articles"));
  const render = (list) => clear(rows, list.length ? list.map((article) => {
    const row = h("tr", {},
      h("th", { scope: "row" }, article.published
        ? h("a", { href: `/kb/${directory.org.slug}/${article.id}`, target: "_blank", rel: "noopener" }, article.title)
        : article.title),
      h("td", {}, article.tags.join(", ")),
      h("td", {}, article.published ? t("admin.knowledge.state.published") : t("admin.knowledge.state.draft")),
      h("td", {}, h("div.row-actions", {},
        h("button.btn.btn-sm", { type: "button", onclick: () => {
          const editRow = h("tr.edit-row", {}, h("td", { colspan: "4" }, articleForm(article, async (data) => {
            const saved = await put(`/articles/${article.id}`, data);
            toast(t("admin.saved", { name: saved.title }));
            await reload();
            return saved;
          }, () => editRow.remove())));
          row.after(editRow);
        } }, t("admin.edit")),
        h("button.btn.btn-sm.btn-ghost-danger", { type: "button", onclick: async () => {
          if (!confirm(t("admin.knowledge.delete_confirm", { title: article.title }))) return;
          await del(`/articles/${article.id}`);
          await reload();
        } }, t("admin.delete")))));
    return row;
  }) : h("tr", {}, h("td.muted", { colspan: "4" }, t("admin.knowledge.none"))));
  await reload();
  el.append(
    sectionHead(t("admin.section.knowledge"), t("admin.knowledge.intro")),
    table([t("admin.title_field"), t("admin.knowledge.tags"), t("admin.state"), ""], rows, t("admin.knowledge.articles")),
    articleForm(null, async (data) => {
      const made = await post("/articles", data);
      toast(t("admin.added", { name: made.title }));
      await reload();
      return made;
    }));
  return el;
}
