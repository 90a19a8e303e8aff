// Home Assistant MQTT discovery (optional): every count row seen on the counts topic
// (line in/out, zone occupancy, Wi-Fi devices, queue length, ...) becomes a sensor
// whose state is read from that same counts message with a template, so the contract
// gains no extra topics. Availability follows the retained status topic.
import type { MqttClient } from 'mqtt';
import type { Logger } from '../../edge/shared/log.ts';
import type { CountRowMessage, CountsMessage, DeviceTopics } from '../contract/index.ts';
import type { ConnectionListener } from './mqtt-connection.ts';

/** Metrics whose per-minute value is a level (max), not a number of events. */
const LEVEL_METRICS = new Set(['occupancy', 'length', 'devices', 'waitMs']);

export interface HomeAssistantOptions {
  discoveryPrefix: string;
  topics: DeviceTopics;
  site: string;
  device: string;
  version: string;
  logger: Logger;
}

function objectIdPart(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

export class HomeAssistantDiscovery implements ConnectionListener {
  private client: MqttClient | null = null;
  private readonly announced = new Set<string>();
  private readonly log: Logger;

  constructor(private readonly options: HomeAssistantOptions) {
    this.log = options.logger.child({ module: 'home-assistant' });
  }

  up(client: MqttClient): void {
    this.client = client;
    this.announced.clear();
  }

  down(): void {
    this.client = null;
  }

  /** Discovery topic and config of the sensor for one count row. */
  sensorConfig(row: Pick<CountRowMessage, 'source' | 'subject' | 'metric'>): { topic: string; config: Record<string, unknown> } {
    const { site, device, topics, discoveryPrefix, version } = this.options;
    const node = objectIdPart(`footfall_${site}_${device}`);
    const objectId = objectIdPart(`${row.source}_${row.subject}_${row.metric}`);
    const level = LEVEL_METRICS.has(row.metric);
    const pick = `r.source == ${JSON.stringify(row.source)} and r.subject == ${JSON.stringify(row.subject)} and r.metric == ${JSON.stringify(row.metric)}`;
    const field = level ? '(r.max or 0)' : 'r.n';
    return {
      topic: `${discoveryPrefix}/sensor/${node}/${objectId}/config`,
      config: {
        name: `${row.subject} ${row.metric} (${row.source})`,
        unique_id: `${node}_${objectId}`,
        object_id: `${node}_${objectId}`,
        state_topic: topics.counts,
        value_template: `{% set ns = namespace(v=0) %}{% for r in value_json.counts %}{% if ${pick} %}{% set ns.v = ${field} %}{% endif %}{% endfor %}{{ ns.v }}`,
        unit_of_measurement: row.metric === 'waitMs' ? 'ms' : level ? 'people' : 'per minute',
        state_class: 'measurement',
        availability_topic: topics.status,
        availability_template: '{{ value_json.state }}',
        payload_available: 'online',
        payload_not_available: 'offline',
        device: {
          identifiers: [node],
          name: `footfall ${site}/${device}`,
          manufacturer: 'footfall',
          sw_version: version,
        },
      },
    };
  }

  /** Announces sensors for rows not yet announced in this session (retained). */
  onCounts(message: CountsMessage): number {
    const client = this.client;
    if (!client) return 0;
    let n = 0;
    for (const row of message.counts) {
      const key = `${row.source}\u0000${row.subject}\u0000${row.metric}`;
      if (this.announced.has(key)) continue;
      this.announced.add(key);
      const { topic, config } = this.sensorConfig(row);
      client.publish(topic, JSON.stringify(config), { qos: 1, retain: true });
      n++;
    }
    if (n > 0) this.log.info({ sensors: n }, 'announced Home Assistant sensors');
    return n;
  }
}
