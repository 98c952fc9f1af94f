// One websocket to /api/v1/stream that stays up: it says hello with the customer
// token, reports `ready`, hands every other frame to `onFrame`, and reconnects
// with backoff when the connection drops. What to (re)subscribe and resend after
// a reconnect is the caller's business (see conversation.js).

const CLOSE_UNAUTHENTICATED = 4401;
const SILENCE_LIMIT_MS = 65000; // the server pings every ~20 s; this much silence means a dead link

export class Stream {
  constructor(token, { onReady, onFrame, onState }) {
    this.token = token;
    this.onReady = onReady;
    this.onFrame = onFrame;
    this.onState = onState;
    this.ws = null;
    this.ready = false;
    this.stopped = false;
    this.failures = 0;
    this.retryTimer = null;
    this.silenceTimer = null;
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    return `${scheme}://${location.host}/api/v1/stream`;
  }

  connect() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: "hello", token: this.token }));
    ws.onmessage = (event) => {
      if (ws !== this.ws) return;
      this.heard();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (frame.type === "ready") {
        this.ready = true;
        this.failures = 0;
        this.onState("online");
        this.onReady();
      } else if (frame.type !== "ping" && frame.type !== "pong") {
        this.onFrame(frame);
      }
    };
    ws.onclose = (event) => {
      if (ws !== this.ws) return;
      this.ready = false;
      clearTimeout(this.silenceTimer);
      if (this.stopped) return;
      if (event.code === CLOSE_UNAUTHENTICATED) {
        this.stopped = true;
        this.onState("unauthorized");
        return;
      }
      this.failures += 1;
      this.onState("offline");
      const delay = Math.min(10000, 400 * 2 ** Math.min(this.failures, 5));
      this.retryTimer = setTimeout(() => this.connect(), delay * (0.75 + Math.random() / 2));
    };
  }

  heard() {
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => this.reconnect(), SILENCE_LIMIT_MS);
  }

  /** Drop the current connection and open a new one (e.g. to pick up new grants). */
  reconnect() {
    const old = this.ws;
    this.ws = null;
    this.ready = false;
    if (old) {
      old.onclose = null;
      old.close();
    }
    this.connect();
  }

  send(frame) {
    if (!this.ready || !this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.silenceTimer);
    if (this.ws) this.ws.close();
  }
}
