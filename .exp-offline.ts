import mqtt from 'mqtt';
import { Mosquitto } from './cloud-sync/test-support/mosquitto.ts';
const mq = await Mosquitto.start({ persistence: true });
const mk = () => mqtt.connectAsync(mq.url, { protocolVersion: 5, clientId: 'lane1', clean: false, properties: { sessionExpiryInterval: 3600 } });
let sub = await mk();
await sub.subscribeAsync('$share/g/t/#', { qos: 1 });
await sub.endAsync();
const pub = await mqtt.connectAsync(mq.url, { protocolVersion: 5, clientId: 'p' });
for (let i = 0; i < 10; i++) await pub.publishAsync('t/a', 'x' + i, { qos: 1 });
const mode = process.argv[2];
if (mode === 'restart') { await pub.endAsync(); await mq.restart(); }
if (mode === 'restart-then-pub') { await mq.restart(); const p2 = await mqtt.connectAsync(mq.url, { protocolVersion: 5, clientId: 'p2' }); for (let i = 10; i < 20; i++) await p2.publishAsync('t/a', 'x' + i, { qos: 1 }); await p2.endAsync(); }
let got = 0;
sub = mqtt.connect(mq.url, { protocolVersion: 5, clientId: 'lane1', clean: false, properties: { sessionExpiryInterval: 3600 } });
sub.on('connect', (c) => console.log('sessionPresent', c.sessionPresent));
sub.on('message', () => got++);
await new Promise((r) => setTimeout(r, 1500));
console.log(mode, 'received', got);
sub.end(true); pub.end(true);
await mq.dispose();
