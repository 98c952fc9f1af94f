// The websocket event stream (/api/v1/stream), kept alive across network drops.
//
// The stream remembers, for each room it follows, the last sequence number it
// delivered. After a reconnect it subscribes again "after" that number, so the
// server replays exactly what was missed; anything at or below it is a
// duplicate and is dropped here. Events: "state", "ready", "subscribed",
// "message", "issue", "typing", "problem", "unauthenticated", and "event" for
// any other type.

const PING_EVERY_MS = 15000;
const SILENCE_LIMIT_MS = 45000; // the server pings every 20 s
const BACKOFF_MIN_MS = 400;
const BACKOFF_MAX_MS = 8000;

export class Stream extends EventTarget {
  constructor(path = "/api/v1/stream") {
    super();
    this.path = path;
    this.ws = null;
    this.state = "connecting";
    this.rooms = new Map(); // "issue:room" -> { issueId, room, last }
    this.inbox = false;
    this.backoff = BACKOFF_MIN_MS;
    this.timer = null;
    this.connectedBefore = false;
    this.lastFrameAt = 0;
    this.refs = 0;
    this.stopped = false;
  }

  start() {
    window.addEventListener("offline", () => this.drop("offline"));
    window.addEventListener("online", () => this.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && !this.ws) this.reconnectNow();
    });
    this.keepalive = setInterval(() => this.checkAlive(), PING_EVERY_MS);
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearInterval(this.keepalive);
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000, "signed out");
    this.ws = null;
  }

  // -- rooms and inbox -------------------------------------------------------------

  follow(issueId, room, after) {
    const key = `${issueId}:${room}`;
    const known = this.rooms.get(key);
    const last = known ? Math.max(known.last, after) : after;
    this.rooms.set(key, { issueId, room, last });
    this.send({ type: "subscribe", issue_id: issueId, room, after: last, ref: this.ref() });
  }

  unfollow(issueId) {
    for (const [key, value] of this.rooms) if (value.issueId === issueId) this.rooms.delete(key);
    this.send({ type: "unsubscribe", issue_id: issueId });
  }

  followInbox() {
    this.inbox = true;
    this.send({ type: "subscribe_inbox", ref: this.ref() });
  }

  typing(issueId, room) {
    this.send({ type: "typing", issue_id: issueId, room });
  }

  // -- connection ------------------------------------------------------------------

  connect() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}${this.path}`);
    this.ws = ws;
    this.setState(this.connectedBefore ? "reconnecting" : "connecting");
    ws.onmessage = (event) => {
      if (this.ws !== ws) return;
      this.lastFrameAt = Date.now();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      this.onFrame(frame);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (event.code === 4401) {
        this.setState("offline");
        this.emit("unauthenticated", {});
        return;
      }
      this.setState(navigator.onLine ? "reconnecting" : "offline");
      this.scheduleReconnect();
    };
  }

  /** Close now (the network is gone); reconnect when it returns. */
  drop(reason) {
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(4000, reason);
    this.setState("offline");
    this.scheduleReconnect();
  }

  reconnectNow() {
    if (this.stopped) return;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    this.backoff = BACKOFF_MIN_MS;
    this.connect();
  }

  scheduleReconnect() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const wait = this.backoff * (0.75 + Math.random() * 0.5);
    this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
    this.timer = setTimeout(() => this.connect(), wait);
  }

  checkAlive() {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastFrameAt > SILENCE_LIMIT_MS) {
      this.drop("silent");
      return;
    }
    this.send({ type: "ping", ref: this.ref() });
  }

  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN && this.state === "live") {
      this.ws.send(JSON.stringify(frame));
      return true;
    }
    return false; // replayed from this.rooms / this.inbox on the next "ready"
  }

  ref() {
    this.refs += 1;
    return `c${this.refs}`;
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit("state", { state });
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  // -- frames ------------------------------------------------------------------------

  onFrame(frame) {
    switch (frame.type) {
      case "ready":
        this.onReady(frame);
        break;
      case "message.created":
        this.onMessage(frame);
        break;
      case "issue.created":
      case "issue.updated":
        this.emit("issue", { type: frame.type, issue: frame.payload.issue, changes: frame.payload.changes });
        break;
      case "typing":
        this.emit("typing", { issueId: frame.issue_id, room: frame.room, who: frame.payload.who });
        break;
      case "error":
        this.emit("problem", { ref: frame.ref, problem: frame.problem });
        break;
      case "subscribed":
        this.emit("subscribed", { issueId: frame.issue_id, room: frame.room, lastSeq: frame.last_seq });
        break;
      case "ping":
      case "pong":
      case "subscribed_inbox":
        break;
      default:
        this.emit("event", frame);
    }
  }

  onReady(frame) {
    const reconnected = this.connectedBefore;
    this.connectedBefore = true;
    this.backoff = BACKOFF_MIN_MS;
    this.setState("live");
    if (this.inbox) this.send({ type: "subscribe_inbox", ref: this.ref() });
    for (const { issueId, room, last } of this.rooms.values()) {
      this.send({ type: "subscribe", issue_id: issueId, room, after: last, ref: this.ref() });
    }
    this.emit("ready", { reconnected, principal: frame.principal });
  }

  onMessage(frame) {
    const message = frame.payload.message;
    const key = `${frame.issue_id}:${frame.room}`;
    const room = this.rooms.get(key);
    if (!room || message.seq <= room.last) return; // not followed, or already delivered
    if (message.seq > room.last + 1) {
      // A gap should never reach us; ask again from what we have.
      this.send({ type: "subscribe", issue_id: room.issueId, room: room.room, after: room.last, ref: this.ref() });
      return;
    }
    room.last = message.seq;
    this.emit("message", { message });
  }
}
