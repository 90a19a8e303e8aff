// What the outbox learns from a broker that refuses its publishes: MQTT 5 PUBACK reason
// codes that refuse the topic (nothing is sent until a retry time) or the payload (the
// batch's events go one per batch), and sessions the broker closes right after we
// publish (brokers that drop the link instead of refusing), which narrow batches too.

/** PUBACK reason codes (MQTT 5) the outbox acts on. */
export const REASON_CODE = {
  /** 0x80 and above: the publish failed. */
  FIRST_ERROR: 0x80,
  NOT_AUTHORIZED: 0x87,
  TOPIC_NAME_INVALID: 0x90,
  PACKET_TOO_LARGE: 0x95,
} as const;

/** Refusals of the topic, not the payload: splitting the batch would not help. */
export function refusesTopic(reasonCode: number): boolean {
  return reasonCode === REASON_CODE.NOT_AUTHORIZED || reasonCode === REASON_CODE.TOPIC_NAME_INVALID;
}

/** Sessions in a row dropped after a publish before batches go one event each. */
const DROPPED_SESSIONS_BEFORE_SINGLE = 2;
/** Sessions in a row dropped with the same first event before that event is held back. */
const DROPPED_SESSIONS_BEFORE_HOLD = 4;

/** The verdict on a session that ended. */
export interface SessionVerdict {
  /** Sessions in a row the broker closed after we published, acknowledging nothing. */
  droppedInARow: number;
  firstSeq: number;
  batches: number;
  /** An event that kills the session each time: to be held back (null: none). */
  holdSeq: number | null;
}

export class BrokerRefusals {
  /** Events up to this seq go one per batch: a batch containing them was refused (survives reconnects). */
  private singleUntilSeq = 0;
  private blockedUntilMs = 0;
  private blockedReason: string | null = null;
  /** This session: batches published, PUBACKs seen, first and last seq published. */
  private session = { published: 0, acked: 0, firstSeq: 0, lastSeq: 0 };
  private droppedSessions = 0;
  private droppedFirstSeq = -1;

  /** Why nothing is being published, while the broker refuses the events topic. */
  get blocked(): string | null {
    return this.blockedUntilMs > 0 ? this.blockedReason : null;
  }

  /** The topic was refused: nothing is published before nowMs + retryMs. */
  blockTopic(untilMs: number, reason: string): void {
    this.blockedUntilMs = untilMs;
    this.blockedReason = reason;
  }

  /** Milliseconds left before publishing may resume (0: not blocked). */
  blockedForMs(nowMs: number): number {
    if (this.blockedUntilMs === 0) return 0;
    const waitMs = this.blockedUntilMs - nowMs;
    if (waitMs > 0) return waitMs;
    this.blockedUntilMs = 0;
    return 0;
  }

  /** A publish was accepted: the topic is not refused. */
  noteAccepted(): void {
    this.blockedReason = null;
  }

  /** A payload refusal (or a dropped session): events through lastSeq go one per batch. */
  sendSinglyThrough(lastSeq: number): void {
    this.singleUntilSeq = Math.max(this.singleUntilSeq, lastSeq);
  }

  /** How many events the batch after `cursor` may carry. */
  maxEventsAfter(cursor: number, maxEvents: number): number {
    return cursor < this.singleUntilSeq ? 1 : maxEvents;
  }

  startSession(): void {
    this.session = { published: 0, acked: 0, firstSeq: 0, lastSeq: 0 };
  }

  notePublished(firstSeq: number, lastSeq: number): void {
    const s = this.session;
    if (s.published++ === 0) s.firstSeq = firstSeq;
    s.lastSeq = Math.max(s.lastSeq, lastSeq);
  }

  noteAnswered(): void {
    this.session.acked++;
    this.droppedSessions = 0;
  }

  /**
   * Some brokers (Mosquitto 2.0.11 on an ACL denial, many on an oversized packet with
   * MQTT 3.1.1) drop the connection instead of refusing a publish. After two such
   * sessions the outbox sends one event per batch; if the same first event kills two
   * more, it is held back so the rest can flow. Null when the session was not dropped so.
   */
  endSession(): SessionVerdict | null {
    const s = this.session;
    if (s.published === 0 || s.acked > 0) return null;
    this.droppedSessions++;
    const verdict: SessionVerdict = { droppedInARow: this.droppedSessions, firstSeq: s.firstSeq, batches: s.published, holdSeq: null };
    if (this.droppedSessions >= DROPPED_SESSIONS_BEFORE_SINGLE && s.lastSeq > this.singleUntilSeq) {
      this.singleUntilSeq = s.lastSeq;
      this.droppedFirstSeq = -1;
      return verdict;
    }
    if (s.firstSeq <= this.singleUntilSeq) {
      if (this.droppedFirstSeq === s.firstSeq && this.droppedSessions >= DROPPED_SESSIONS_BEFORE_HOLD) {
        verdict.holdSeq = s.firstSeq;
        this.droppedSessions = DROPPED_SESSIONS_BEFORE_SINGLE;
      }
      this.droppedFirstSeq = s.firstSeq;
    }
    return verdict;
  }
}
