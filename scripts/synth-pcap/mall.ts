// A simulated mall for synthetic Wi-Fi captures with known truth: shoppers, passers-by and
// staff walk between waypoints carrying phones of several models; each model has its own IE
// set, probe-burst rhythm and MAC-rotation policy; each sensor hears every probe with an
// RSSI from log-distance path loss plus shadowing. Writes one radiotap pcap per sensor.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '../../edge/shared/random.ts';
import { buildRadiotapProbe, PcapWriter } from '../../edge/wifi/index.ts';

/**
 * How a model changes its source address. 'per-frame': a fresh address for every probe of a
 * burst (one per channel), as the polimi iPhone 11/12 captures show (address changes 40-60 ms apart).
 */
export type RotationPolicy = 'fixed' | 'per-frame' | 'per-burst' | 'per-interval' | 'per-visit';

export interface DeviceModel {
  name: string;
  share: number;
  rotation: RotationPolicy;
  /** Minutes between address changes for 'per-interval'. */
  rotateMinutes?: number;
  /** Sequence numbers restart at a random value when the address changes (iOS does). */
  seqResetOnRotate: boolean;
  burstIntervalS: number;
  framesPerBurst: [number, number];
  /** IE body after the SSID element. */
  elements: Uint8Array;
  directedSsidShare: number;
}

function ies(...parts: Array<[number, number[]]>): Uint8Array {
  const out: number[] = [];
  for (const [id, body] of parts) out.push(id, body.length, ...body);
  return Uint8Array.from(out);
}

const RATES: [number, number[]] = [1, [0x02, 0x04, 0x0b, 0x16]];
const EXT_RATES: [number, number[]] = [50, [0x0c, 0x12, 0x18, 0x24, 0x30, 0x48, 0x60, 0x6c]];
const ht = (cap: number): [number, number[]] => [45, [cap & 0xff, cap >> 8, 0x17, 0xff, ...new Array<number>(22).fill(0)]];

export const DEVICE_MODELS: DeviceModel[] = [
  {
    name: 'ios-a', share: 0.3, rotation: 'per-frame', seqResetOnRotate: true, burstIntervalS: 40, framesPerBurst: [2, 3], directedSsidShare: 0,
    elements: ies(RATES, EXT_RATES, ht(0x002d), [127, [0x04, 0, 0x0a, 0x02, 0x01, 0x40, 0x40, 0x80]], [221, [0x00, 0x17, 0xf2, 0x0a, 0x00, 0x01, 0x04]], [221, [0x00, 0x10, 0x18, 0x02, 0x00, 0x00, 0x10, 0x00, 0x00]]),
  },
  {
    name: 'ios-b', share: 0.15, rotation: 'per-burst', seqResetOnRotate: true, burstIntervalS: 55, framesPerBurst: [1, 3], directedSsidShare: 0,
    elements: ies(RATES, EXT_RATES, ht(0x0063), [127, [0x04, 0, 0x0a, 0x02, 0x01, 0x40, 0x40, 0x80, 0x20]], [191, [0x32, 0x70, 0x80, 0x0f, 0xfe, 0xff, 0, 0, 0xfe, 0xff, 0, 0]], [221, [0x00, 0x17, 0xf2, 0x0a, 0x00, 0x01, 0x04]]),
  },
  {
    name: 'galaxy', share: 0.2, rotation: 'per-interval', rotateMinutes: 15, seqResetOnRotate: false, burstIntervalS: 30, framesPerBurst: [2, 4], directedSsidShare: 0.1,
    elements: ies(RATES, EXT_RATES, ht(0x01ef), [127, [0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x40]], [255, [35, 0x01, 0x08, 0x1a, 0x40, 0x00, 0x04, 0x70, 0x0c, 0x89, 0x7f, 0x03, 0x80]], [221, [0x00, 0x90, 0x4c, 0x04, 0x08, 0xbf, 0x0c]]),
  },
  {
    name: 'pixel', share: 0.15, rotation: 'per-visit', seqResetOnRotate: false, burstIntervalS: 25, framesPerBurst: [2, 4], directedSsidShare: 0.05,
    elements: ies(RATES, EXT_RATES, ht(0x11ef), [127, [0x04, 0x00, 0x48, 0x00, 0x01, 0x00, 0x40, 0x40]], [255, [35, 0x03, 0x08, 0x1a, 0x40, 0x00, 0x04]], [221, [0x00, 0x50, 0xf2, 0x08, 0x00, 0x21]]),
  },
  {
    name: 'laptop', share: 0.1, rotation: 'fixed', seqResetOnRotate: false, burstIntervalS: 60, framesPerBurst: [1, 2], directedSsidShare: 0.5,
    elements: ies(RATES, EXT_RATES, ht(0x006e), [221, [0x00, 0x50, 0xf2, 0x04, 0x10, 0x4a, 0x00, 0x01, 0x10]]),
  },
  {
    name: 'old-android', share: 0.1, rotation: 'fixed', seqResetOnRotate: false, burstIntervalS: 35, framesPerBurst: [1, 3], directedSsidShare: 0.3,
    elements: ies(RATES, EXT_RATES, ht(0x012c), [221, [0x00, 0x10, 0x18, 0x02, 0x00, 0x00, 0x1c, 0x00, 0x00]]),
  },
];

