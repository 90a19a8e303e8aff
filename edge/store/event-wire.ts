// An event's wire object, `{"id","ts","type","source","data"}` as MQTT contract v1 carries it in
// an events batch, built once when the event is appended and stored as it is: the outbox then
// reads finished text and joins it, with no JSON built per event on every send.
/** Wire JSON of one event around its data's JSON text (no parse and re-serialise). */
export class EventWireEncoder {
  private readonly quoted = new Map<string, string>();

  /** `dataJson` is JSON.stringify(data); ids are UUIDs (no escaping needed); ts in whole ms. */
  encode(id: string, tsMs: number, type: string, source: string, dataJson: string): string {
    return `{"id":"${id}","ts":${Math.trunc(tsMs)},"type":${this.quote(type)},"source":${this.quote(source)},"data":${dataJson}}`;
  }

  /** Types and sources repeat: each is quoted once (bounded, for a producer with endless names). */
  private quote(s: string): string {
    let q = this.quoted.get(s);
    if (q === undefined) {
      q = JSON.stringify(s);
      if (this.quoted.size < 10_000) this.quoted.set(s, q);
    }
    return q;
  }
}
