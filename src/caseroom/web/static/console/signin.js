// The sign-in screen.

import { ApiError, post } from "./api.js";
import { h, icon } from "./dom.js";
import { t } from "./i18n.js";

export function signInView(onSignedIn) {
  const error = h("p.form-error", { id: "signin-error", role: "alert" });
  const email = h("input", {
    id: "signin-email", type: "email", name: "email", autocomplete: "username", required: true,
    placeholder: t("signin.email_placeholder"),
  });
  const password = h("input", {
    id: "signin-password", type: "password", name: "password", autocomplete: "current-password",
    required: true,
  });
  const organization = h("input", {
    id: "signin-org", name: "organization", autocomplete: "organization", placeholder: t("signin.org_placeholder"),
  });
  const orgField = h("div.field", { hidden: true },
    h("label", { for: "signin-org" }, t("signin.organization")), organization);
  const submit = h("button.btn.btn-primary.btn-block", { type: "submit" }, t("signin.submit"));

  const form = h("form.signin-card", { "aria-describedby": "signin-error", novalidate: true },
    h("div.brand.brand-large", {}, h("span.brand-mark", {}, icon("chat")), h("span", {}, "caseroom")),
    h("h1", {}, t("signin.title")),
    h("p.muted", {}, t("signin.tagline")),
    h("div.field", {}, h("label", { for: "signin-email" }, t("signin.email")), email),
    h("div.field", {}, h("label", { for: "signin-password" }, t("signin.password")), password),
    orgField,
    error,
    submit,
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!email.value || !password.value) {
      error.textContent = t("signin.missing");
      return;
    }
    submit.disabled = true;
    submit.textContent = t("signin.signing_in");
    try {
      await post("/auth/login", {
        email: email.value.trim(),
        password: password.value,
        organization: organization.value.trim() || null,
      });
      onSignedIn();
    } catch (e) {
      if (e instanceof ApiError && e.problem.field === "organization") {
        orgField.hidden = false;
        organization.focus();
      }
      error.textContent = e.status === 401 ? t("signin.wrong") : e.message;
      submit.disabled = false;
      submit.textContent = t("signin.submit");
    }
  });

  const page = h("main.signin", {}, form,
    h("p.signin-foot.muted", {}, t("signin.foot"), " · ", h("a", { href: "/docs" }, t("signin.api_docs"))));
  queueMicrotask(() => email.focus());
  return page;
}
