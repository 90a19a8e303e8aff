// Saving editor geometry into real YAML files: an implicit (demo) camera gets its own entry,
// defaults are not frozen into the file, and a file that would not validate is not written.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GeometryEditor, parseGeometry } from './geometry-editor.ts';
import { SessionStore, csrfTokenMatches } from './session-store.ts';

const dirs: string[] = [];
function tempFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-geo-'));
  dirs.push(dir);
  const file = join(dir, 'footfall.yaml');
  writeFileSync(file, text);
  return file;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('GeometryEditor', () => {
  it('adds an entry for a camera that runs implicitly (the demo camera), keeping the rest of the file', async () => {
    const file = tempFile('# my box\nsite: mall-1\nlog:\n  level: info # quiet\n');
    const editor = new GeometryEditor(file, {});
    const g = parseGeometry({ lines: [{ name: 'door', points: [[10, 300], [700, 300]] }], zones: [] }, { width: 768, height: 576 });
    const config = await editor.save({ name: 'demo', url: '/videos/demo.mp4', fps: 5, loop: true }, g);
    expect(config.cameras).toHaveLength(1);
    expect(config.cameras[0]).toMatchObject({ name: 'demo', url: '/videos/demo.mp4', loop: true, lines: [{ name: 'door' }] });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# my box');
    expect(text).toContain('level: info # quiet');
    expect(text).toContain('- [ 10, 300 ]');
  });

  it('keeps explicitly written fields of an existing line, drops defaults the page filled in', async () => {
    const file = tempFile('cameras:\n  - name: cam\n    url: rtsp://x/1\n    lines:\n      - name: door\n        points: [[0, 0], [100, 0]]\n        minSideMs: 250\n');
    const editor = new GeometryEditor(file, {});
    // What the page sends back: the parsed config with every default present.
    const g = parseGeometry({ lines: [{ name: 'door', points: [[0, 5], [100, 5]], minDistancePx: 8, minSideMs: 250 }], zones: [] }, null);
    await editor.save({ name: 'cam', url: 'rtsp://x/1' }, g);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('minSideMs: 250');
    expect(text).not.toContain('minDistancePx');
  });

  it('does not write a file that would fail validation', async () => {
    const original = 'cameras:\n  - name: cam\n    url: rtsp://x/1\n    fps: 500\n';
    const file = tempFile(original);
    const g = parseGeometry({ lines: [], zones: [] }, null);
    await expect(new GeometryEditor(file, {}).save({ name: 'cam' }, g)).rejects.toThrow(/cameras\[0\]\.fps/);
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('rejects points outside the camera image', () => {
    expect(() => parseGeometry({ lines: [{ name: 'a', points: [[0, 0], [900, 10]] }], zones: [] }, { width: 768, height: 576 })).toThrow(/outside the 768x576/);
  });
});

describe('SessionStore', () => {
  it('ends a session after the idle timeout and compares CSRF tokens exactly', () => {
    let t = 0;
    const store = new SessionStore(1_000, () => t);
    const { id, session } = store.create();
    t = 900;
    expect(store.get(id)).toBe(session);
    t = 1_800; // idle 900 ms since the last use: still alive (sliding)
    expect(store.get(id)).toBe(session);
    t = 2_900;
    expect(store.get(id)).toBeNull();
    expect(csrfTokenMatches(session, session.csrfToken)).toBe(true);
    expect(csrfTokenMatches(session, `${session.csrfToken}x`)).toBe(false);
    expect(csrfTokenMatches(session, undefined)).toBe(false);
  });
});
