// The agent's own mobile number: colleagues may text it from an Issue's private
// room, and the agent's answers by SMS land there. A small dialog from the
// sidebar's "me" card; the server normalizes the number (or says why not).

import { get, put } from "./api.js";
import { h, icon, toast } from "./dom.js";

export function mobileButton() {
  const input = h("input", { id: "me-mobile", type: "tel", autocomplete: "tel", placeholder: "+1 415 555 0100" });
  const error = h("p.form-error", { role: "alert", hidden: true });
  const dialog = h("dialog.me-mobile", { "aria-labelledby": "me-mobile-title" });
  const close = () => dialog.close();
  const form = h("form", { method: "dialog", novalidate: true },
    h("h2", { id: "me-mobile-title" }, "Your mobile number"),
    h("p.hint", {}, "Colleagues can text you here from an Issue's private room; your answer lands there."),
    h("label", { for: "me-mobile" }, "Mobile number"), input, error,
    h("div.dialog-actions", {},
      h("button.btn", { type: "button", onclick: close }, "Cancel"),
      h("button.btn.btn-primary", { type: "submit" }, "Save")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      const saved = await put("/me/mobile", { number: input.value.trim() || null });
      input.value = saved.number || "";
      toast(saved.number ? `Colleagues can text you at ${saved.number}` : "Mobile number removed");
      close();
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  });
  dialog.append(form);
  const button = h("button.btn.btn-icon.btn-ghost", {
    type: "button", "aria-label": "Your mobile number", title: "Your mobile number", "aria-haspopup": "dialog",
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
