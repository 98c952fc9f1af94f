// Video calls in the browser, shared by the console and the customer pages
// (widget, embed, Connect): the call panel and a mesh of RTCPeerConnections,
// one per other participant, signaled over the page's event stream.
//
// Who offers: the participant who joins creates an offer to each one already
// in the call; those answer. The offerer of a pair also restarts ICE when the
// network under it drops, and again until the pair connects, so the call
// recovers without a new invitation.
// No media server: with up to four participants each sends to every other.

const RING_EVERY_MS = 2200;
// A restart made while the network (or the relay) is down gathers no candidates
// and may never change state again: try again after these waits, doubling.
const ICE_RETRY_FIRST_MS = 5000;
const ICE_RETRY_MOST_MS = 20000;
// The panel's words; a page in another language passes `words(key, vars)` (the
// console, from its catalogue's call.<key>), and these are the fallback.
const WORDS = {
  not_connected: "Not connected: try again in a moment.",
  trouble: "Call trouble: {error}",
  audio_only: "Your camera is not available, so this is an audio call. You can still see the others.",
  share_failed: "Screen sharing did not start: {error}",
  panel: "Video call",
  is_calling: "{name} is calling",
  in_private_room: "Video call in the private room",
  accept: "Accept",
  decline: "Decline",
  ringing_out: "Ringing…",
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  private_room: " · private room",
  you: "You",
  mute: "Mute",
  unmute: "Unmute",
  camera_off: "Camera off",
  camera_on: "Camera on",
  share: "Share screen",
  stop_sharing: "Stop sharing",
  hang_up: "Hang up",
  blocked: "The browser blocked the camera and microphone. Allow them in the address bar to be seen and heard; you can still see and hear the others.",
  no_devices: "No camera or microphone was found; you can still see and hear the others.",
  unavailable: "Camera and microphone are unavailable ({error}); you can still see and hear the others.",
  unknown_error: "unknown error",
};

export class CallClient {
  /**
   * send(frame) -> bool: writes a frame on the event stream.
   * options: { canShare: show "Share screen" (agents), onChange(call), words(key, vars): the panel's text }
   */
  constructor(send, { canShare = false, onChange = () => {}, words = null } = {}) {
    this.send = send;
    this.words = words;
    this.canShare = canShare;
    this.onChange = onChange;
    this.call = null; // the call payload we are in (or ringing out)
    this.connectionId = null;
    this.iceServers = [];
    this.peers = new Map(); // connection id -> { pc, offerer, el, video, who }
    this.local = null;
    this.camera = null; // the camera track while the screen is shared
    this.muted = false;
    this.cameraOff = false;
    this.sharing = false;
    this.pending = new Map(); // ref -> { resolve, reject }
    this.refs = 0;
    this.ringing = null; // the call payload ringing for us
    this.panel = null;
    this.notice = "";
    this.iceTransportPolicy = "all";
    this.media = null; // opening the camera and microphone, once per call
    this.signals = Promise.resolve();
    window.caseroomCall = this; // for tests and diagnostics: stats(), state
  }

  // -- what the page asks ------------------------------------------------------

  async start(issueId, room) {
    const reply = await this.request({ type: "call.start", issue_id: issueId, room });
    await this.enter(reply);
  }

  async accept(callId) {
    this.stopRinging();
    const reply = await this.request({ type: "call.accept", call_id: callId });
    await this.enter(reply);
  }

  /** The stream reconnected (a new socket): join the call again from it. The
   * server let our old socket go; the others drop it and take our new offers. */
  async rejoin() {
    if (!this.call) return;
    const callId = this.call.id;
    for (const peer of this.peers.values()) peer.pc.close();
    this.peers.clear();
    try {
      await this.enter(await this.request({ type: "call.accept", call_id: callId }));
    } catch {
      this.teardown(); // it ended meanwhile
    }
  }

  decline(callId) {
    this.stopRinging();
    this.request({ type: "call.decline", call_id: callId }).catch(() => {});
  }

  hangUp({ failed = false } = {}) {
    if (!this.call) return;
    this.request({ type: "call.leave", call_id: this.call.id, failed }).catch(() => {});
    this.teardown();
  }

  request(frame) {
    this.refs += 1;
    const ref = `call${this.refs}`;
    return new Promise((resolve, reject) => {
      if (!this.send({ ...frame, ref })) {
        reject(new Error(this.word("not_connected")));
        return;
      }
      this.pending.set(ref, { resolve, reject });
    });
  }

