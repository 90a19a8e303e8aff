import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FootfallError } from '../shared/errors.ts';
import { loadConfig, validateConfig } from './load.ts';
import { configJsonSchema } from './schema.ts';

function errorOf(fn: () => unknown): FootfallError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FootfallError);
    return err as FootfallError;
  }
  throw new Error('expected an error');
}

function yamlFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-config-'));
  const file = join(dir, 'footfall.yaml');
  writeFileSync(file, text);
  return file;
}

describe('config defaults', () => {
  it('gives every section a default when the file is empty', () => {
    const c = validateConfig({});
    expect(c.site).toBe('default-site');
    expect(c.dataDir).toBe('./data');
    expect(c.store.synchronous).toBe('NORMAL');
    expect(c.store.retention.days).toBe(90);
    expect(c.mqtt.embedded).toMatchObject({ enabled: true, host: '127.0.0.1', port: 1883 });
    expect(c.status.port).toBe(8080);
    expect(c.detector.model).toBe('picodet_s_416_coco_int8');
    expect(c.cameras).toEqual([]);
  });

  it('sparse detection: defaults, and an error that names the field', () => {
    expect(validateConfig({}).detector).toMatchObject({ sparseDetection: 'auto', detectEveryFrames: 2, sparseSpeedBoxHeightsPerS: 1.5, sparseNewTrackMs: 1000 });
    expect(errorOf(() => validateConfig({ detector: { detectEveryFrames: 0 } })).message).toContain('detector.detectEveryFrames');
    expect(errorOf(() => validateConfig({ detector: { sparseDetection: 'sometimes' } })).message).toContain('detector.sparseDetection');
  });

  it('fills defaults inside list items', () => {
    const c = validateConfig({ cameras: [{ name: 'cam-1', url: 'rtsp://10.0.0.5/stream' }] });
    expect(c.cameras[0]).toMatchObject({ fps: 5, enabled: true, lines: [], zones: [] });
  });

  it('reads a YAML file and keeps what it says', () => {
    const file = yamlFile('site: mall-7\ncameras:\n  - name: entrance\n    url: /tmp/x.mp4\n    fps: 2.5\n');
    const { config, file: used } = loadConfig({ file, env: {} });
    expect(used).toBe(file);
    expect(config.site).toBe('mall-7');
    expect(config.cameras[0]!.fps).toBe(2.5);
  });

  it('uses embedded defaults when no file exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'footfall-nocfg-'));
    const { file } = loadConfig({ cwd: dir, env: {} });
    expect(file).toBeNull();
  });

  it('takes the path from FOOTFALL_CONFIG', () => {
    const file = yamlFile('site: from-env\n');
    expect(loadConfig({ env: { FOOTFALL_CONFIG: file } }).config.site).toBe('from-env');
  });

  it('substitutes secrets from environment variables', () => {
    const file = yamlFile('mqtt:\n  url: mqtt://broker:1883\n  password: ${MQTT_PASS}\n  username: ${MQTT_USER:-footfall}\n');
    const { config } = loadConfig({ file, env: { MQTT_PASS: 's3cret' } });
    expect(config.mqtt.password).toBe('s3cret');
    expect(config.mqtt.username).toBe('footfall');
  });
});

