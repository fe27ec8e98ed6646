/**
 * Private helper: which proxy a request goes through (`HTTP_PROXY`,
 * `HTTPS_PROXY`, `NO_PROXY`, or one proxy for everything), and the CONNECT
 * tunnel for https through an HTTP proxy.
 *
 * @module
 */
import { ProtocolError } from "./errors.ts";

/** Proxies by scheme, as the `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY` variables give them. */
export interface ProxySettings {
  /** Proxy for `http:` URLs (e.g. `http://127.0.0.1:8888`). */
  http?: string;
  /** Proxy for `https:` URLs (a CONNECT tunnel through it). */
  https?: string;
  /**
   * Hosts that bypass the proxies, comma-separated, as curl and Go read
   * `NO_PROXY`: `*` (all), a host name (`example.com` also matches its
   * subdomains; a leading `.` or `*.` means the same), an IP literal, or a
   * CIDR range (`10.0.0.0/8`); each optionally with `:port`.
   */
  noProxy?: string;
}

/** A proxy to dial: an `http://` proxy's host and port, and its credentials if any. */
export interface ProxyTarget {
  /** Host name or IP of the proxy (IPv6 without brackets). */
  hostname: string;
  /** Its port. */
  port: number;
  /** `Proxy-Authorization` value (Basic, from the URL's user info), or undefined. */
  authorization?: string;
  /** The proxy URL as given, for messages. */
  href: string;
}

/**
 * Parses a proxy URL (`http://[user:pass@]host[:port]`; a bare `host:port`
 * is taken as http). Only http proxies are supported.
 *
 * @throws {TypeError} Naming `what` and the value on anything else.
 */
export function parseProxyUrl(value: string, what: string): ProxyTarget {
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new TypeError(`${what}: not a proxy URL: ${JSON.stringify(value)}`);
  }
  if (u.protocol !== "http:") {
    throw new TypeError(
      `${what}: only http:// proxies are supported (got ${JSON.stringify(value)})`,
    );
  }
  let hostname = u.hostname;
  if (hostname.startsWith("[")) hostname = hostname.slice(1, -1);
  if (hostname === "") throw new TypeError(`${what}: no host in ${JSON.stringify(value)}`);
  const target: ProxyTarget = {
    hostname,
    port: u.port === "" ? 80 : Number(u.port),
    href: value,
  };
  if (u.username !== "" || u.password !== "") {
    const cred = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
    target.authorization = `Basic ${btoa(cred)}`;
  }
  return target;
}

/** Checks every field of `settings` up front (the same errors the client would throw). */
export function checkProxySettings(settings: ProxySettings): void {
  if (settings.http) parseProxyUrl(settings.http, "HTTP proxy");
  if (settings.https) parseProxyUrl(settings.https, "HTTPS proxy");
}

/** IPv4 dotted quad as a number, or -1. */
function ipv4(s: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (m === null) return -1;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return -1;
    v = v * 256 + o;
  }
  return v;
}

/** Whether `hostname:port` is excluded by the `NO_PROXY` list. */
export function bypassesProxy(
  noProxy: string | undefined,
  hostname: string,
  port: number,
): boolean {
  if (noProxy === undefined) return false;
  const host = hostname.toLowerCase();
  for (let entry of noProxy.split(",")) {
    entry = entry.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    let entryPort: number | undefined;
    const pm = /^(.*[^:]):(\d+)$/.exec(entry);
    if (pm !== null && !entry.includes("/") && (pm[1].startsWith("[") || !pm[1].includes(":"))) {
      entry = pm[1];
      entryPort = Number(pm[2]);
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    if (entry.startsWith("[") && entry.endsWith("]")) entry = entry.slice(1, -1);
    const slash = entry.indexOf("/");
    if (slash > 0) {
      const base = ipv4(entry.slice(0, slash));
      const bits = Number(entry.slice(slash + 1));
      const ip = ipv4(host);
      if (base >= 0 && ip >= 0 && bits >= 0 && bits <= 32) {
        const size = 2 ** (32 - bits);
        if (Math.floor(ip / size) === Math.floor(base / size)) return true;
      }
      continue;
    }
    if (entry.startsWith("*.")) entry = entry.slice(1);
    if (entry.startsWith(".")) {
      if (host.endsWith(entry) || host === entry.slice(1)) return true;
    } else if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

/** The proxy for a URL's scheme and host, or undefined to go direct. */
export function proxyFor(
  settings: ProxySettings | undefined,
  tls: boolean,
  hostname: string,
  port: number,
): ProxyTarget | undefined {
  if (settings === undefined) return undefined;
  const value = tls ? settings.https : settings.http;
  if (!value) return undefined;
  if (bypassesProxy(settings.noProxy, hostname, port)) return undefined;
  return parseProxyUrl(value, tls ? "HTTPS proxy" : "HTTP proxy");
}

const encoder = new TextEncoder();

/**
 * Asks the proxy on `conn` for a tunnel to `hostname:port` (`CONNECT`) and
 * reads its answer. Resolves once the tunnel is open (a 2xx answer); the
 * connection then carries the target's bytes.
 *
 * @throws {ProtocolError} When the proxy refuses (its status line in the message) or answers garbage.
 */
export async function openTunnel(
  conn: Deno.Conn,
  proxy: ProxyTarget,
  hostname: string,
  port: number,
): Promise<void> {
  const authority = hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
  let head = `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n`;
  if (proxy.authorization) head += `Proxy-Authorization: ${proxy.authorization}\r\n`;
  head += "\r\n";
  const wire = encoder.encode(head);
  let w = 0;
  while (w < wire.length) w += await conn.write(wire.subarray(w));
  // Read the answer's head byte by byte: not one byte past it (those are the target's).
  const one = new Uint8Array(1);
  const line: number[] = [];
  let statusLine = "";
  let last = 0; // the last 4 bytes read, one per octet
  let done = false;
  for (let n = 0; n < 16_384 && !done; n++) {
    const r = await conn.read(one);
    if (r === null) throw new ProtocolError(`proxy ${proxy.href} closed the CONNECT`);
    const x = one[0];
    if (statusLine === "") {
      if (x === 10) statusLine = String.fromCharCode(...line).trim();
      else line.push(x);
    }
    last = ((last << 8) | x) >>> 0;
    done = last === 0x0d0a0d0a || (last & 0xffff) === 0x0a0a;
  }
  if (!done) throw new ProtocolError(`proxy ${proxy.href}: malformed CONNECT answer`);
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (m === null || m[1][0] !== "2") {
    throw new ProtocolError(`proxy ${proxy.href} refused CONNECT ${authority}: ${statusLine}`);
  }
}