  /** Frames from the stream: returns true if it was a call frame. */
  handle(frame) {
    const waiting = frame.ref && this.pending.get(frame.ref);
    if (waiting) {
      this.pending.delete(frame.ref);
      if (frame.type === "error") waiting.reject(new Error(frame.problem?.detail || "refused"));
      else waiting.resolve(frame);
      return true;
    }
    switch (frame.type) {
      case "call.updated":
        this.updated(frame.payload.call);
        return true;
      case "call.invited":
        this.ring(frame.payload.call);
        return true;
      case "call.signal":
        // One at a time, in arrival order: a candidate is only taken after its offer.
        this.signals = this.signals
          .then(() => this.signal(frame.payload))
          .catch((error) => this.say(this.word("trouble", { error: error.message })));
        return true;
      default:
        return false;
    }
  }

  // -- the call's life ------------------------------------------------------------

  async enter(reply) {
    this.call = reply.call;
    this.connectionId = reply.connection_id;
    this.iceServers = reply.ice_servers || [];
    // Only those already in when we joined get our offer; whoever joins after
    // us offers to us (two offers to each other would deadlock the pair).
    const already = present(reply.call).filter((p) => p.connection_id !== this.connectionId);
    this.render();
    this.media = this.openMedia();
    await this.media;
    if (this.call?.id !== reply.call.id) {
      for (const track of this.local?.getTracks() || []) track.stop(); // hung up meanwhile
      this.local = null;
      return;
    }
    for (const p of already) {
      if (!this.peers.has(p.connection_id)) this.peer(p.connection_id, p.who, true);
    }
    this.render();
  }

  updated(call) {
    if (this.call && call.id === this.call.id) {
      this.call = call;
      if (call.state === "ended") {
        this.teardown();
        return;
      }
      const here = new Set(present(call).map((p) => p.connection_id));
      for (const [id, peer] of this.peers) {
        if (!here.has(id)) {
          peer.pc.close();
          this.peers.delete(id);
        }
      }
      this.render();
      return;
    }
    if (call.state === "ringing" && this.invitesMe(call)) this.ring(call);
    else if (this.ringing?.id === call.id && (call.state === "ended" || call.room === "public")) {
      this.stopRinging(); // answered (by the Customer) or over; a private call rings on for the others
    }
    this.onChange(call);
  }

  /** A public-room call rings for the Customer; agents are rung by `call.invited`. */
  invitesMe(call) {
    return !this.canShare && call.room === "public" && !this.call;
  }

  async signal({ call_id: callId, from, who, signal }) {
    if (!this.call || callId !== this.call.id) return;
    let peer = this.peers.get(from);
    if (!peer) {
      if (signal.kind !== "offer") return;
      peer = this.peer(from, who, false);
    }
    const { pc } = peer;
    if (signal.kind === "candidate") {
      await pc.addIceCandidate(signal.candidate).catch(() => {});
    } else if (signal.kind === "offer") {
      await pc.setRemoteDescription({ type: "offer", sdp: signal.sdp });
      await this.media; // our camera may still be opening: answer with it, not without
      this.addTracks(pc);
      await pc.setLocalDescription(await pc.createAnswer());
      this.signalTo(from, { kind: "answer", sdp: pc.localDescription.sdp });
    } else if (signal.kind === "answer") {
      await pc.setRemoteDescription({ type: "answer", sdp: signal.sdp });
    }
  }

