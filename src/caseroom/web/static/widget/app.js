// The customer chat page. One page serves three modes, told apart by its path:
//   /widget/{org}   inside the iframe the widget loader (widget.js) puts on a site
//   /embed/{org}    microConnect: opened by an app, maybe with #identity_token=...
//   /connect/{org}  Connect: the full-screen page for phones, at a shareable URL

import { CallClient } from "../call/call.js";
import { api, ApiError, withRetry } from "./api.js";
import { Conversation } from "./conversation.js";
import { SessionStore } from "./store.js";
import * as view from "./view.js";

const $ = (id) => document.getElementById(id);
const MODES = new Set(["widget", "embed", "connect"]);
const [, mode, rawSlug = ""] = location.pathname.split("/");
const slug = decodeURIComponent(rawSlug);
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]{2,}$/;
const PHONE = /^\+?\d{8,15}$/;
const COMPOSER_MAX_PX = 120;
const DEFAULT_MAX_CHARS = 20000;
const AVAILABILITY_EVERY_MS = 60000; // the server's default, until /limits answers

const ui = {
  conversation: null,
  store: null,
  panelOpen: mode !== "widget",
  unread: 0,
  verified: false,
  limits: null, // what the server accepts as files; null where files are not offered
};

// -- the host page (widget mode) ---------------------------------------------------

function toHost(type, detail = {}) {
  // Nothing sensitive crosses: the host learns only "close" and an unread count.
  if (mode === "widget" && window.parent !== window) {
    window.parent.postMessage({ source: "caseroom", type, ...detail }, "*");
  }
}

window.addEventListener("message", (event) => {
  if (event.source !== window.parent || !event.data || event.data.source !== "caseroom-host") return;
  if (event.data.type === "open") {
    const wasOpen = ui.panelOpen;
    ui.panelOpen = true;
    ui.unread = 0;
    toHost("unread", { count: 0 });
    // Only on opening, and never away from a field the visitor is already in
    // (the page's answer to "ready" can arrive late).
    if (!wasOpen && !document.activeElement?.closest("input, textarea, button")) focusCurrent();
    ui.conversation?.receipts.looked();
  } else if (event.data.type === "closed") {
    ui.panelOpen = false;
  }
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && mode === "widget") toHost("close");
});

document.addEventListener("visibilitychange", () => {
  ui.conversation?.receipts.looked();
  ui.conversation?.presence(document.hidden ? "away" : "online");
});

/** The Customer can see the conversation: the panel is open and the page on screen. */
function chatOnScreen() {
  return ui.panelOpen && document.visibilityState === "visible" && $("shell").dataset.state === "chat";
}

function focusCurrent() {
  const state = $("shell").dataset.state;
  if (state === "form") $("name").focus();
  else if (state === "chat") $("message").focus();
}

// -- boot --------------------------------------------------------------------------

async function boot() {
  toHost("ready");
  if (!MODES.has(mode) || !slug) {
    view.showError("This chat is not available", "The address is incomplete.");
    return;
  }
  let look;
  try {
    look = await withRetry(() => api.widget(slug));
  } catch (error) {
    const detail = error.status === 404 ? "No organization uses this address." : error.message;
    view.showError("This chat is not available", detail);
    return;
  }
  view.applyLook(look, mode);
  showAvailability(slug);
  $("close").hidden = mode !== "widget";
  $("close").addEventListener("click", () => toHost("close"));
  wireComposer();
  wireRating();
  wireForm();
  await offerFiles();

  const identityToken = mode === "embed" ? takeIdentityToken() : null;
  if (identityToken) return startVerified(identityToken);
  const verifiedStore = new SessionStore(slug, "session");
  const verifiedSaved = mode === "embed" ? verifiedStore.load() : null;
  if (verifiedSaved?.token) {
    ui.verified = true;
    return resume(verifiedStore, verifiedSaved);
  }
  const store = new SessionStore(slug, "local");
  const saved = store.load();
  if (saved?.token) return resume(store, saved);
  if (saved?.contact && saved.pending?.length) {
    // Reloaded while the first message was on its way: finish starting.
    ui.store = store;
    ui.conversation = makeConversation(store, saved);
    openChat();
    ui.conversation.begin(saved.contact);
    return;
  }
  showForm(store);
}

