// Knowledge articles: Markdown, tags and a team; published ones are what agents'
// #kb and the welcome bot search, and what Customers are linked to.

import { del, get, post, put } from "../api.js";
import { clear, h, toast } from "../dom.js";
import { attempt, field, sectionHead, table } from "./ui.js";

function articleForm(article, onSave, onCancel) {
  const title = field("Title", { value: article?.title || "", required: true });
  const tags = field("Tags", { value: (article?.tags || []).join(", "), placeholder: "billing, invoices" });
  const body = field("Text (Markdown)", {}, h("textarea", { rows: "6", required: true }));
  body.input.value = article?.body || "";
  const published = h("input", { type: "checkbox", checked: article ? article.published : true });
  const error = h("p.form-error", { role: "alert" });
  const form = h(article ? "form.inline-form" : "form.admin-form", { "aria-label": article ? `Edit ${article.title}` : "New article" },
    article ? null : h("h3", {}, "New article"),
    h("div.form-row", {}, title.el, tags.el), body.el, h("label.check", {}, published, "Published"), error,
    h("div.form-actions", {}, h("button.btn.btn-primary", { type: "submit" }, article ? "Save" : "Add article"),
      onCancel ? h("button.btn.btn-sm", { type: "button", onclick: onCancel }, "Cancel") : null));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = {
      title: title.input.value, body: body.input.value, published: published.checked,
      tags: tags.input.value.split(",").map((t) => t.trim()).filter(Boolean),
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
      h("td", {}, article.published ? "published" : "draft"),
      h("td", {}, h("div.row-actions", {},
        h("button.btn.btn-sm", { type: "button", onclick: () => {
          const editRow = h("tr.edit-row", {}, h("td", { colspan: "4" }, articleForm(article, async (data) => {
            const saved = await put(`/articles/${article.id}`, data);
            toast(`Saved ${saved.title}`);
            await reload();
            return saved;
          }, () => editRow.remove())));
          row.after(editRow);
        } }, "Edit"),
        h("button.btn.btn-sm.btn-ghost-danger", { type: "button", onclick: async () => {
          if (!confirm(`Delete “${article.title}”?`)) return;
          await del(`/articles/${article.id}`);
          await reload();
        } }, "Delete"))));
    return row;
  }) : h("tr", {}, h("td.muted", { colspan: "4" }, "No articles yet.")));
  await reload();
  el.append(
    sectionHead("Knowledge", "Articles agents find with #kb and the welcome bot answers from. Markdown; raw HTML is not shown."),
    table(["Title", "Tags", "State", ""], rows, "Knowledge articles"),
    articleForm(null, async (data) => {
      const made = await post("/articles", data);
      toast(`Added ${made.title}`);
      await reload();
      return made;
    }));
  return el;
}