  peer(connectionId, who, offerer) {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers, iceTransportPolicy: this.iceTransportPolicy });
    const video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    video.dataset.remote = connectionId;
    const el = document.createElement("figure");
    el.className = "call-tile";
    const caption = document.createElement("figcaption");
    caption.textContent = who?.name || "";
    el.append(video, caption);
    const peer = { pc, offerer, el, video, who, stream: new MediaStream() };
    video.srcObject = peer.stream;
    this.peers.set(connectionId, peer);
    pc.ontrack = (event) => {
      peer.stream.addTrack(event.track);
      video.play().catch(() => {});
    };
    pc.onicecandidate = (event) => {
      if (event.candidate) this.signalTo(connectionId, { kind: "candidate", candidate: event.candidate.toJSON() });
    };
    pc.onconnectionstatechange = () => this.render();
    pc.oniceconnectionstatechange = () => {
      // A dropped network: the offerer asks for new candidates on both sides.
      if (offerer && (pc.iceConnectionState === "failed" || pc.iceConnectionState === "disconnected")) {
        pc.restartIce();
        this.retryUntilConnected(peer, ICE_RETRY_FIRST_MS);
      }
      this.render();
    };
    pc.onnegotiationneeded = async () => {
      if (!offerer) return;
      try {
        await pc.setLocalDescription(await pc.createOffer());
        this.signalTo(connectionId, { kind: "offer", sdp: pc.localDescription.sdp });
      } catch (error) {
        this.say(this.word("trouble", { error: error.message }));
      }
    };
    if (offerer) {
      this.addTracks(pc);
      this.retryUntilConnected(peer, ICE_RETRY_FIRST_MS);
    }
    return peer;
  }

  /** The offerer restarts ICE until the pair connects, waiting longer each time. */
  retryUntilConnected(peer, waitMs) {
    clearTimeout(peer.retry);
    peer.retry = setTimeout(() => {
      const state = peer.pc.iceConnectionState;
      if (state === "connected" || state === "completed" || state === "closed") return;
      peer.pc.restartIce();
      this.retryUntilConnected(peer, Math.min(waitMs * 2, ICE_RETRY_MOST_MS));
    }, waitMs);
  }

  /** Our tracks, or receive-only lines when we have no camera or microphone. */
  addTracks(pc) {
    for (const kind of ["audio", "video"]) {
      const track = this.local?.getTracks().find((t) => t.kind === kind);
      const taken = pc.getTransceivers().find((t) => t.receiver.track?.kind === kind && !t.sender.track && t.currentDirection !== "stopped");
      if (track) {
        if (!pc.getSenders().some((s) => s.track === track)) pc.addTrack(track, this.local);
      } else if (!taken) {
        pc.addTransceiver(kind, { direction: "recvonly" });
      }
    }
  }

  signalTo(connectionId, signal) {
    if (!this.call) return;
    this.send({ type: "call.signal", call_id: this.call.id, to: connectionId, signal });
  }

  async openMedia() {
    if (this.local) return;
    try {
      this.local = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      return;
    } catch (error) {
      try {
        this.local = await navigator.mediaDevices.getUserMedia({ audio: true });
        this.cameraOff = true;
        this.say(this.word("audio_only"));
        return;
      } catch {
        this.say(deniedText(this, error));
      }
    }
  }

  teardown() {
    for (const peer of this.peers.values()) peer.pc.close();
    this.peers.clear();
    for (const track of this.local?.getTracks() || []) track.stop();
    this.camera?.stop();
    this.local = null;
    this.media = null;
    this.camera = null;
    const ended = this.call;
    this.call = null;
    this.sharing = false;
    this.muted = false;
    this.cameraOff = false;
    this.notice = "";
    this.render();
    if (ended) this.onChange({ ...ended, state: "ended" });
  }

  // -- controls ---------------------------------------------------------------------

  toggleMute() {
    this.muted = !this.muted;
    for (const t of this.local?.getAudioTracks() || []) t.enabled = !this.muted;
    this.render();
  }

  toggleCamera() {
    this.cameraOff = !this.cameraOff;
    for (const t of this.local?.getVideoTracks() || []) t.enabled = !this.cameraOff;
    this.render();
  }

  async toggleShare() {
    if (this.sharing) {
      await this.replaceVideo(this.camera);
      this.camera = null;
      this.sharing = false;
      this.render();
      return;
    }
    try {
      const screen = await navigator.mediaDevices.getDisplayMedia({ video: true });
      const [track] = screen.getVideoTracks();
      this.camera = this.local?.getVideoTracks()[0] || null;
      track.onended = () => this.sharing && this.toggleShare();
      await this.replaceVideo(track);
      this.sharing = true;
    } catch (error) {
      this.say(this.word("share_failed", { error: error.message }));
    }
    this.render();
  }

  async replaceVideo(track) {
    for (const { pc } of this.peers.values()) {
      const line = pc.getTransceivers().find((t) => t.receiver.track?.kind === "video");
      if (line) await line.sender.replaceTrack(track);
    }
    if (this.panel) this.panel.querySelector("video.call-self").srcObject = track ? new MediaStream([track]) : this.local;
  }

  say(text) {
    this.notice = text;
    this.render();
  }

  // -- ringing ----------------------------------------------------------------------

  ring(call) {
    if (this.call || this.ringing?.id === call.id) return;
    this.ringing = call;
    this.tone();
    this.ringTimer = setInterval(() => this.tone(), RING_EVERY_MS);
    const left = Date.parse(call.ring_until) - Date.now();
    this.ringStop = setTimeout(() => this.ringing?.id === call.id && this.stopRinging(), Math.max(left, 5000));
    this.render();
  }

  stopRinging() {
    clearInterval(this.ringTimer);
    clearTimeout(this.ringStop);
    this.ringing = null;
    this.render();
  }

  tone() {
    try {
      this.audio ||= new AudioContext();
      const now = this.audio.currentTime;
      for (const [at, hz] of [[0, 660], [0.25, 880]]) {
        const osc = this.audio.createOscillator();
        const gain = this.audio.createGain();
        osc.frequency.value = hz;
        gain.gain.setValueAtTime(0.08, now + at);
        gain.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.22);
        osc.connect(gain).connect(this.audio.destination);
        osc.start(now + at);
        osc.stop(now + at + 0.23);
      }
    } catch {
      // no sound: the prompt is still on screen
    }
  }

  // -- the panel ----------------------------------------------------------------------

  get state() {
    if (!this.call) return this.ringing ? "ringing-in" : "idle";
    if (this.call.state === "ringing") return "ringing-out";
    const states = [...this.peers.values()].map((p) => p.pc.connectionState);
    if (states.includes("connected")) return "connected";
    if (states.some((s) => s === "disconnected" || s === "failed")) return "reconnecting";
    return "connecting";
  }

  render() {
    if (!this.call && !this.ringing) {
      this.panel?.remove();
      this.panel = null;
      return;
    }
    if (!this.panel) {
      this.panel = el("section", { className: "call-panel", role: "dialog", ariaLabel: this.word("panel") });
      document.body.append(this.panel);
    }
    const panel = this.panel;
    panel.dataset.state = this.state;
    if (this.ringing && !this.call) {
      const call = this.ringing;
      panel.replaceChildren(
        el("p", { className: "call-title" }, this.word("is_calling", { name: call.started_by.name })),
        el("p", { className: "call-sub" }, this.word(call.room === "private" ? "in_private_room" : "panel")),
        el("div", { className: "call-actions" },
          button(this.word("accept"), "call-accept", () => this.accept(call.id).catch((e) => this.say(e.message))),
          button(this.word("decline"), "call-decline danger", () => this.decline(call.id))),
        this.notice ? el("p", { className: "call-notice", role: "alert" }, this.notice) : "");
      return;
    }
    let self = panel.querySelector("video.call-self");
    if (!self) {
      self = el("video", { className: "call-self", autoplay: true, muted: true, playsInline: true });
    }
    if (self.srcObject !== this.local && !this.sharing) self.srcObject = this.local;
    self.muted = true;
    const tiles = [...this.peers.values()].map((p) => p.el);
    const status = this.word({ "ringing-out": "ringing_out", connecting: "connecting", connected: "connected", reconnecting: "reconnecting" }[this.state]);
    panel.replaceChildren(
      el("p", { className: "call-title" }, status, el("span", { className: "call-room" }, this.call.room === "private" ? this.word("private_room") : "")),
      el("div", { className: "call-grid" }, ...tiles, el("figure", { className: "call-tile self" }, self, el("figcaption", {}, this.word("you")))),
      this.notice ? el("p", { className: "call-notice", role: "alert" }, this.notice) : "",
      el("div", { className: "call-actions" },
        button(this.word(this.muted ? "unmute" : "mute"), "call-mute", () => this.toggleMute(), this.muted),
        button(this.word(this.cameraOff ? "camera_on" : "camera_off"), "call-camera", () => this.toggleCamera(), this.cameraOff),
        this.canShare ? button(this.word(this.sharing ? "stop_sharing" : "share"), "call-share", () => this.toggleShare(), this.sharing) : "",
        button(this.word("hang_up"), "call-hangup danger", () => this.hangUp())));
    for (const video of panel.querySelectorAll("video")) video.play?.().catch(() => {});
  }

  /** The panel's text for `key`: the page's own words if it gave them, else English. */
  word(key, vars = {}) {
    const text = this.words?.(key, vars) ?? WORDS[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
  }

  /** Bytes received so far, by kind, and each connection's state (tests, diagnostics). */
  async stats() {
    const inbound = { audio: 0, video: 0 };
    const relayed = [];
    for (const { pc } of this.peers.values()) {
      const report = await pc.getStats();
      report.forEach((s) => {
        if (s.type === "inbound-rtp") inbound[s.kind] += s.bytesReceived || 0;
        if (s.type === "candidate-pair" && s.state === "succeeded" && s.nominated) {
          relayed.push(report.get(s.localCandidateId)?.candidateType === "relay");
        }
      });
    }
    return { state: this.state, inbound, relayed, peers: [...this.peers.values()].map((p) => p.pc.connectionState) };
  }
}

function present(call) {
  return (call.participants || []).filter((p) => !p.left_at);
}

function deniedText(client, error) {
  if (error?.name === "NotAllowedError") return client.word("blocked");
  if (error?.name === "NotFoundError") return client.word("no_devices");
  return client.word("unavailable", { error: error?.message || client.word("unknown_error") });
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "ariaLabel") node.setAttribute("aria-label", value);
    else node[key] = value;
  }
  for (const child of children) if (child !== "" && child != null) node.append(child);
  return node;
}

function button(label, className, onclick, pressed) {
  const b = el("button", { type: "button", className: `call-btn ${className}`, onclick }, label);
  if (pressed !== undefined) b.setAttribute("aria-pressed", String(Boolean(pressed)));
  return b;
}
