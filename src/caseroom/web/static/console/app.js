// The agent console: sign-in, then the inbox and the Issue view side by side
// (stacked on a phone). State lives in the URL fragment: #/<queue>/<issue id>.

import { AdminView, adminNav } from "./admin/admin.js";
import { Alerts } from "./alerts.js";
import { reportButton } from "./ratings.js";
import { showShortcuts } from "./shortcuts.js";
import { cookie, post, whenSignedOut } from "./api.js";
import { avatar, clear, h, icon, toast } from "./dom.js";
import { Directory } from "./directory.js";
import { Inbox } from "./inbox.js";
import { IssueView } from "./issue.js";
import { Outbox } from "./outbox.js";
import { languageButton, mobileButton } from "./profile.js";
import { signInView } from "./signin.js";
import { Presence } from "./presence.js";
import { Stream } from "./stream.js";
import { CallDesk } from "./calls.js";
import { loadTools } from "./tools.js";
import { onLocaleChange, pickLocale, setLocale, t } from "./i18n.js";

const root = document.getElementById("app");
let session = null;

const CONNECTION_TONE = { connecting: "amber", live: "green", reconnecting: "amber", offline: "red" };

async function boot() {
  whenSignedOut(() => signedOut());
  // No session cookie pair: sign in first, without asking the API who we are.
  if (!cookie("caseroom_csrf")) {
    await showSignIn();
    return;
  }
  try {
    const directory = await Directory.load();
    // The agent's own choice of language, else the browser's, before the first render.
    await setLocale(pickLocale(directory.locale));
    await startConsole(directory);
  } catch (error) {
    if (error.status === 401 || error.status === 403) await showSignIn();
    else {
      await setLocale(pickLocale(null));
      clear(root, h("div.fatal", {}, icon("alert"), h("p", {}, t("app.fatal", { error: error.message })),
        h("button.btn.btn-primary", { type: "button", onclick: () => location.reload() }, t("app.try_again"))));
    }
  }
}

async function showSignIn() {
  session?.stop();
  session = null;
  await setLocale(pickLocale(null)); // nobody signed in: the browser's language
  clear(root, signInView(() => boot()));
}

function signedOut() {
  if (!session) return;
  toast(t("app.session_ended"), "error");
  showSignIn();
}

