// Small pure pieces: reconnect backoff with jitter, error descriptions, the rate
// meter and the mqtt config section.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../edge/config/load.ts';
import { describeConnectionError } from './connection-errors.ts';
import { backoffDelayMs } from './mqtt-connection.ts';
import { RateMeter } from './rate-meter.ts';

describe('backoffDelayMs', () => {
  const policy = { initialDelayMs: 500, maxDelayMs: 30_000, multiplier: 2, jitter: 0.3 };
  it('grows exponentially, caps, and adds at most the jitter share', () => {
    expect(backoffDelayMs(policy, 0, () => 0)).toBe(500);
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(4_000);
    expect(backoffDelayMs(policy, 50, () => 0)).toBe(30_000);
    expect(backoffDelayMs(policy, 50, () => 0.999_999)).toBe(39_000);
    const samples = Array.from({ length: 200 }, () => backoffDelayMs(policy, 2));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(2_000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(2_600);
    expect(new Set(samples).size).toBeGreaterThan(50); // boxes do not reconnect in lockstep
  });
});

describe('describeConnectionError', () => {
  const where = 'mqtt://broker:1883';
  it.each([
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'unreachable', /refused the TCP connection/],
    [Object.assign(new Error('getaddrinfo ENOTFOUND broker'), { code: 'ENOTFOUND' }), 'unreachable', /cannot be resolved/],
    [Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), 'tls', /not trusted .*mqtt\.tls\.ca/],
    [Object.assign(new Error("Hostname/IP does not match certificate's altnames"), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'tls', /mqtt\.tls\.servername/],
    [Object.assign(new Error('Connection refused: Bad User Name or Password'), { code: 134 }), 'auth', /rejected our credentials \(bad user name or password\)/],
    [Object.assign(new Error('Connection refused: Server unavailable'), { code: 136 }), 'refused', /refused the connection \(server unavailable, code 136\)/],
  ])('%s', (err, kind, message) => {
    const d = describeConnectionError(err, where, 5);
    expect(d.kind).toBe(kind);
    expect(d.message).toMatch(message);
  });

  it('reads MQTT 3.1.1 return codes', () => {
    const d = describeConnectionError(Object.assign(new Error('Connection refused: Bad username or password'), { code: 4 }), where, 4);
    expect(d).toEqual({ kind: 'auth', message: expect.stringMatching(/rejected our credentials \(bad username or password\)/) });
  });
});

describe('RateMeter', () => {
  it('averages over the window and forgets old seconds', () => {
    let now = 100_000;
    const m = new RateMeter(10, () => now);
    for (let s = 0; s < 10; s++) {
      m.add(1_000);
      now += 1_000;
    }
    expect(m.perSecond()).toBeCloseTo(1_000, -1);
    now += 20_000;
    expect(m.perSecond()).toBe(0);
  });
});

describe('mqtt config section', () => {
  it('has defaults that need no broker configuration', () => {
    const { mqtt } = validateConfig({});
    expect(mqtt).toMatchObject({ protocolVersion: 5, cleanSession: false, maxInFlight: 8, batch: { maxEvents: 500, maxBytes: 131_072 }, embedded: { enabled: true, port: 1883 }, homeAssistant: { enabled: false } });
    expect(mqtt.url).toBeUndefined();
  });

  it.each([
    [{ url: 'http://broker' }, /mqtt\.url: must be a URL with scheme mqtt, mqtts, ws or wss, got "http:\/\/broker"/],
    [{ protocolVersion: 3 }, /mqtt\.protocolVersion: must be 4 \(MQTT 3\.1\.1\) or 5 \(MQTT 5\), got 3/],
    [{ tls: { cert: 'box.pem' } }, /mqtt\.tls: needs both "cert" and "key"/],
    [{ batch: { maxEvents: 0 } }, /mqtt\.batch\.maxEvents: must be a whole number between 1 and 10000, got 0/],
    [{ reconnect: { initialDelayMs: 5_000, maxDelayMs: 1_000 } }, /reconnect\.maxDelayMs must be >= reconnect\.initialDelayMs/],
    [{ brokerUrl: 'mqtt://x' }, /mqtt: unknown field "brokerUrl"/],
  ])('refuses %j', (mqtt, message) => {
    expect(() => validateConfig({ mqtt })).toThrow(message);
  });
});
