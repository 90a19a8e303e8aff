// onnxruntime-node's telemetry is off (#27): a real detection run in a child process with
// its own HOME writes no ~/.cache/Microsoft/DeveloperTools/.onnxruntime files and no
// /tmp/mat-debug-<pid>.log. Without ort-privacy.ts both appear on every run.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/footfall.js', import.meta.url));
const IMAGE = '/usr/share/doc/opencv-doc/examples/data/Blender_Suzanne1.jpg';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

describe('onnxruntime telemetry', () => {
  it('a detection writes nothing outside dataDir: no onnxruntime.db, no device id, no mat-debug log', async () => {
    expect(existsSync(IMAGE), `${IMAGE} is missing: apt-get install opencv-doc`).toBe(true);
    const home = mkdtempSync(join(tmpdir(), 'footfall-home-'));
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    delete env.ORT_DISABLE_TELEMETRY;
    const child = spawn(process.execPath, [BIN, 'detect', '--image', IMAGE, '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code, out).toBe(0);
    expect(out).toContain('"timingsMs"');
    expect(filesUnder(home)).toEqual([]);
    expect(existsSync(`/tmp/mat-debug-${child.pid}.log`)).toBe(false);
  }, 120_000);
});
