// Saves a camera's counting lines and zones from the editor: checks them with the same
// schema the config file uses, writes them into the YAML file in place (comments and
// ${ENV} references kept), re-validates the whole file, and only then hands the new
// config to the agent. Saves are serialised so two operators cannot interleave writes.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq, type Document } from 'yaml';
import { z } from 'zod';
import { formatPath, substituteEnv, validateConfig } from '../config/load.ts';
import type { FootfallConfig } from '../config/schema.ts';
import { cameraAnalyticsFields, lineSchema, zoneSchema, type LineConfig, type ZoneConfig } from '../config/sections/analytics.ts';
import { FootfallError } from '../shared/errors.ts';

/** Editor limits: far above any real camera, low enough to bound the work per request. */
export const MAX_LINES_PER_CAMERA = 32;
export const MAX_ZONES_PER_CAMERA = 32;
export const MAX_ZONE_POINTS = 64;

const geometryBody = z
  .object({
    lines: cameraAnalyticsFields.lines,
    zones: cameraAnalyticsFields.zones,
  })
  .strict();

export interface CameraGeometry {
  lines: LineConfig[];
  zones: ZoneConfig[];
  /** The fields as the operator sent them (validated): what goes into the file, so defaults stay defaults. */
  written: { lines: Array<Partial<LineConfig>>; zones: Array<Partial<ZoneConfig>> };
}

/** What the editor needs to know of a camera (a subset of the camera config). */
export interface EditableCamera {
  name: string;
  url?: string;
  fps?: number;
  loop?: boolean;
}

/** Validates an editor body; throws INPUT_INVALID naming every bad field. */
export function parseGeometry(body: unknown, frame: { width: number; height: number } | null): CameraGeometry {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new FootfallError('INPUT_INVALID', 'body must be a JSON object {"lines": [...], "zones": [...]}');
  }
  const b = body as Record<string, unknown>;
  if (Array.isArray(b.lines) && b.lines.length > MAX_LINES_PER_CAMERA) {
    throw new FootfallError('INPUT_INVALID', `lines: at most ${MAX_LINES_PER_CAMERA} lines per camera`);
  }
  if (Array.isArray(b.zones) && b.zones.length > MAX_ZONES_PER_CAMERA) {
    throw new FootfallError('INPUT_INVALID', `zones: at most ${MAX_ZONES_PER_CAMERA} zones per camera`);
  }
  if (Array.isArray(b.zones)) {
    b.zones.forEach((zn, i) => {
      const poly = (zn as { polygon?: unknown } | null)?.polygon;
      if (Array.isArray(poly) && poly.length > MAX_ZONE_POINTS) {
        throw new FootfallError('INPUT_INVALID', `zones[${i}].polygon: at most ${MAX_ZONE_POINTS} points`);
      }
    });
  }
  const result = geometryBody.safeParse(body);
  if (!result.success) {
    const msg = result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ');
    throw new FootfallError('INPUT_INVALID', msg);
  }
  const written = body as CameraGeometry['written'];
  const g: CameraGeometry = { ...result.data, written: { lines: written.lines ?? [], zones: written.zones ?? [] } };
  if (frame && frame.width > 0 && frame.height > 0) {
    const outside = (p: readonly [number, number]) => p[0] > frame.width || p[1] > frame.height;
    g.lines.forEach((l, i) => {
      if (l.points.some(outside)) throw new FootfallError('INPUT_INVALID', `lines[${i}].points: outside the ${frame.width}x${frame.height} camera image`);
    });
    g.zones.forEach((zn, i) => {
      if (zn.polygon.some(outside)) throw new FootfallError('INPUT_INVALID', `zones[${i}].polygon: outside the ${frame.width}x${frame.height} camera image`);
    });
  }
  return g;
}

/** Schema defaults of a line and a zone, so the file keeps only what differs from them. */
const LINE_DEFAULTS: Record<string, unknown> = lineSchema.parse({ name: 'x', points: [[0, 0], [10, 10]] });
const ZONE_DEFAULTS: Record<string, unknown> = zoneSchema.parse({ name: 'x', polygon: [[0, 0], [100, 0], [100, 100], [0, 100]] });

/**
 * Drops fields equal to their default unless the file already spelled them out for this
 * name: the page sends whole objects (defaults filled in), the file should stay as written.
 */
function withoutDefaults<T extends Record<string, unknown>>(item: T, defaults: Record<string, unknown>, existing: Set<string> | undefined): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if (k !== 'name' && k !== 'points' && k !== 'polygon' && k in defaults && JSON.stringify(defaults[k]) === JSON.stringify(v) && !existing?.has(k)) continue;
    out[k] = v;
  }
  return out as T;
}

/** Keys each named item already has in the YAML list node. */
function keysByName(node: unknown): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  if (!isSeq(node)) return out;
  for (const item of node.items) {
    if (!isMap(item)) continue;
    const name = item.get('name');
    if (typeof name === 'string') out.set(name, new Set(item.items.map((p) => String((p.key as { value?: unknown })?.value ?? p.key))));
  }
  return out;
}

