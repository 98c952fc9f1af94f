// Read receipts on the Customer's side. The chat tells the server how far it has
// received the room (when agents' messages arrive) and read it (while the chat
// is open and on screen); agents see those as "Delivered" and "Read". Agents'
// own reads come back as `seenSeq`, the Customer's "Seen".

const REPORT_AFTER_MS = 300;

export class Receipts {
  /**
   * post(issueId, {delivered_seq, read_seq}) sends a report; canRead() says the
   * Customer can see the conversation now; onSeen() redraws after agents read.
   */
  constructor({ post, canRead, onSeen }) {
    this.post = post;
    this.canRead = canRead;
    this.onSeen = onSeen;
    this.issueId = null;
    this.upTo = 0; // the highest message number received, in order
    this.reported = { delivered: 0, read: 0 };
    this.seenSeq = 0; // the furthest an agent has read
    this.timer = null;
  }

  /** Marks belong to one Issue: a different one starts from nothing. */
  follow(issueId) {
    if (issueId === this.issueId) return;
    this.issueId = issueId;
    this.upTo = 0;
    this.reported = { delivered: 0, read: 0 };
    this.seenSeq = 0;
  }

  /** The room's messages up to `seq` are on this device; `report` says so now. */
  received(issueId, seq, { report = true } = {}) {
    this.follow(issueId);
    this.upTo = Math.max(this.upTo, seq);
    if (report) this.soon();
  }

  /** A receipt from the server (a page's list or `receipt.updated`). */
  take(issueId, receipt) {
    if (!receipt?.reader) return;
    this.follow(issueId);
    if (receipt.reader.kind === "customer") {
      this.reported.delivered = Math.max(this.reported.delivered, receipt.delivered_seq);
      this.reported.read = Math.max(this.reported.read, receipt.read_seq);
    } else if (receipt.read_seq > this.seenSeq) {
      this.seenSeq = receipt.read_seq;
      this.onSeen();
    }
  }

  /** The chat came into view (opened, or the tab shown again). */
  looked() {
    this.soon();
  }

  soon() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.report(), REPORT_AFTER_MS);
  }

  async report() {
    if (!this.issueId || !this.upTo) return;
    const delivered = Math.max(this.upTo, this.reported.delivered);
    const read = this.canRead() ? Math.max(this.upTo, this.reported.read) : this.reported.read;
    if (delivered === this.reported.delivered && read === this.reported.read) return;
    const issueId = this.issueId;
    const before = this.reported;
    this.reported = { delivered, read };
    try {
      await this.post(issueId, { delivered_seq: delivered, read_seq: read });
    } catch (error) {
      if (issueId === this.issueId) this.reported = before; // the next message or look says it again
    }
  }
}
