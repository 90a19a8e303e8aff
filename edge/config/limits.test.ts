// Bad and hostile configs: every one is refused with one line that names the file and the
// problem, quickly and in bounded memory; random documents never crash the loader.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../shared/random.ts';
import { FootfallError } from '../shared/errors.ts';
import { CONFIG_LIMITS } from './limits.ts';
import { loadConfig } from './load.ts';

const dir = mkdtempSync(join(tmpdir(), 'footfall-config-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(yaml: string, name = 'footfall.yaml'): FootfallError {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  try {
    loadConfig({ file, env: {}, cwd: dir });
  } catch (err) {
    expect(err).toBeInstanceOf(FootfallError);
    return err as FootfallError;
  }
  throw new Error('expected the config to be refused');
}

const camera = (i: number, extra = '') => `  - name: cam-${i}\n    url: rtsp://10.0.0.${i % 250}/s\n${extra}`;

describe('config limits', () => {
  it('refuses a file over 1 MiB before parsing it, naming the limit', () => {
    const cams = Array.from({ length: 40_000 }, (_, i) => camera(i)).join('');
    const e = errorOf(`cameras:\n${cams}`, 'huge.yaml');
    expect(e.code).toBe('CONFIG_TOO_LARGE');
    expect(e.message).toMatch(/huge\.yaml: the file is \d+ bytes; at most 1048576 bytes \(1 MiB\) are allowed \(config limit\)/);
  });

  it('refuses more cameras, lines, zones or polygon points than a box holds', () => {
    const many = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('');
    expect(errorOf(`cameras:\n${many(CONFIG_LIMITS.cameras + 1, (i) => camera(i))}`).message).toContain(
      `cameras: ${CONFIG_LIMITS.cameras + 1} cameras; at most ${CONFIG_LIMITS.cameras} are allowed (config limit)`,
    );
    const lines = many(CONFIG_LIMITS.linesPerCamera + 1, (i) => `      - name: l${i}\n        points: [[0, ${i}], [100, ${i}]]\n`);
    expect(errorOf(`cameras:\n${camera(1, `    lines:\n${lines}`)}`).message).toContain(`cameras[0].lines: ${CONFIG_LIMITS.linesPerCamera + 1} lines; at most ${CONFIG_LIMITS.linesPerCamera}`);
    const points = many(CONFIG_LIMITS.pointsPerPolygon + 1, (i) => `[${i}, ${i % 7}], `);
    expect(errorOf(`cameras:\n${camera(1, `    zones:\n      - name: z\n        polygon: [${points}[0, 0]]\n`)}`).message).toContain(
      `cameras[0].zones[0].polygon: ${CONFIG_LIMITS.pointsPerPolygon + 2} points; at most ${CONFIG_LIMITS.pointsPerPolygon}`,
    );
  });

  it('refuses repeated names, naming both places', () => {
    expect(errorOf(`cameras:\n${camera(1)}${camera(2)}${camera(1)}`).message).toContain('cameras[2].name: duplicate camera name "cam-1", also cameras[0].name');
    const lines = '    lines:\n      - name: door\n        points: [[0, 0], [9, 9]]\n      - name: door\n        points: [[0, 5], [9, 14]]\n';
    expect(errorOf(`cameras:\n${camera(1, lines)}`).message).toContain('cameras[0].lines[1].name: duplicate line name "door", also lines[0].name');
  });

  it('names the file and the problem in one line for YAML alias cycles and alias bombs', () => {
    const cycle = errorOf('a: &a [*a]\n', 'cycle.yaml');
    expect(cycle.message).toMatch(/cycle\.yaml: a YAML alias refers to the node that contains it/);
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`l${i}: &l${i} [${Array(9).fill(i === 1 ? '*a' : `*l${i - 1}`).join(', ')}]`);
    const bomb = errorOf(`${levels.join('\n')}\n`, 'bomb.yaml');
    expect(bomb.message).toMatch(/bomb\.yaml: YAML aliases expand too far/);
    for (const e of [cycle, bomb]) expect(e.message).not.toContain('\n');
  });
});

describe('config loader fuzz', () => {
  const examples = ['analytics/door.yaml', 'analytics/pets09-s2l1.yaml'].map((f) => readFileSync(fileURLToPath(new URL(`../../fixtures/${f}`, import.meta.url)), 'utf8'));
  const atoms = ['0', '-1', '1e309', '"x"', 'null', '~', '[]', '{}', 'true', '&a 1', '*a', '!!binary AAAA', '"${NOPE}"', '[[0, 0], [1e6, -5]]', '"\\u0000"', "'", ':', '- -', '? x'];

  function mutate(text: string, rng: SeededRandom): string {
    const lines = text.split('\n');
    const n = 1 + rng.int(0, 3);
    for (let k = 0; k < n; k++) {
      const i = rng.int(0, lines.length - 1);
      const op = rng.int(0, 4);
      const line = lines[i] ?? '';
      if (op === 0) lines.splice(i, 1);
      else if (op === 1) lines.splice(i, 0, line);
      else if (op === 2) lines[i] = line.replace(/:\s*.*$/, `: ${rng.pick(atoms)}`);
      else if (op === 3) lines[i] = ' '.repeat(rng.int(0, 6)) + line.trimStart();
      else lines[i] = line.slice(0, rng.int(0, line.length));
    }
    return lines.join('\n');
  }

  function randomDoc(rng: SeededRandom, depth = 0): string {
    const keys = ['cameras', 'name', 'url', 'lines', 'points', 'zones', 'polygon', 'wifi', 'sensors', 'tracker', 'site', 'x'];
    const items: string[] = [];
    for (let i = 0, n = rng.int(1, 4); i < n; i++) {
      const v = depth < 3 && rng.next() < 0.4 ? `\n${randomDoc(rng, depth + 1)}` : ` ${rng.pick(atoms)}`;
      items.push(`${'  '.repeat(depth)}${rng.next() < 0.3 ? '- ' : ''}${rng.pick(keys)}:${v}`);
    }
    return items.join('\n');
  }

  it('500 random and mutated documents: a config or one clear line, never a crash, in bounded memory', () => {
    const rng = new SeededRandom(20261204);
    const heapBefore = process.memoryUsage().heapUsed;
    let accepted = 0;
    for (let i = 0; i < 500; i++) {
      const text = i % 2 === 0 ? mutate(rng.pick(examples), rng) : randomDoc(rng);
      const file = join(dir, 'fuzz.yaml');
      writeFileSync(file, text);
      try {
        loadConfig({ file, env: {}, cwd: dir });
        accepted++;
      } catch (err) {
        expect(err, text).toBeInstanceOf(FootfallError);
        const message = (err as Error).message;
        expect(message, text).not.toMatch(/\n|Maximum call stack|    at /);
        expect(message.startsWith(file), message).toBe(true);
      }
    }
    expect(accepted).toBeGreaterThan(0); // the mutations leave some valid configs: the loader is not refusing everything
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(256 * 1024 * 1024);
  });
});