/** Whole pixels are what an operator can place; keeps the YAML readable. */
function roundPoint(p: readonly [number, number]): [number, number] {
  return [Math.round(p[0] * 10) / 10, Math.round(p[1] * 10) / 10];
}

export class GeometryEditor {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly configFile: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Writes `geometry` into `camera`'s entry (adding the entry for an implicit camera) and returns the validated config. */
  save(camera: EditableCamera, geometry: CameraGeometry): Promise<FootfallConfig> {
    return this.edit(camera, (doc, entry) => this.writeGeometry(doc, entry, geometry));
  }

  /** Writes `points` as `camera`'s floor calibration (replacing a camera model or older points) and returns the validated config. */
  saveCalibration(camera: EditableCamera, points: ReadonlyArray<readonly [number, number, number, number]>): Promise<FootfallConfig> {
    return this.edit(camera, (doc, entry) => {
      const node = doc.createNode({ points: points.map((p) => p.map((v) => Math.round(v * 1000) / 1000)) }) as YAMLMap;
      const list = node.get('points', true);
      if (isSeq(list)) for (const p of list.items) if (isSeq(p)) p.flow = true;
      entry.set('calibration', node);
    });
  }

  private edit(camera: EditableCamera, mutate: (doc: Document, entry: YAMLMap) => void): Promise<FootfallConfig> {
    const run = this.queue.then(() => this.editNow(camera, mutate));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private editNow(camera: EditableCamera, mutate: (doc: Document, entry: YAMLMap) => void): FootfallConfig {
    let text: string;
    try {
      text = readFileSync(this.configFile, 'utf8');
    } catch (err) {
      throw new FootfallError('CONFIG_NOT_FOUND', `cannot read config file ${this.configFile}: ${(err as Error).message}`);
    }
    const doc = parseDocument(text, { uniqueKeys: true });
    if (doc.errors.length > 0) throw new FootfallError('CONFIG_PARSE', `${this.configFile}: not valid YAML; fix it by hand first`);
    if (doc.contents === null) doc.contents = new YAMLMap() as unknown as typeof doc.contents;
    if (!isMap(doc.contents)) throw new FootfallError('CONFIG_PARSE', `${this.configFile}: the top level must be a mapping`);
    let cameras = doc.get('cameras');
    if (cameras === undefined || cameras === null) {
      doc.set('cameras', doc.createNode([]));
      cameras = doc.get('cameras');
    }
    if (!isSeq(cameras)) throw new FootfallError('CONFIG_INVALID', `${this.configFile}: cameras must be a list`);
    const seq = cameras as YAMLSeq;
    let index = seq.items.findIndex((item) => isMap(item) && item.get('name') === camera.name);
    if (index < 0) {
      // An implicit camera (the demo source): written out so its geometry has a home.
      if (typeof camera.url !== 'string') throw new FootfallError('INPUT_INVALID', `camera "${camera.name}" is not in ${this.configFile}`);
      const entry: Record<string, unknown> = { name: camera.name, url: camera.url };
      for (const k of ['fps', 'loop'] as const) if (camera[k] !== undefined) entry[k] = camera[k];
      seq.items.push(doc.createNode(entry));
      index = seq.items.length - 1;
    }
    mutate(doc, seq.items[index] as YAMLMap);
    const config = validateConfig(substituteEnv(doc.toJS(), this.env), this.configFile);
    const out = doc.toString();
    const tmp = `${this.configFile}.tmp-${process.pid}`;
    let mode = 0o644;
    try {
      mode = statSync(this.configFile).mode & 0o777;
    } catch {
      // Keep the default mode.
    }
    writeFileSync(tmp, out, { mode });
    renameSync(tmp, this.configFile);
    return config;
  }

  private writeGeometry(doc: Document, entry: YAMLMap, geometry: CameraGeometry): void {
    const lineKeys = keysByName(entry.get('lines', true));
    const zoneKeys = keysByName(entry.get('zones', true));
    const lines = geometry.written.lines.map((l) => withoutDefaults({ ...l, points: l.points!.map(roundPoint) }, LINE_DEFAULTS, lineKeys.get(l.name!)));
    const zones = geometry.written.zones.map((zn) => withoutDefaults({ ...zn, polygon: zn.polygon!.map(roundPoint) }, ZONE_DEFAULTS, zoneKeys.get(zn.name!)));
    const flowPoints = (node: unknown) => {
      // Points as [x, y] on one line each, like a person would write them.
      if (isSeq(node)) for (const p of node.items) if (isSeq(p)) p.flow = true;
    };
    const linesNode = doc.createNode(lines) as YAMLSeq;
    for (const l of linesNode.items) if (isMap(l)) flowPoints(l.get('points', true));
    const zonesNode = doc.createNode(zones) as YAMLSeq;
    for (const zn of zonesNode.items) if (isMap(zn)) flowPoints(zn.get('polygon', true));
    entry.set('lines', linesNode);
    entry.set('zones', zonesNode);
  }
}
