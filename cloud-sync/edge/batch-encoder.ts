// Builds the wire payload of an events batch by splicing event JSON text between a
// fixed prefix and suffix: no parse and re-serialise per event. The events' JSON comes
// finished from the store (written once at append, edge/store/event-wire.ts).
export class EventBatchEncoder {
  readonly prefix: string;
  readonly suffix = ']}';

  constructor(site: string, device: string) {
    this.prefix = `{"v":1,"site":${JSON.stringify(site)},"device":${JSON.stringify(device)},"events":[`;
  }

  /** Bytes the prefix and suffix add to every batch. */
  get overheadBytes(): number {
    return Buffer.byteLength(this.prefix) + this.suffix.length;
  }
}
