import type { Attributes } from '@opentelemetry/api';
import { ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '../semconv';

/** `server.address` and `server.port` of an endpoint URL; nothing for a value that is not one. */
export function serverAttributes(url: unknown): Attributes {
  const text = url instanceof URL ? url.href : url;
  if (typeof text !== 'string') return {};
  try {
    const { hostname, port, protocol } = new URL(text);
    return {
      // An IPv6 literal keeps its brackets in a URL, not in `server.address`.
      [ATTR_SERVER_ADDRESS]: hostname.replace(/^\[(.*)\]$/, '$1'),
      [ATTR_SERVER_PORT]: port ? Number(port) : protocol === 'http:' ? 80 : 443,
    };
  } catch {
    return {};
  }
}
