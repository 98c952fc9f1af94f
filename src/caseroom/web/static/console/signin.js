// The sign-in screen.

import { ApiError, post } from "./api.js";
import { h, icon } from "./dom.js";

export function signInView(onSignedIn) {
  const error = h("p.form-error", { id: "signin-error", role: "alert" });
  const email = h("input", {
    id: "signin-email", type: "email", name: "email", autocomplete: "username", required: true,
    placeholder: "you@company.com",
  });
  const password = h("input", {
    id: "signin-password", type: "password", name: "password", autocomplete: "current-password",
    required: true,
  });
  const organization = h("input", {
    id: "signin-org", name: "organization", autocomplete: "organization", placeholder: "e.g. demo",
  });
  const orgField = h("div.field", { hidden: true },
    h("label", { for: "signin-org" }, "Organization"), organization);
  const submit = h("button.btn.btn-primary.btn-block", { type: "submit" }, "Sign in");

  const form = h("form.signin-card", { "aria-describedby": "signin-error", novalidate: true },
    h("div.brand.brand-large", {}, h("span.brand-mark", {}, icon("chat")), h("span", {}, "caseroom")),
    h("h1", {}, "Sign in to the console"),
    h("p.muted", {}, "Every request is an Issue. Pick one up and start helping."),
    h("div.field", {}, h("label", { for: "signin-email" }, "Work email"), email),
    h("div.field", {}, h("label", { for: "signin-password" }, "Password"), password),
    orgField,
    error,
    submit,
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!email.value || !password.value) {
      error.textContent = "Enter your email and password.";
      return;
    }
    submit.disabled = true;
    submit.textContent = "Signing in…";
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
      error.textContent = e.status === 401 ? "Wrong email or password." : e.message;
      submit.disabled = false;
      submit.textContent = "Sign in";
    }
  });

  const page = h("main.signin", {}, form,
    h("p.signin-foot.muted", {}, "Self-hosted support desk · ", h("a", { href: "/docs" }, "API docs")));
  queueMicrotask(() => email.focus());
  return page;
}