function takeIdentityToken() {
  const token =
    new URLSearchParams(location.hash.slice(1)).get("identity_token") ||
    new URLSearchParams(location.search).get("identity_token");
  if (token) history.replaceState(null, "", location.pathname); // keep it out of history
  return token;
}

async function startVerified(identityToken) {
  const store = new SessionStore(slug, "session");
  let verified;
  try {
    verified = await withRetry(() => api.verify(slug, identityToken));
  } catch (error) {
    store.clear();
    const detail =
      error.status === 401
        ? `${capitalized(error.message)}. Please close this window and open the chat again from the app.`
        : error.message;
    view.showError("We couldn't confirm who you are", detail);
    return;
  }
  ui.verified = true;
  const saved = store.load();
  const pending = saved?.customerId === verified.customer.id ? saved.pending || [] : [];
  const session = {
    token: verified.customer_token,
    customerId: verified.customer.id,
    issueId: saved?.customerId === verified.customer.id ? saved.issueId : null,
    pending,
  };
  await resume(store, session, verified.issues);
}

async function resume(store, session, issues) {
  ui.store = store;
  ui.conversation = makeConversation(store, session);
  openChat();
  try {
    await ui.conversation.resume(issues);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) lost("unauthorized");
    else view.showError("We couldn't load your conversation", error.message);
  }
}

// One call client for the page; it writes on the current conversation's stream.
const calls = new CallClient((frame) => ui.conversation?.stream?.send(frame) || false, {
  onChange: (call) => {
    if (call.state === "ringing") toHost("ring");
  },
});

function makeConversation(store, session) {
  return new Conversation(slug, store, session, {
    onStreamReady: () => calls.rejoin(),
    onCallFrame: (frame) => {
      if (frame.type === "call.updated" && frame.issue_id !== ui.conversation?.issueId) return true;
      return calls.handle(frame);
    },
    onChange: render,
    onTyping: (name) => view.showTyping(name),
    onStatus: showStatus,
    onConnection: (state) =>
      view.showConnection(state === "offline" ? "Connection lost. Reconnecting…" : null),
    onIncoming: (message, { live }) => {
      const files = message.attachments?.length || 0;
      if (live) view.announce(`${message.author.name}: ${message.body || `${files} ${files === 1 ? "file" : "files"}`}`);
      if (!ui.panelOpen) {
        ui.unread += 1;
        toHost("unread", { count: ui.unread });
      }
    },
    onLost: lost,
    canRead: chatOnScreen,
  }, mode);
}

function lost(reason, error) {
  if (reason === "issue") {
    // The Issue is out of reach (e.g. merged away): start over from the list.
    ui.conversation.stream?.stop();
    resume(ui.store, { ...ui.conversation.session, issueId: null });
    return;
  }
  if (reason === "contact") {
    showForm(ui.store, error);
    return;
  }
  ui.conversation?.stream?.stop();
  ui.store.clear();
  if (ui.verified) {
    view.showError("Your chat session has ended", "Please open the chat again from the app.");
    return;
  }
  ui.conversation = null;
  showForm(ui.store, null, "Your earlier chat has expired. Start a new one below.");
}

// -- pre-chat form -------------------------------------------------------------------

function showForm(store, error, notice) {
  ui.store = store;
  view.showView("form");
  $("form-title").textContent = notice ? "Welcome back" : "Start a conversation";
  if (notice) $("form-greeting").textContent = notice;
  setFieldError("name", null);
  setFieldError("contact", null);
  if (error) setFieldError(error.problem.field === "name" ? "name" : "contact", capitalized(error.message));
  if (ui.panelOpen) $("name").focus();
}

function setFieldError(field, message) {
  $(`${field}-error`).textContent = message || "";
  $(field).setAttribute("aria-invalid", message ? "true" : "false");
}

function readContact() {
  const name = $("name").value.trim();
  const raw = $("contact").value.trim();
  const compact = raw.replace(/[\s.\-()]/g, "");
  let ok = true;
  setFieldError("name", name ? null : "Please tell us your name.");
  if (!name) ok = false;
  let contact = null;
  if (EMAIL.test(raw)) contact = { email: raw };
  else if (PHONE.test(compact.replace(/^00/, "+"))) contact = { phone: compact.replace(/^00/, "+") };
  setFieldError("contact", contact ? null : "Enter an email address, or a phone number with its country code (+1 555 123 4567).");
  if (!contact) ok = false;
  return ok ? { name, ...contact } : null;
}

