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
import { mobileButton } from "./profile.js";
import { signInView } from "./signin.js";
import { Presence } from "./presence.js";
import { Stream } from "./stream.js";
import { CallDesk } from "./calls.js";
import { loadTools } from "./tools.js";

const root = document.getElementById("app");
let session = null;

const CONNECTION = {
  connecting: { label: "Connecting…", tone: "amber" },
  live: { label: "Live", tone: "green" },
  reconnecting: { label: "Reconnecting…", tone: "amber" },
  offline: { label: "Offline", tone: "red" },
};

async function boot() {
  whenSignedOut(() => signedOut());
  // No session cookie pair: sign in first, without asking the API who we are.
  if (!cookie("caseroom_csrf")) {
    showSignIn();
    return;
  }
  try {
    await startConsole(await Directory.load());
  } catch (error) {
    if (error.status === 401 || error.status === 403) showSignIn();
    else clear(root, h("div.fatal", {}, icon("alert"), h("p", {}, `The console could not start: ${error.message}`),
      h("button.btn.btn-primary", { type: "button", onclick: () => location.reload() }, "Try again")));
  }
}

function showSignIn() {
  session?.stop();
  session = null;
  clear(root, signInView(() => boot()));
}

function signedOut() {
  if (!session) return;
  toast("Your session ended. Sign in again.", "error");
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
  const signOut = h("button.btn.btn-icon.btn-ghost", { type: "button", "aria-label": "Sign out", title: "Sign out", onclick: async () => {
    try {
      await post("/auth/logout");
    } finally {
      showSignIn();
    }
  } }, icon("logout"));
  const sidebar = h("aside.sidebar", { "aria-label": "Console" },
    h("div.brand", {}, h("span.brand-mark", {}, icon("chat")), h("span.brand-name", {}, "caseroom")),
    h("div.org", { title: "Organization" }, directory.org.name),
    inbox.nav,
    me.role === "admin" ? adminNav() : null,
    h("div.grow"),
    h("div.side-tools", {}, alerts.settings(), reportButton()),
    status,
    h("div.me", {}, avatar(me.name, "agent"), h("div.me-text", {}, h("strong", {}, me.name), h("span", {}, me.role === "admin" ? "Admin" : "Agent")), mobileButton(), signOut));
  const issuePane = h("section.issue-pane", { id: "issue-pane", "aria-label": "Issue" }, emptyIssue());
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
      clear(issuePane, h("div.empty", {}, icon("alert"), h("p", {}, error.status === 404 ? "This Issue does not exist or you may not see it." : error.message)));
    }
  };
  window.addEventListener("hashchange", route);
  const onKey = (e) => globalKeys(e, inbox, view);
  document.addEventListener("keydown", onKey);

  session = {
    stop() {
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
    h("h2", {}, "Pick an Issue"),
    h("p", {}, "Open a card from the inbox to see the conversation, talk with colleagues in the private room, and reply."));
}

function showConnection(status, banner, state) {
  const { label, tone } = CONNECTION[state] || CONNECTION.connecting;
  clear(status, h(`span.dot.dot-${tone}`), label);
  status.dataset.state = state;
  banner.hidden = state === "live" || state === "connecting";
  clear(banner, icon("offline"), state === "offline"
    ? "You are offline. Messages you write are kept and sent when the connection returns."
    : "Connection lost. Reconnecting; nothing you write is lost.");
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