describe('bad config names the field, the value and what is allowed', () => {
  const cases: Array<[string, unknown, string]> = [
    ['wrong type in a list item', { cameras: [{ name: 'a', url: 'x' }, { name: 'b', url: 'y', fps: 'ten' }] }, 'cameras[1].fps: must be a number between 0.1 and 60, got "ten"'],
    ['number out of range', { cameras: [{ name: 'a', url: 'x', fps: 0 }] }, 'cameras[0].fps: must be a number between 0.1 and 60, got 0'],
    ['unknown top-level field', { cameraz: [] }, 'unknown field "cameraz"'],
    ['unknown nested field', { store: { retention: { dayz: 3 } } }, 'store.retention: unknown field "dayz"'],
    ['enum value not allowed', { store: { synchronous: 'HALF' } }, 'store.synchronous: must be one of "OFF", "NORMAL", "FULL", "EXTRA", got "HALF"'],
    ['missing required field', { cameras: [{ url: 'rtsp://cam/1' }] }, 'cameras[0].name: must be 1-64 characters of letters, digits, "-", "_" or "." (missing)'],
    ['bad identifier', { site: 'my mall!' }, 'site: must be 1-64 characters of letters, digits, "-", "_" or ".", got "my mall!"'],
    ['line with one point', { cameras: [{ name: 'a', url: 'x', lines: [{ name: 'l', points: [[1, 2]] }] }] }, 'cameras[0].lines[0].points: must be two points'],
    ['polygon too short', { cameras: [{ name: 'a', url: 'x', zones: [{ name: 'z', polygon: [[0, 0], [1, 1]] }] }] }, 'cameras[0].zones[0].polygon: must have at least 3 points'],
    ['wifi sensor without source', { wifi: { sensors: [{ name: 's1' }] } }, 'wifi.sensors[0]'],
    ['not a URL', { mqtt: { url: 'broker-without-scheme' } }, 'mqtt.url: must be a URL such as mqtt://host:1883, got "broker-without-scheme"'],
    ['port out of range', { status: { port: 70000 } }, 'status.port: must be a whole number between 0 and 65535, got 70000'],
    ['boolean as string', { demoCamera: 'yes' }, 'demoCamera: must be true or false, got "yes"'],
    ['section of the wrong kind', { store: 'big' }, 'store:'],
  ];
  for (const [what, input, expected] of cases) {
    it(what, () => {
      expect(errorOf(() => validateConfig(input)).message).toContain(expected);
    });
  }

  it('reports every bad field at once', () => {
    const msg = errorOf(() => validateConfig({ site: '', status: { port: -1 } })).message;
    expect(msg).toContain('site:');
    expect(msg).toContain('status.port:');
  });

  it('names the line of a YAML syntax error', () => {
    const file = yamlFile('site: a\ncameras:\n  - name: x\n   url: bad-indent\n');
    const err = errorOf(() => loadConfig({ file, env: {} }));
    expect(err.code).toBe('CONFIG_PARSE');
    expect(err.message).toMatch(/line \d+/);
  });

  it('rejects a top level that is not a mapping', () => {
    const err = errorOf(() => loadConfig({ file: yamlFile('- just\n- a list\n'), env: {} }));
    expect(err.message).toContain('the top level must be a mapping');
  });

  it('rejects duplicate keys', () => {
    expect(errorOf(() => loadConfig({ file: yamlFile('site: a\nsite: b\n'), env: {} })).code).toBe('CONFIG_PARSE');
  });

  it('names a missing environment variable and the field that uses it', () => {
    const err = errorOf(() => loadConfig({ file: yamlFile('mqtt:\n  password: ${NOPE_NOT_SET}\n'), env: {} }));
    expect(err.message).toContain('mqtt.password: environment variable NOPE_NOT_SET is not set');
  });

  it('says when the file is missing', () => {
    const err = errorOf(() => loadConfig({ file: '/nonexistent/footfall.yaml', env: {} }));
    expect(err.code).toBe('CONFIG_NOT_FOUND');
    expect(err.message).toContain('/nonexistent/footfall.yaml');
  });
});

describe('JSON Schema for editors', () => {
  it('is committed up to date in docs/config.schema.json', async () => {
    const { readFileSync } = await import('node:fs');
    const committed = JSON.parse(readFileSync(new URL('../../docs/config.schema.json', import.meta.url), 'utf8'));
    // Regenerate with: npm run schema
    expect(committed).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });

  it('describes every field for editors (units, range, default, what it changes)', () => {
    let total = 0;
    const missing: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      for (const [k, v] of Object.entries((n.properties as Record<string, Record<string, unknown>> | undefined) ?? {})) {
        total++;
        if (typeof v.description !== 'string' || v.description.length < 10) missing.push(`${path}.${k}`);
        walk(v, `${path}.${k}`);
      }
      for (const key of ['items', 'anyOf', 'oneOf', 'allOf']) {
        const x = n[key];
        if (Array.isArray(x)) x.forEach((y) => walk(y, path));
        else if (x) walk(x, `${path}[]`);
      }
    };
    walk(configJsonSchema(), '');
    expect(total).toBeGreaterThan(150);
    expect(missing.length / total, `undescribed: ${missing.join(', ')}`).toBeLessThanOrEqual(0.1);
  });

  it('FOOTFALL_DATA_DIR sets the data directory unless the file does', () => {
    expect(loadConfig({ cwd: mkdtempSync(join(tmpdir(), 'ff-')), env: { FOOTFALL_DATA_DIR: '/data' } }).config.dataDir).toBe('/data');
    const file = yamlFile('dataDir: /srv/ff\n');
    expect(loadConfig({ file, env: { FOOTFALL_DATA_DIR: '/data' } }).config.dataDir).toBe('/srv/ff');
  });

  it('describes every top-level section', () => {
    const schema = configJsonSchema() as { properties: Record<string, unknown> };
    for (const key of ['site', 'device', 'dataDir', 'store', 'cameras', 'detector', 'tracker', 'wifi', 'mqtt', 'status']) {
      expect(schema.properties).toHaveProperty(key);
    }
  });
});