export type PersonClass = 'passerby' | 'visitor' | 'staff';

export interface MallOptions {
  frames: number;
  sensors: number;
  seed: number;
  /** Start of the simulated day (ms since epoch). */
  startMs: number;
  spanMs: number;
  outDir: string;
}

export interface SensorPosition {
  name: string;
  x: number;
  y: number;
}

export interface DeviceTruth {
  id: number;
  model: string;
  class: PersonClass;
  randomized: boolean;
  addresses: number;
  firstMs: number;
  lastMs: number;
  frames: number;
}

export interface MallTruth {
  seed: number;
  frames: number;
  framesPerSensor: Record<string, number>;
  sensors: SensorPosition[];
  startMs: number;
  spanMs: number;
  devices: number;
  randomizedDevices: number;
  addresses: number;
  randomizedAddresses: number;
  byClass: Record<PersonClass, number>;
  /** Devices with at least one frame in each minute (index = minute since startMs). */
  devicesPerMinute: number[];
  /** Distinct devices each sensor heard, and per minute. */
  devicesBySensor: Record<string, number>;
  devicesPerMinuteBySensor: Record<string, number[]>;
  deviceList: DeviceTruth[];
  files: string[];
}

const MALL_W = 200;
const MALL_H = 40;
const P0_DBM = -38;
const PATH_LOSS_N = 3.0;
const SHADOW_SD_DB = 4;
const FLOOR_DBM = -93;
const CHANNELS = [2412, 2437, 2462];
const GLOBAL_OUIS = [0x3c5ab4, 0x001a11, 0xf0d5bf, 0x8c8590, 0xacde48];

class FrameTable {
  ts: number[] = [];
  device: number[] = [];
  sensor: number[] = [];
  rssi: number[] = [];
  seq: number[] = [];
  address: number[] = [];
  channel: number[] = [];
  ssid: number[] = [];
  get length(): number {
    return this.ts.length;
  }
}

