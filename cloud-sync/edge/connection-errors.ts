// Turns what mqtt.js and Node report (socket codes, TLS codes, CONNACK and PUBACK
// reason codes) into one line an operator can act on, plus a short category for metrics.

export type ConnectionErrorKind = 'unreachable' | 'tls' | 'auth' | 'refused' | 'timeout' | 'protocol' | 'other';

export interface DescribedError {
  kind: ConnectionErrorKind;
  message: string;
}

const TLS_TRUST_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** MQTT 3.1.1 CONNACK return codes. */
const V4_CONNACK: Record<number, string> = {
  1: 'unacceptable protocol version',
  2: 'client id rejected',
  3: 'server unavailable',
  4: 'bad username or password',
  5: 'not authorized',
};

export function describeConnectionError(err: unknown, where: string, protocolVersion: 4 | 5): DescribedError {
  const e = err as NodeJS.ErrnoException & { code?: string | number; reasonCode?: number };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const reason = typeof e?.code === 'number' ? e.code : e?.reasonCode;
  const text = e instanceof Error ? e.message : String(err);
  if (typeof reason === 'number' && /Connection refused/i.test(text)) {
    const what = protocolVersion === 4 ? (V4_CONNACK[reason] ?? text) : text.replace(/^Connection refused: /i, '').toLowerCase();
    const auth = protocolVersion === 4 ? reason === 4 || reason === 5 : reason === 0x86 || reason === 0x87 || reason === 0x8a || reason === 0x8c;
    return {
      kind: auth ? 'auth' : 'refused',
      message: auth
        ? `broker ${where} rejected our credentials (${what}): check mqtt.username / mqtt.password and the broker's ACL`
        : `broker ${where} refused the connection (${what}, code ${reason})`,
    };
  }
  switch (code) {
    case 'ECONNREFUSED':
      return { kind: 'unreachable', message: `broker ${where} refused the TCP connection (nothing listening; is it running?)` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { kind: 'unreachable', message: `broker host of ${where} cannot be resolved (${code})` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ETIMEDOUT':
      return { kind: 'unreachable', message: `broker ${where} unreachable (${code})` };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return { kind: 'tls', message: `TLS: the broker certificate of ${where} does not name this host (${text}); set mqtt.tls.servername or fix the URL` };
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return { kind: 'tls', message: `TLS: the broker certificate of ${where} is not valid now (${code})` };
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return { kind: 'tls', message: `TLS handshake with ${where} failed (${text.split('\n')[0]}): is the port a TLS port?` };
    default:
      break;
  }
  if (code && TLS_TRUST_CODES.has(code)) {
    return { kind: 'tls', message: `TLS: the broker certificate of ${where} is not trusted (${code}); set mqtt.tls.ca to the CA that signed it` };
  }
  if (/certificate|ssl|tls|alert/i.test(text)) return { kind: 'tls', message: `TLS error with ${where}: ${text.split('\n')[0]}` };
  if (/connack timeout|timed? ?out/i.test(text)) return { kind: 'timeout', message: `broker ${where} did not answer the MQTT CONNECT in time (${text})` };
  return { kind: 'other', message: `MQTT connection to ${where} failed: ${text}${code ? ` (${code})` : ''}` };
}

/** A PUBACK reason code >= 0x80 (MQTT 5) as a line. */
export function describePublishRejection(reasonCode: number, text: string): string {
  const what = text.replace(/^Publish error: /i, '') || `reason code ${reasonCode}`;
  return `broker rejected a publish (${what}, code 0x${reasonCode.toString(16)})`;
}
