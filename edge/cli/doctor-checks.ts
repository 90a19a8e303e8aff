// The checks behind `footfall doctor`: each looks at one thing the agent needs and
// says, when it is wrong, how to fix it. Checks never throw.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, statfsSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, isAbsolute, resolve } from 'node:path';
import { resolveModel } from '../../models/index.ts';
import type { FootfallConfig } from '../config/index.ts';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}


function run(cmd: string, args: string[], timeoutMs = 5_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? ((err as unknown as { code: number }).code) : null) : 0;
      res({ code: err && code === 0 ? 1 : code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export async function checkFfmpeg(): Promise<CheckResult> {
  const r = await run('ffmpeg', ['-hide_banner', '-version']);
  if (r.code !== 0) {
    return { name: 'ffmpeg', status: 'fail', detail: 'ffmpeg not found on PATH', fix: 'apt-get install -y ffmpeg' };
  }
  const version = /ffmpeg version (\S+)/.exec(r.stdout)?.[1] ?? 'unknown';
  return { name: 'ffmpeg', status: 'ok', detail: `ffmpeg ${version}` };
}

export async function checkCapture(config: FootfallConfig): Promise<CheckResult> {
  const wanted = config.wifi.sensors.some((s) => s.interface);
  let pcapLoaded = true;
  try {
    await import('pcap');
  } catch {
    pcapLoaded = false;
  }
  if (!pcapLoaded) {
    return {
      name: 'capture',
      status: wanted ? 'fail' : 'warn',
      detail: 'node-pcap native module does not load (libpcap missing at build time?)',
      fix: 'apt-get install -y libpcap-dev && npm rebuild pcap',
    };
  }
  const status = await readCapabilities();
  if (!status.canCapture) {
    return {
      name: 'capture',
      status: wanted ? 'fail' : 'warn',
      detail: 'libpcap loads, but this process may not capture live packets (not root, no CAP_NET_RAW)',
      fix: `run as root, or: setcap cap_net_raw,cap_net_admin=eip ${process.execPath}`,
    };
  }
  return { name: 'capture', status: 'ok', detail: `libpcap loads; live capture permitted (${status.why})` };
}

async function readCapabilities(): Promise<{ canCapture: boolean; why: string }> {
  if (process.getuid?.() === 0) return { canCapture: true, why: 'root' };
  try {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync('/proc/self/status', 'utf8');
    const eff = /CapEff:\s*([0-9a-f]+)/.exec(text)?.[1];
    if (eff && (BigInt(`0x${eff}`) & (1n << 13n)) !== 0n) return { canCapture: true, why: 'CAP_NET_RAW' };
  } catch {
    // Not Linux: fall through.
  }
  return { canCapture: false, why: '' };
}

export function checkModel(config: FootfallConfig, cwd: string): CheckResult {
  const name = config.detector.model;
  try {
    // The agent's own search and checksum check, so the doctor says what the agent will do.
    const found = resolveModel(name, { cwd, modelDirs: config.detector.modelDirs });
    return { name: 'model', status: 'ok', detail: `${name}: ${found.path}${found.verified ? ' (sha256 verified)' : ''}` };
  } catch (err) {
    return {
      name: 'model',
      status: 'fail',
      detail: (err as Error).message,
      fix: 'put the .onnx file in ./models (see `footfall models` for names, sizes and sources) or set detector.model to its path',
    };
  }
}

export function checkDatabasePath(config: FootfallConfig, cwd: string): CheckResult {
  const dataDir = isAbsolute(config.dataDir) ? config.dataDir : resolve(cwd, config.dataDir);
  const db = isAbsolute(config.store.path) ? config.store.path : resolve(dataDir, config.store.path);
  try {
    mkdirSync(dirname(db), { recursive: true });
    accessSync(dirname(db), constants.W_OK);
    if (existsSync(db)) accessSync(db, constants.R_OK | constants.W_OK);
  } catch {
    return { name: 'database', status: 'fail', detail: `${db} is not writable`, fix: `check the owner and permissions of ${dirname(db)}, or set dataDir` };
  }
  try {
    const fs = statfsSync(dirname(db));
    const freeMb = (fs.bavail * fs.bsize) / 2 ** 20;
    if (freeMb < 200) {
      return { name: 'database', status: 'warn', detail: `${db}: only ${freeMb.toFixed(0)} MiB free on its disk`, fix: 'free disk space or lower store.retention.maxSizeMb' };
    }
    return { name: 'database', status: 'ok', detail: `${db} (${existsSync(db) ? 'exists' : 'will be created'}; ${(freeMb / 1024).toFixed(1)} GiB free)` };
  } catch {
    return { name: 'database', status: 'ok', detail: db };
  }
}

export function checkBroker(config: FootfallConfig): Promise<CheckResult> {
  if (!config.mqtt.url) {
    const e = config.mqtt.embedded;
    return Promise.resolve(
      e.enabled
        ? { name: 'broker', status: 'ok', detail: `no upstream configured: the embedded broker will listen on ${e.host}:${e.port}` }
        : { name: 'broker', status: 'warn', detail: 'no upstream broker and the embedded broker is off: events stay on this box', fix: 'set mqtt.url' },
    );
  }
  let url: URL;
  try {
    url = new URL(config.mqtt.url);
  } catch {
    return Promise.resolve({ name: 'broker', status: 'fail', detail: `mqtt.url is not a URL: ${config.mqtt.url}` });
  }
  const secure = url.protocol === 'mqtts:' || url.protocol === 'wss:';
  const port = Number(url.port || (url.protocol === 'ws:' ? 80 : url.protocol === 'wss:' ? 443 : secure ? 8883 : 1883));
  const host = url.hostname;
  return new Promise((res) => {
    const socket = connect({ host, port, timeout: 3_000 });
    const done = (r: CheckResult) => {
      socket.destroy();
      res(r);
    };
    socket.once('connect', () => done({ name: 'broker', status: 'ok', detail: `${host}:${port} accepts TCP connections` }));
    socket.once('timeout', () => done({ name: 'broker', status: 'fail', detail: `${host}:${port} did not answer within 3 s`, fix: 'check the broker address, firewall and network' }));
    socket.once('error', (err) =>
      done({ name: 'broker', status: 'fail', detail: `${host}:${port}: ${err.message}`, fix: 'check that the broker runs and mqtt.url is right' }),
    );
  });
}

export function checkCameras(config: FootfallConfig, demoVideo: string): CheckResult {
  if (config.cameras.length > 0) {
    const noUrl = config.cameras.filter((c) => c.enabled && !c.url);
    if (noUrl.length > 0) return { name: 'cameras', status: 'fail', detail: `no url: ${noUrl.map((c) => c.name).join(', ')}`, fix: 'give every enabled camera a stream URL, file path or V4L2 device' };
    const files = config.cameras.filter((c): c is typeof c & { url: string } => c.url !== undefined && !/^[a-z]+:\/\//i.test(c.url) && !c.url.startsWith('/dev/'));
    const missing = files.filter((c) => !existsSync(c.url));
    if (missing.length > 0) {
      return { name: 'cameras', status: 'fail', detail: `file source not found: ${missing.map((c) => `${c.name} (${c.url})`).join(', ')}` };
    }
    return { name: 'cameras', status: 'ok', detail: `${config.cameras.length} camera(s) configured` };
  }
  if (!config.demoCamera) return { name: 'cameras', status: 'warn', detail: 'no camera configured and the demo camera is off' };
  if (existsSync(demoVideo)) return { name: 'cameras', status: 'ok', detail: `no camera configured: demo video ${demoVideo}` };
  return { name: 'cameras', status: 'warn', detail: `no camera configured and the demo video ${demoVideo} is missing`, fix: 'apt-get install -y opencv-doc' };
}
