// Generates a throw-away CA, a broker certificate for 127.0.0.1/localhost and a
// client certificate with the openssl CLI (EC P-256 keys: fast), for TLS tests.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestPki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A second CA that signed nothing we use (a wrong trust anchor). */
  otherCa: string;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    throw new Error(`openssl ${args[0]} failed (is the openssl package installed?): ${(err as { stderr?: Buffer }).stderr?.toString() ?? err}`);
  }
}

export function makeTestPki(dir: string): TestPki {
  const p = (f: string) => join(dir, f);
  const key = (f: string) => openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f], dir);
  key('ca.key');
  openssl(['req', '-x509', '-new', '-key', 'ca.key', '-days', '2', '-subj', '/CN=footfall test CA', '-out', 'ca.pem'], dir);
  key('other-ca.key');
  openssl(['req', '-x509', '-new', '-key', 'other-ca.key', '-days', '2', '-subj', '/CN=another CA', '-out', 'other-ca.pem'], dir);
  writeFileSync(p('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const [name, cn] of [['server', 'localhost'], ['client', 'footfall-box']] as const) {
    key(`${name}.key`);
    openssl(['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`], dir);
    openssl(
      ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', `${name}.pem`, ...(name === 'server' ? ['-extfile', 'server.ext'] : [])],
      dir,
    );
  }
  return {
    ca: p('ca.pem'),
    serverCert: p('server.pem'),
    serverKey: p('server.key'),
    clientCert: p('client.pem'),
    clientKey: p('client.key'),
    otherCa: p('other-ca.pem'),
  };
}
