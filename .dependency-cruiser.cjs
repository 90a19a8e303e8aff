// Dependency rules of footfall (`npm run deps`; see ../shared/STYLE.md, "Layout follows the data").
// The data flows camera -> detect -> track -> analytics -> store -> cloud-sync, track -> site-paths
// -> store, and wifi -> store;
// status reads the store and live state. A stage may import the stages upstream of it, only
// through their index.ts; edge/config, edge/shared and models are leaves anyone may import;
// edge/agent.ts (the composition root), edge/cli, bin and scripts may import everything.

/** Each stage's directory and the stages it may import (its upstream). */
const STAGES = {
  'edge/camera': [],
  'edge/detect': ['edge/camera'],
  'edge/track': ['edge/camera', 'edge/detect'],
  'edge/analytics': ['edge/camera', 'edge/detect', 'edge/track'],
  'edge/site-paths': ['edge/camera', 'edge/detect', 'edge/track'],
  'edge/wifi': [],
  'edge/store': ['edge/camera', 'edge/detect', 'edge/track', 'edge/analytics', 'edge/wifi'],
  'cloud-sync': ['edge/camera', 'edge/detect', 'edge/track', 'edge/analytics', 'edge/site-paths', 'edge/wifi', 'edge/store'],
  'edge/status': ['edge/camera', 'edge/detect', 'edge/track', 'edge/analytics', 'edge/site-paths', 'edge/wifi', 'edge/store'],
};

/**
 * Further faces: the offline tools of track and analytics (MOT files, evaluator, replay, count
 * accuracy: used by the CLI, benches and scripts, never by the live agent), and cloud-sync's
 * two programs and the contract they share.
 */
const FACES = {
  'edge/track': ['^edge/track/eval/index\\.ts$'],
  'edge/analytics': ['^edge/analytics/offline/index\\.ts$'],
  // cloud-sync is two programs: the box's sync stage (edge/) and the fleet's ingest (fleet/),
  // with the MQTT contract (contract/) the leaf both use.
  'cloud-sync': ['^cloud-sync/(edge|fleet|contract)/index\\.ts$'],
};

/** Imports that do I/O: the tracker's hot core stays pure computation. */
const IO_MODULES = [
  'fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'tls', 'dgram', 'dns', 'child_process', 'cluster', 'worker_threads', 'readline',
];
const IO_PACKAGES = ['better-sqlite3', 'mqtt', 'aedes', 'pg', 'fluent-ffmpeg', 'pcap', 'sharp', 'onnxruntime-node', 'fastify', 'pino'];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
const under = (dir) => `^${escape(dir)}/`;

// Tests and test fixtures of a stage may use another stage's test fixtures.
const TEST_SUPPORT = '/(testing|test-support)/';
// Tests wire real stages together (no mocks): like the agent, they may import downstream stages
// (through their faces) and the model manifest.
const TESTS = ['\\.test\\.ts$', TEST_SUPPORT];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle: the modules cannot be read (or loaded) one after the other.',
      from: {},
      to: { circular: true },
    },
    ...Object.keys(STAGES).map((stage) => ({
      name: `face-only:${stage}`,
      severity: 'error',
      comment: `Outside ${stage}, import it only through ${stage}/index.ts (its face), not its internals.`,
      from: { pathNot: under(stage) },
      to: { path: under(stage), pathNot: [`^${escape(stage)}/index\\.ts$`, TEST_SUPPORT, ...(FACES[stage] ?? [])] },
    })),
    ...Object.entries(STAGES).map(([stage, upstream]) => ({
      name: `upstream-only:${stage}`,
      severity: 'error',
      comment: `${stage} may import only the stages upstream of it (${upstream.join(', ') || 'none'}): no upward or sideways import.`,
      from: { path: under(stage), pathNot: TESTS },
      to: {
        path: `^(${Object.keys(STAGES).map(escape).join('|')})/`,
        pathNot: [under(stage), ...upstream.map(under), TEST_SUPPORT],
      },
    })),
    {
      name: 'cloud-sync-programs-apart',
      severity: 'error',
      comment: "The box's sync (cloud-sync/edge) and the fleet's ingest (cloud-sync/fleet) are two programs: neither imports the other; the contract imports neither.",
      from: { path: '^cloud-sync/(edge|fleet|contract)/', pathNot: TESTS },
      to: { path: '^cloud-sync/(edge|fleet)/', pathNot: '$1' },
    },
    {
      name: 'composition-root-on-top',
      severity: 'error',
      comment: 'Only the CLI (and bin, scripts) may import the composition root edge/agent.ts or the CLI; stages never do.',
      from: { path: '^(edge|cloud-sync|models)/', pathNot: ['^edge/cli/', '^edge/agent[.-]'] },
      to: { path: ['^edge/agent\\.ts$', '^edge/cli/'] },
    },
    {
      name: 'track-no-io',
      severity: 'error',
      comment: 'edge/track (the hot core; its offline tools in eval/ aside) imports no I/O: files, sockets, processes, databases, brokers.',
      // eval/ holds the offline tools (MOT files, evaluator), which read and write files.
      from: { path: '^edge/track/', pathNot: [...TESTS, '^edge/track/eval/'] },
      to: {
        path: [`^(node:)?(${IO_MODULES.map(escape).join('|')})$`, `node_modules/(${IO_PACKAGES.map(escape).join('|')})/`],
      },
    },
    {
      name: 'config-is-a-leaf',
      severity: 'error',
      comment: 'edge/config imports only edge/shared and libraries, so every stage may import it.',
      from: { path: '^edge/config/', pathNot: TESTS },
      to: { pathNot: ['^edge/(config|shared)/', 'node_modules/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'shared-is-a-leaf',
      severity: 'error',
      comment: 'edge/shared (types, bus, logging, time) imports only itself and libraries.',
      from: { path: '^edge/shared/', pathNot: TESTS },
      to: { pathNot: ['^edge/shared/', 'node_modules/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^node_modules/', '^data/', '^docs/', '^test-artifacts/'] },
    // Type-only imports count: a circle through types still makes two modules one.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