async function startConsole(directory) {
  const stream = new Stream();
  stream.presence = new Presence(stream);
  stream.calls = new CallDesk(stream);
  const outbox = new Outbox();
  const tools = await loadTools(directory);
  const view = { issue: null };

  const open = (issueId, queue) => {
    const target = `#/${queue || inbox.queue}/${issueId}`;
    const already = view.issue?.issueId === issueId;
    if (location.hash !== target) location.hash = target;
    // Opening the Issue already open (from another queue's card) goes to its reply box.
    if (already) view.issue.rooms.public?.composer.focus();
  };
  const inbox = new Inbox({ directory, stream, onOpen: open });
  const alerts = new Alerts({ directory, stream, open });

  const status = h("div.connection", { role: "status", "aria-live": "polite", id: "connection" });
  const banner = h("div.offline-banner", { hidden: true, role: "alert" });
  stream.addEventListener("state", (e) => showConnection(status, banner, e.detail.state));
  stream.addEventListener("unauthenticated", () => signedOut());
  showConnection(status, banner, stream.state);

  const me = directory.me;
  const signOut = h("button.btn.btn-icon.btn-ghost", { type: "button", "aria-label": t("app.sign_out"), title: t("app.sign_out"), onclick: async () => {
    try {
      await post("/auth/logout");
    } finally {
      showSignIn();
    }
  } }, icon("logout"));
  const sidebar = h("aside.sidebar", { "aria-label": t("app.console") },
    h("div.brand", {}, h("span.brand-mark", {}, icon("chat")), h("span.brand-name", {}, "caseroom")),
    h("div.org", { title: t("app.organization") }, directory.org.name),
    inbox.nav,
    me.role === "admin" ? adminNav() : null,
    h("div.grow"),
    h("div.side-tools", {}, alerts.settings(), reportButton(), languageButton(directory)),
    status,
    h("div.me", {}, avatar(me.name, "agent"), h("div.me-text", {}, h("strong", {}, me.name), h("span", {}, me.role === "admin" ? t("app.role.admin") : t("app.role.agent"))), mobileButton(), signOut));
  const issuePane = h("section.issue-pane", { id: "issue-pane", "aria-label": t("app.issue_pane") }, emptyIssue());
  const adminPane = h("div.admin-pane", { id: "admin-pane" });
  const workspace = h("main.workspace", {}, inbox.pane, h("div.issue-column", {}, banner, issuePane), adminPane);
  const shell = h("div.shell", {}, sidebar, workspace);
  clear(root, shell);

  const route = async () => {
    const [, queue, issueId] = location.hash.replace(/^#/, "").split("/");
    const admin = queue === "admin" && me.role === "admin";
    shell.classList.toggle("admin-mode", admin);
    const adminLink = document.getElementById("admin-link");
    if (admin) {
      // The admin screens replace the queues: no queue is the current page.
      for (const link of shell.querySelectorAll(".queue-link[aria-current]")) link.removeAttribute("aria-current");
      adminLink.setAttribute("aria-current", "page");
      view.admin ||= new AdminView({ directory });
      if (!adminPane.firstChild) adminPane.append(view.admin.el);
      await view.admin.show(issueId);
      return;
    }
    adminLink?.removeAttribute("aria-current");
    inbox.select(queue || "unclaimed", issueId);
    shell.classList.toggle("has-issue", Boolean(issueId));
    if (view.issue?.issueId === issueId) return;
    view.issue?.destroy();
    view.issue = null;
    if (!issueId) {
      clear(issuePane, emptyIssue());
      return;
    }
    // Opening an Issue one was mentioned in lands on the (first unread) mention.
    const mention = inbox.unread.find((n) => n.issue_id === issueId);
    inbox.seen(issueId);
    const issueView = new IssueView({
      issueId, directory, stream, outbox, tools,
      onClose: () => {
        location.hash = `#/${inbox.queue}`;
        queueMicrotask(() => inbox.focusCards());
      },
    });
    view.issue = issueView;
    clear(issuePane, issueView.el);
    try {
      await issueView.load();
      // Unless the agent is already at work in it (a picker opened while it loaded).
      if (view.issue === issueView && mention) issueView.land("private", mention.message_id);
      else if (view.issue === issueView && !issueView.el.contains(document.activeElement)) issueView.rooms.public.composer.focus();
    } catch (error) {
      if (view.issue !== issueView) return;
      clear(issuePane, h("div.empty", {}, icon("alert"), h("p", {}, error.status === 404 ? t("app.issue_not_found") : error.message)));
    }
  };
  window.addEventListener("hashchange", route);
  const onKey = (e) => globalKeys(e, inbox, view);
  document.addEventListener("keydown", onKey);

  // Another language: the whole console is drawn again in it, on the same page.
  const offLocale = onLocaleChange(() => {
    session?.stop();
    startConsole(directory);
  });

  session = {
    stop() {
      offLocale();
      window.removeEventListener("hashchange", route);
      document.removeEventListener("keydown", onKey);
      inbox.stop();
      stream.calls.client.hangUp();
      stream.stop();
      view.issue?.destroy();
    },
  };
  stream.start();
  stream.followInbox();
  await inbox.refresh();
  await route();
  // Straight after sign-in, the keyboard starts in the inbox.
  if (!view.issue && (document.activeElement === document.body || !document.activeElement)) inbox.focusCards();
}

function emptyIssue() {
  return h("div.empty.empty-issue", {}, h("div.empty-art", {}, icon("chat")),
    h("h2", {}, t("app.empty.title")),
    h("p", {}, t("app.empty.text")));
}

function showConnection(status, banner, state) {
  const known = state in CONNECTION_TONE ? state : "connecting";
  clear(status, h(`span.dot.dot-${CONNECTION_TONE[known]}`), t(`app.connection.${known}`));
  status.dataset.state = state;
  banner.hidden = state === "live" || state === "connecting";
  clear(banner, icon("offline"), state === "offline" ? t("app.banner.offline") : t("app.banner.reconnecting"));
}

function globalKeys(event, inbox, view) {
  if (document.querySelector("dialog[open]")) return; // an overlay takes the keys
  const typing = event.target.closest?.("input, textarea, select");
  // Esc goes back to the inbox from anywhere, the composer too (its draft is
  // kept); an open picker, an overlay or a note being edited takes it first.
  if (event.key === "Escape") {
    if (view.issue && !event.defaultPrevented) view.issue.onClose();
  } else if (!typing && !event.altKey && !event.ctrlKey && !event.metaKey) {
    if (event.key === "/") {
      event.preventDefault();
      inbox.focusSearch();
    } else if (event.key === "?") {
      event.preventDefault();
      showShortcuts();
    } else if (event.key === "g") {
      inbox.focusCards();
    }
  }
}

boot();