/** Simulates the mall and writes sensor-N.pcap files plus truth.json into outDir. */
export function generateMall(options: MallOptions): MallTruth {
  const rnd = new SeededRandom(options.seed);
  const sensors: SensorPosition[] = [];
  for (let s = 0; s < options.sensors; s++) {
    sensors.push({ name: `sensor-${s + 1}`, x: ((s + 0.5) * MALL_W) / options.sensors, y: MALL_H / 2 });
  }
  const addresses: number[] = []; // 6 bytes per address
  const addressRandomized: boolean[] = [];
  const newAddress = (randomized: boolean): number => {
    const id = addressRandomized.length;
    if (randomized) {
      addresses.push((rnd.int(0, 255) & 0xfc) | 0x02, rnd.int(0, 255), rnd.int(0, 255));
    } else {
      const oui = rnd.pick(GLOBAL_OUIS);
      addresses.push(oui >> 16, (oui >> 8) & 0xff, oui & 0xff);
    }
    addresses.push(rnd.int(0, 255), rnd.int(0, 255), rnd.int(0, 255));
    addressRandomized.push(randomized);
    return id;
  };
  const frames = new FrameTable();
  const devices: Array<Omit<DeviceTruth, 'addresses' | 'firstMs' | 'lastMs' | 'frames'>> = [];
  const endMs = options.startMs + options.spanMs;
  const totalShare = DEVICE_MODELS.reduce((a, m) => a + m.share, 0);
  const pickModel = (): DeviceModel => {
    let r = rnd.next() * totalShare;
    for (const m of DEVICE_MODELS) if ((r -= m.share) <= 0) return m;
    return DEVICE_MODELS[DEVICE_MODELS.length - 1]!;
  };
  // Keep adding people until the sensors have heard enough frames.
  while (frames.length < options.frames) {
    const id = devices.length;
    const model = pickModel();
    const u = rnd.next();
    const cls: PersonClass = u < 0.04 ? 'staff' : u < 0.45 ? 'passerby' : 'visitor';
    let arrive: number;
    let dwellMs: number;
    if (cls === 'staff') {
      arrive = options.startMs + rnd.next() * Math.min(options.spanMs * 0.1, 3_600_000);
      dwellMs = options.spanMs * (0.85 + 0.1 * rnd.next());
    } else if (cls === 'passerby') {
      arrive = options.startMs + rnd.next() * options.spanMs;
      dwellMs = 30_000 + rnd.next() * 150_000;
    } else {
      arrive = options.startMs + rnd.next() * options.spanMs;
      dwellMs = Math.min(3 * 3_600_000, Math.exp(rnd.normal(Math.log(25 * 60_000), 0.7)));
    }
    const leave = Math.min(endMs, arrive + dwellMs);
    devices.push({ id, model: model.name, class: cls, randomized: model.rotation !== 'fixed' });
    // Walk: passers-by cross the mall end to end along one line; others wander between waypoints.
    let x = cls === 'passerby' ? (rnd.next() < 0.5 ? 0 : MALL_W) : rnd.next() * MALL_W;
    let y = rnd.next() * MALL_H;
    let tx = cls === 'passerby' ? MALL_W - x : rnd.next() * MALL_W;
    let ty = cls === 'passerby' ? y : rnd.next() * MALL_H;
    let pauseUntil = 0;
    const speed = cls === 'passerby' ? 1.3 : 0.9;
    let address = newAddress(model.rotation !== 'fixed');
    let addressSince = arrive;
    let seq = rnd.int(0, 4095);
    let lastT = arrive;
    const ssidId = rnd.next() < model.directedSsidShare ? rnd.int(1, 5) : 0;
    for (let t = arrive + rnd.next() * model.burstIntervalS * 1000; t < leave; t += model.burstIntervalS * 1000 * (0.6 + 0.8 * rnd.next())) {
      // Move from lastT to t.
      if (t > pauseUntil) {
        let dt = (t - Math.max(lastT, pauseUntil)) / 1000;
        while (dt > 0) {
          const dx = tx - x;
          const dy = ty - y;
          const dist = Math.hypot(dx, dy);
          const step = speed * dt;
          if (step < dist) {
            x += (dx / dist) * step;
            y += (dy / dist) * step;
            dt = 0;
          } else {
            x = tx;
            y = ty;
            dt -= dist / speed;
            tx = rnd.next() * MALL_W;
            ty = rnd.next() * MALL_H;
            if (cls !== 'passerby' && rnd.next() < 0.5) {
              pauseUntil = t + rnd.exponential(120_000);
              dt = 0;
            }
          }
        }
      }
      lastT = t;
      // Rotate the address by policy.
      const rotate =
        (model.rotation === 'per-burst' && t > arrive + 1) ||
        (model.rotation === 'per-interval' && t - addressSince > (model.rotateMinutes ?? 15) * 60_000);
      if (rotate) {
        address = newAddress(true);
        addressSince = t;
        if (model.seqResetOnRotate) seq = rnd.int(0, 4095);
      }
      const n = rnd.int(model.framesPerBurst[0], model.framesPerBurst[1]);
      for (let k = 0; k < n; k++) {
        const ft = t + k * (15 + rnd.next() * 40);
        const ch = CHANNELS[k % CHANNELS.length]!;
        if (model.rotation === 'per-frame' && k > 0) {
          address = newAddress(true);
          seq = rnd.int(0, 4095);
        }
        seq = (seq + 1) & 4095;
        for (let s = 0; s < sensors.length; s++) {
          const d = Math.max(1, Math.hypot(x - sensors[s]!.x, y - sensors[s]!.y));
          const rssi = Math.round(P0_DBM - 10 * PATH_LOSS_N * Math.log10(d) + rnd.normal(0, SHADOW_SD_DB));
          if (rssi < FLOOR_DBM) continue;
          frames.ts.push(ft);
          frames.device.push(id);
          frames.sensor.push(s);
          frames.rssi.push(Math.max(-100, Math.min(-10, rssi)));
          frames.seq.push(seq);
          frames.address.push(address);
          frames.channel.push(ch);
          frames.ssid.push(ssidId);
        }
      }
    }
  }
  // Keep the first `frames` frames in time order: the truth is computed from what is written.
  const order = Uint32Array.from({ length: frames.length }, (_, i) => i);
  const ts = Float64Array.from(frames.ts);
  order.sort((a, b) => ts[a]! - ts[b]! || a - b);
  const kept = order.subarray(0, options.frames);
  mkdirSync(options.outDir, { recursive: true });
  const files = sensors.map((s) => join(options.outDir, `${s.name}.pcap`));
  const writers = files.map((f) => new PcapWriter(f, 127));
  const scratch = new Uint8Array(512);
  const mac = new Uint8Array(6);
  const ssids = [null, 'MallGuest', 'HomeNet-4F2A', 'eduroam', 'CoffeeShop', 'iPhone de Ana'].map((s) => (s ? new TextEncoder().encode(s) : null));
  const modelByName = new Map(DEVICE_MODELS.map((m) => [m.name, m]));
  const stats = devices.map(() => ({ first: Infinity, last: -Infinity, frames: 0, addrs: new Set<number>() }));
  const minutes = Math.ceil(options.spanMs / 60_000) + 1;
  const perMinute = Array.from({ length: minutes }, () => new Set<number>());
  const perSensorMinute = sensors.map(() => Array.from({ length: minutes }, () => new Set<number>()));
  const perSensor = sensors.map(() => new Set<number>());
  for (const i of kept) {
    const dev = frames.device[i]!;
    const addr = frames.address[i]!;
    for (let b = 0; b < 6; b++) mac[b] = addresses[addr * 6 + b]!;
    const model = modelByName.get(devices[dev]!.model)!;
    const len = buildRadiotapProbe(scratch, mac, frames.seq[i]!, frames.rssi[i]!, frames.channel[i]!, ssids[frames.ssid[i]!]!, model.elements);
    writers[frames.sensor[i]!]!.write(frames.ts[i]!, scratch, 0, len);
    const st = stats[dev]!;
    st.first = Math.min(st.first, frames.ts[i]!);
    st.last = Math.max(st.last, frames.ts[i]!);
    st.frames++;
    st.addrs.add(addr);
    const m = Math.floor((frames.ts[i]! - options.startMs) / 60_000);
    if (m >= 0 && m < minutes) {
      perMinute[m]!.add(dev);
      perSensorMinute[frames.sensor[i]!]![m]!.add(dev);
    }
    perSensor[frames.sensor[i]!]!.add(dev);
  }
  const framesPerSensor: Record<string, number> = {};
  writers.forEach((w, s) => {
    w.close();
    framesPerSensor[sensors[s]!.name] = w.records;
  });
  const deviceList: DeviceTruth[] = [];
  devices.forEach((d, i) => {
    const st = stats[i]!;
    if (st.frames === 0) return;
    deviceList.push({ ...d, addresses: st.addrs.size, firstMs: st.first, lastMs: st.last, frames: st.frames });
  });
  const byClass: Record<PersonClass, number> = { passerby: 0, visitor: 0, staff: 0 };
  for (const d of deviceList) byClass[d.class]++;
  const truth: MallTruth = {
    seed: options.seed,
    frames: kept.length,
    framesPerSensor,
    sensors,
    startMs: options.startMs,
    spanMs: options.spanMs,
    devices: deviceList.length,
    randomizedDevices: deviceList.filter((d) => d.randomized).length,
    addresses: deviceList.reduce((a, d) => a + d.addresses, 0),
    randomizedAddresses: deviceList.filter((d) => d.randomized).reduce((a, d) => a + d.addresses, 0),
    byClass,
    devicesPerMinute: perMinute.map((s) => s.size),
    devicesBySensor: Object.fromEntries(sensors.map((s, i) => [s.name, perSensor[i]!.size])),
    devicesPerMinuteBySensor: Object.fromEntries(sensors.map((s, i) => [s.name, perSensorMinute[i]!.map((m) => m.size)])),
    deviceList,
    files,
  };
  writeFileSync(join(options.outDir, 'truth.json'), JSON.stringify(truth));
  return truth;
}

/** A default span for a frame budget: a busy mall hears ~1,500 probes a minute. */
export function defaultSpanMs(frames: number): number {
  return Math.max(10 * 60_000, Math.min(12 * 3_600_000, (frames / 1_500) * 60_000));
}
