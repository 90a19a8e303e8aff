// Prometheus metrics of the status page and of every stage's health, registered on the
// registry the agent passes in (never prom-client's global one) and removed on stop.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { StageHealth } from '../shared/types.ts';

export interface StatusMetricSources {
  health: () => Record<string, StageHealth>;
  sseClients: () => number;
  snapshotsEncoded: () => number;
  unsentEvents: () => number;
  storeSizeBytes: () => number;
}

const STATUS_VALUE: Record<StageHealth['status'], number> = { ok: 1, degraded: 0.5, failed: 0, stopped: 0 };

export class StatusMetrics {
  readonly logins: Counter<'result'>;
  readonly httpRequests: Counter<'route' | 'code'>;
  private readonly names: string[] = [];

  constructor(
    private readonly registry: Registry,
    sources: StatusMetricSources,
  ) {
    const registers = [registry];
    const track = <T>(name: string, metric: T): T => {
      this.names.push(name);
      return metric;
    };
    this.logins = track('footfall_status_logins_total', new Counter({ name: 'footfall_status_logins_total', help: 'Status page login attempts by result.', labelNames: ['result'] as const, registers }));
    this.httpRequests = track(
      'footfall_status_http_requests_total',
      new Counter({ name: 'footfall_status_http_requests_total', help: 'Status page HTTP responses by route and status code.', labelNames: ['route', 'code'] as const, registers }),
    );
    track('footfall_status_live_clients', new Gauge({ name: 'footfall_status_live_clients', help: 'Open live-view (SSE) connections.', registers, collect() { this.set(sources.sseClients()); } }));
    let lastSnapshots = 0;
    track(
      'footfall_status_snapshots_total',
      new Counter({
        name: 'footfall_status_snapshots_total',
        help: 'JPEG snapshots encoded for the live view.',
        registers,
        collect() {
          const n = sources.snapshotsEncoded();
          if (n > lastSnapshots) this.inc(n - lastSnapshots);
          lastSnapshots = n;
        },
      }),
    );
    track('footfall_store_unsent_events', new Gauge({ name: 'footfall_store_unsent_events', help: 'Events not yet acknowledged upstream.', registers, collect() { this.set(sources.unsentEvents()); } }));
    track('footfall_store_size_bytes', new Gauge({ name: 'footfall_store_size_bytes', help: 'Bytes used by the event database.', registers, collect() { this.set(sources.storeSizeBytes()); } }));
    track(
      'footfall_stage_up',
      new Gauge({
        name: 'footfall_stage_up',
        help: 'Stage health: 1 ok, 0.5 degraded, 0 failed or stopped.',
        labelNames: ['stage'] as const,
        registers,
        collect() {
          this.reset();
          for (const [stage, h] of Object.entries(sources.health())) this.set({ stage }, STATUS_VALUE[h.status] ?? 0);
        },
      }),
    );
    track(
      'footfall_stage_metric',
      new Gauge({
        name: 'footfall_stage_metric',
        help: 'Numeric health metrics reported by each stage.',
        labelNames: ['stage', 'metric'] as const,
        registers,
        collect() {
          this.reset();
          for (const [stage, h] of Object.entries(sources.health())) {
            for (const [metric, v] of Object.entries(h.metrics ?? {})) if (typeof v === 'number' && Number.isFinite(v)) this.set({ stage, metric }, v);
          }
        },
      }),
    );
  }

  unregister(): void {
    for (const name of this.names) this.registry.removeSingleMetric(name);
    this.names.length = 0;
  }
}
