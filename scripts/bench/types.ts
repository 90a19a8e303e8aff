// The shape every `footfall bench TARGET` produces. Each row compares ours with a
// reference measured in the same run; ratio = ours / reference, higher is better
// (for "lower is better" units the target inverts it before filling `ratio`).

export interface BenchRow {
  name: string;
  unit: string;
  ours: number;
  reference: number | null;
  /** ours / reference (or reference / ours where lower is better); null without a reference. */
  ratio: number | null;
  /** What the reference is, in words. */
  referenceName?: string;
  target?: string;
  pass?: boolean;
  [extra: string]: unknown;
}

export interface BenchReport {
  target: string;
  results: BenchRow[];
  machine?: Record<string, unknown>;
  notes?: string[];
}

export interface BenchContext {
  /** Free-form options after the target name (e.g. --events 500000). */
  args: Record<string, string | boolean>;
  log: (line: string) => void;
  cwd: string;
}

export interface BenchTarget {
  name: string;
  summary: string;
  run(ctx: BenchContext): Promise<BenchReport>;
}
