// Topic layout of the footfall MQTT contract v1. Every topic is
// footfall/v1/{site}/{device}/...; site and device are single topic levels, so
// wildcard (+) and shared subscriptions ($share/group/...) work on any broker.

export const CONTRACT_VERSION = 1;
export const TOPIC_ROOT = 'footfall/v1';

/** Names that can be a topic level: no separators or wildcards (same rule as the config's identifiers). */
export const TOPIC_LEVEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const COMMAND_NAMES = ['resync', 'reload-config', 'snapshot'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export function isTopicLevel(value: string): boolean {
  return TOPIC_LEVEL_PATTERN.test(value);
}

function assertLevel(what: string, value: string): void {
  if (!isTopicLevel(value)) throw new Error(`${what} ${JSON.stringify(value)} cannot be a topic level (letters, digits, "-", "_", ".")`);
}

export function deviceTopicBase(site: string, device: string): string {
  assertLevel('site', site);
  assertLevel('device', device);
  return `${TOPIC_ROOT}/${site}/${device}`;
}

/** The topics of one device. */
export interface DeviceTopics {
  status: string;
  events: string;
  counts: string;
  /** Floor fragments for the site's stitcher (site broker only; never stored). */
  fragments: string;
  /** Subscription filter for every command to this device. */
  commandFilter: string;
  command(name: string): string;
  commandResult(name: string): string;
  snapshot(camera: string): string;
}

export function deviceTopics(site: string, device: string): DeviceTopics {
  const base = deviceTopicBase(site, device);
  return {
    status: `${base}/status`,
    events: `${base}/events`,
    counts: `${base}/counts`,
    fragments: `${base}/fragments`,
    commandFilter: `${base}/cmd/+`,
    command: (name) => `${base}/cmd/${name}`,
    commandResult: (name) => `${base}/cmd/${name}/result`,
    snapshot: (camera) => `${base}/snapshot/${camera}`,
  };
}

export type TopicKind = 'status' | 'events' | 'counts' | 'fragments' | 'command' | 'commandResult' | 'snapshot';

export interface ParsedTopic {
  kind: TopicKind;
  site: string;
  device: string;
  /** Command name or camera name, for those kinds. */
  name?: string;
}

/** Parses a contract topic (with or without a `$share/group/` prefix); null when it is not one. */
export function parseTopic(topic: string): ParsedTopic | null {
  const levels = topic.split('/');
  if (levels[0] === '$share') levels.splice(0, 2);
  if (levels.length < 5 || levels[0] !== 'footfall' || levels[1] !== 'v1') return null;
  const site = levels[2]!;
  const device = levels[3]!;
  if (!isTopicLevel(site) || !isTopicLevel(device)) return null;
  const rest = levels.slice(4);
  if (rest.length === 1 && (rest[0] === 'status' || rest[0] === 'events' || rest[0] === 'counts' || rest[0] === 'fragments')) {
    return { kind: rest[0], site, device };
  }
  if (rest[0] === 'cmd' && rest.length === 2 && rest[1]) return { kind: 'command', site, device, name: rest[1] };
  if (rest[0] === 'cmd' && rest.length === 3 && rest[1] && rest[2] === 'result') return { kind: 'commandResult', site, device, name: rest[1] };
  if (rest[0] === 'snapshot' && rest.length === 2 && rest[1]) return { kind: 'snapshot', site, device, name: rest[1] };
  return null;
}

/**
 * Subscription filter for a consumer: every site/device by default, optionally one
 * site or device, optionally shared by a consumer group so a cluster scales out.
 */
export function subscriptionFilter(kind: 'events' | 'status' | 'counts' | 'fragments', options: { site?: string; device?: string; shareGroup?: string } = {}): string {
  if (options.site !== undefined) assertLevel('site', options.site);
  if (options.device !== undefined) assertLevel('device', options.device);
  if (options.shareGroup !== undefined) assertLevel('share group', options.shareGroup);
  const topic = `${TOPIC_ROOT}/${options.site ?? '+'}/${options.device ?? '+'}/${kind}`;
  return options.shareGroup ? `$share/${options.shareGroup}/${topic}` : topic;
}
