// What the chat remembers in this browser: the customer token, the current Issue,
// and the messages not yet acknowledged (so a reload retries them with the same
// idempotency key). Storage can be unavailable (blocked third-party storage):
// then memory stands in and the conversation lasts as long as the page.

function open(kind) {
  try {
    const storage = kind === "session" ? window.sessionStorage : window.localStorage;
    const probe = "caseroom:probe";
    storage.setItem(probe, "1");
    storage.removeItem(probe);
    return storage;
  } catch (error) {
    const memory = new Map();
    return {
      getItem: (key) => (memory.has(key) ? memory.get(key) : null),
      setItem: (key, value) => memory.set(key, String(value)),
      removeItem: (key) => memory.delete(key),
    };
  }
}

export class SessionStore {
  /** `kind`: "local" (the widget, Connect) or "session" (a verified embed). */
  constructor(slug, kind) {
    this.key = `caseroom:${slug}:${kind === "session" ? "verified" : "chat"}`;
    this.storage = open(kind);
  }

  load() {
    try {
      const data = JSON.parse(this.storage.getItem(this.key) || "null");
      return data && typeof data === "object" ? data : null;
    } catch (error) {
      return null;
    }
  }

  save(data) {
    try {
      this.storage.setItem(this.key, JSON.stringify(data));
    } catch (error) {
      // full or blocked: the page keeps working from memory
    }
  }

  clear() {
    this.storage.removeItem(this.key);
  }
}

export function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