function wireForm() {
  $("prechat").addEventListener("submit", (event) => {
    event.preventDefault();
    const contact = readContact();
    if (!contact) {
      (($("name-error").textContent && $("name")) || $("contact")).focus();
      return;
    }
    if (ui.conversation) {
      // Back from a refused contact: the waiting first message goes out again.
      ui.conversation.session.pending.forEach((p) => (p.state = "sending"));
    } else {
      ui.conversation = makeConversation(ui.store, {});
    }
    openChat();
    ui.conversation.begin(contact);
    $("message").focus();
  });
}

// -- chat ------------------------------------------------------------------------------

function openChat() {
  view.showView("chat");
  render();
}

let renderQueued = false;
let keepOffset = null;

function render(options = {}) {
  const timeline = $("timeline");
  if (options.prepended) keepOffset = timeline.scrollHeight - timeline.scrollTop;
  if (renderQueued) return;
  renderQueued = true;
  queueMicrotask(() => {
    renderQueued = false;
    const conversation = ui.conversation;
    if (!conversation) return;
    view.renderTimeline(conversation.ordered(), conversation.pending(), {
      onRetry: (key) => conversation.retry(key),
      onDiscard: (key) => conversation.discard(key),
      canRetry: (key) => !conversation.pending().find((p) => p.key === key)?.files ||
        conversation.files.has(key),
      renderFile,
      seenSeq: conversation.receipts.seenSeq,
      onChoose: (label) => conversation.send(label),
    });
    $("earlier").hidden = !conversation.hasMore;
    $("attach").disabled = !conversation.issueId;
    if (keepOffset !== null) {
      timeline.scrollTop = timeline.scrollHeight - keepOffset;
      keepOffset = null;
    }
  });
}

function showStatus(status) {
  const notes = {
    resolved: "This conversation was marked as resolved. Write to us if you need anything else.",
    closed: "This conversation is closed. A new message starts a new conversation.",
    canceled: "This conversation is closed. A new message starts a new conversation.",
  };
  view.showBanner(notes[status] || null);
  // After a resolution, the Customer may say how it went (1 to 5, and a comment).
  $("rating").hidden = status !== "resolved" && status !== "closed";
}

/** Online while an agent's console is connected, away otherwise; asked again each minute. */
async function showAvailability(slug) {
  try {
    const { state } = await api.availability(slug);
    const line = $("subtitle");
    line.classList.toggle("presence-away", state !== "online");
    line.dataset.state = state;
    line.title = state === "online" ? "Someone is at the desk now" : "Nobody is at the desk right now; we reply as soon as we can";
    $("availability").textContent = state === "online" ? " · Online" : " · Away";
  } catch (error) {
    // unknown: leave the header as it is
  }
  setTimeout(() => showAvailability(slug), AVAILABILITY_EVERY_MS);
}

function wireRating() {
  const form = $("rating");
  let score = 0;
  for (const star of form.querySelectorAll("[data-score]")) {
    star.addEventListener("click", () => {
      score = Number(star.dataset.score);
      for (const other of form.querySelectorAll("[data-score]")) {
        const on = Number(other.dataset.score) <= score;
        other.classList.toggle("on", on);
        other.setAttribute("aria-checked", String(other === star));
      }
      $("rating-send").disabled = false;
    });
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const conversation = ui.conversation;
    if (!score || !conversation?.issueId) return;
    try {
      await api.rate(conversation.token, conversation.issueId, { score, comment: $("rating-comment").value || null });
      $("rating-done").hidden = false;
      $("rating-send").disabled = true;
    } catch (error) {
      $("rating-done").hidden = false;
      $("rating-done").textContent = error.message;
    }
  });
}

