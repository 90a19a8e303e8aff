// Builds the wire payload of an events batch by splicing event JSON text between a
// fixed prefix and suffix: no parse and re-serialise per event. The outbox gets the
// event text from the store (EventStore.outbox.unsentWireJson); encodeEvent does the same
// from a row in JS (the bench's reference batches, tests).
import type { StoredEventRow } from '../../edge/store/index.ts';

export class EventBatchEncoder {
  readonly prefix: string;
  readonly suffix = ']}';
  private readonly quoted = new Map<string, string>();

  constructor(site: string, device: string) {
    this.prefix = `{"v":1,"site":${JSON.stringify(site)},"device":${JSON.stringify(device)},"events":[`;
  }

  private quote(s: string): string {
    let q = this.quoted.get(s);
    if (q === undefined) {
      q = JSON.stringify(s);
      if (this.quoted.size < 10_000) this.quoted.set(s, q);
    }
    return q;
  }

  /** One event object as JSON text. Ids are UUIDs (no escaping needed). */
  encodeEvent(row: StoredEventRow): string {
    return `{"id":"${row.id}","ts":${row.ts},"type":${this.quote(row.type)},"source":${this.quote(row.source)},"data":${row.payload}}`;
  }

  /** Bytes the prefix and suffix add to every batch. */
  get overheadBytes(): number {
    return Buffer.byteLength(this.prefix) + this.suffix.length;
  }
}
