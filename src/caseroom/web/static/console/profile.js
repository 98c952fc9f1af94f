// The agent's own settings from the sidebar: the console's language (kept with
// the agent, so it follows them to every device) and, on the "me" card, the
// agent's mobile number: colleagues may text it from an Issue's private room, and the
// agent's answers by SMS land there; the server normalizes the number (or says
// why not).

import { get, put } from "./api.js";
import { h, icon, toast } from "./dom.js";
import { LANGUAGES, pickLocale, setLocale, t } from "./i18n.js";

/** A dialog of the console's languages (and "the browser's"); a choice applies at once and is saved. */
export function languageButton(directory) {
  const error = h("p.form-error", { role: "alert", hidden: true });
  const dialog = h("dialog.me-language", { "aria-labelledby": "me-language-title" });
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  const choose = async (locale) => {
    error.hidden = true;
    try {
      const saved = await put("/me/locale", { locale });
      directory.locale = saved.locale;
      close();
      await setLocale(pickLocale(saved.locale)); // the console is drawn again in it
      toast(t("profile.language.saved", { language: LANGUAGES[pickLocale(saved.locale)] }));
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  };
  const option = (value, label, lang) => {
    const input = h("input", { type: "radio", name: "console-language", value: value ?? "", checked: directory.locale === value });
    input.addEventListener("change", () => choose(value));
    return h("label.language-option", { lang }, input, label);
  };
  const browser = LANGUAGES[pickLocale(null)];
  dialog.append(h("form", { method: "dialog" },
    h("h2", { id: "me-language-title" }, t("profile.language.title")),
    h("fieldset.language-options", {},
      h("legend.sr-only", {}, t("profile.language.title")),
      option(null, t("profile.language.browser", { language: browser })),
      Object.entries(LANGUAGES).map(([code, name]) => option(code, name, code))),
    h("p.hint", {}, t("profile.language.hint")),
    error,
    h("div.dialog-actions", {}, h("button.btn", { type: "button", onclick: close }, t("common.close")))));
  dialog.addEventListener("close", () => dialog.remove());
  return h("button.btn.btn-icon.btn-ghost.alerts-button", {
    type: "button", "aria-label": t("profile.language.button"), title: t("profile.language.button"), "aria-haspopup": "dialog",
    onclick: () => {
      if (!dialog.isConnected) document.body.append(dialog);
      error.hidden = true;
      dialog.showModal();
      dialog.querySelector("input:checked")?.focus();
    },
  }, icon("globe"));
}

export function mobileButton() {
  const input = h("input", { id: "me-mobile", type: "tel", autocomplete: "tel", placeholder: t("profile.mobile.placeholder") });
  const error = h("p.form-error", { role: "alert", hidden: true });
  const dialog = h("dialog.me-mobile", { "aria-labelledby": "me-mobile-title" });
  const close = () => dialog.close();
  const form = h("form", { method: "dialog", novalidate: true },
    h("h2", { id: "me-mobile-title" }, t("profile.mobile.title")),
    h("p.hint", {}, t("profile.mobile.hint")),
    h("label", { for: "me-mobile" }, t("profile.mobile.label")), input, error,
    h("div.dialog-actions", {},
      h("button.btn", { type: "button", onclick: close }, t("common.cancel")),
      h("button.btn.btn-primary", { type: "submit" }, t("common.save"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      const saved = await put("/me/mobile", { number: input.value.trim() || null });
      input.value = saved.number || "";
      toast(saved.number ? t("profile.mobile.saved", { number: saved.number }) : t("profile.mobile.removed"));
      close();
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  });
  dialog.append(form);
  const button = h("button.btn.btn-icon.btn-ghost", {
    type: "button", "aria-label": t("profile.mobile.title"), title: t("profile.mobile.title"), "aria-haspopup": "dialog",
    onclick: async () => {
      if (!dialog.isConnected) document.body.append(dialog);
      error.hidden = true;
      try {
        input.value = (await get("/me/mobile")).number || "";
      } catch {
        input.value = "";
      }
      dialog.showModal();
      input.focus();
    },
  }, icon("sms"));
  return button;
}