function wireComposer() {
  const input = $("message");
  const send = $("send");
  // The message limit, shown as it nears: a longer message is refused here, never cut.
  const count = $("char-count");
  const tooLong = () => input.value.trim().length > (ui.limits?.max_message_chars || DEFAULT_MAX_CHARS);
  const resize = () => {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, COMPOSER_MAX_PX)}px`;
    const max = ui.limits?.max_message_chars || DEFAULT_MAX_CHARS;
    const used = input.value.trim().length;
    count.hidden = used < max * 0.9;
    count.textContent = count.hidden ? "" : used > max
      ? `Your message is ${used - max} characters over the limit of ${max}. Shorten it or send it in parts.`
      : `${used} / ${max} characters`;
    count.classList.toggle("over", used > max);
    send.disabled = !input.value.trim() || used > max;
  };
  input.addEventListener("input", () => {
    resize();
    if (input.value.trim()) ui.conversation?.typing();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!input.value.trim() || !ui.conversation || tooLong()) return;
    ui.conversation.send(input.value);
    input.value = "";
    resize();
    input.focus();
  });
  $("earlier").addEventListener("click", () => ui.conversation?.loadEarlier());
}

// -- files ------------------------------------------------------------------------------

async function offerFiles() {
  try {
    ui.limits = await api.limits();
  } catch (error) {
    return; // this server takes no files
  }
  const { max_files_per_message: count, max_file_bytes: size } = ui.limits;
  const rule = `up to ${count} files, ${view.formatSize(size)} each`;
  const attach = $("attach");
  attach.hidden = false;
  attach.setAttribute("aria-label", `Attach files (${rule})`);
  attach.title = `Attach files: ${rule}`;
  attach.addEventListener("click", () => {
    if (attach.disabled) return;
    $("file-input").click();
  });
  $("file-input").addEventListener("change", (event) => {
    chooseFiles([...event.target.files]);
    event.target.value = "";
  });
  const chat = $("view-chat");
  chat.addEventListener("dragover", (event) => {
    if (!ui.conversation?.issueId || !event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    chat.classList.add("dropping");
  });
  chat.addEventListener("dragleave", (event) => {
    if (!chat.contains(event.relatedTarget)) chat.classList.remove("dropping");
  });
  chat.addEventListener("drop", (event) => {
    chat.classList.remove("dropping");
    if (!ui.conversation?.issueId || !event.dataTransfer?.files.length) return;
    event.preventDefault();
    chooseFiles([...event.dataTransfer.files]);
  });
}

/** Check the files against the announced limits, then send them with the draft. */
function chooseFiles(files) {
  if (!files.length || !ui.limits || !ui.conversation?.issueId) return;
  const { max_files_per_message: count, max_file_bytes: size } = ui.limits;
  const tooBig = files.find((f) => f.size > size);
  if (files.length > count) {
    view.showUploadNotice(`You can send up to ${count} files at once.`);
  } else if (tooBig) {
    view.showUploadNotice(`${tooBig.name} is larger than ${view.formatSize(size)}.`);
  } else if (files.some((f) => f.size === 0)) {
    view.showUploadNotice("Empty files cannot be sent.");
  } else {
    view.showUploadNotice(null);
    const input = $("message");
    ui.conversation.sendFiles(files, input.value);
    input.value = "";
    input.dispatchEvent(new Event("input"));
  }
}

const fileUrls = new Map(); // attachment id -> object URL (downloads need the token)

function renderFile(file) {
  const inline = ui.limits?.inline_content_types || [];
  const isImage = file.content_type.startsWith("image/") && inline.includes(file.content_type);
  const link = view.el("a", isImage ? "file image" : "file");
  link.href = "#";
  link.setAttribute("aria-label", `${file.filename}, ${view.formatSize(file.size)}`);
  if (isImage) {
    const image = view.el("img");
    image.alt = file.filename;
    link.append(image);
    blobUrl(file).then((url) => (image.src = url)).catch(() => link.replaceChildren(fileLabel(file)));
  } else {
    link.append(fileLabel(file));
  }
  link.addEventListener("click", async (event) => {
    event.preventDefault();
    const save = view.el("a");
    save.href = await blobUrl(file);
    save.download = file.filename;
    save.click();
  });
  return link;
}

function fileLabel(file) {
  const label = document.createDocumentFragment();
  label.append(view.fileIcon(), view.el("span", "file-name", file.filename));
  label.append(view.el("span", "size", view.formatSize(file.size)));
  return label;
}

function blobUrl(file) {
  if (!fileUrls.has(file.id)) {
    const path = file.download_path;
    const made = api.fileBlob(ui.conversation.token, path).then((blob) => URL.createObjectURL(blob));
    made.catch(() => fileUrls.delete(file.id));
    fileUrls.set(file.id, made);
  }
  return fileUrls.get(file.id);
}

function capitalized(text) {
  const value = String(text || "");
  return value.charAt(0).toUpperCase() + value.slice(1);
}

boot();
