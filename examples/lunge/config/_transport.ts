/**
 * Private helper: the transport settings beyond Lunge's schema —
 * `settings.tls: {ca, cert, key, insecureSkipVerify, serverName}`,
 * `settings.http2`, `settings.maxConcurrentStreams`, `settings.proxy`
 * (one URL, or `{http, https, noProxy}`) and `settings.unixSocket` —
 * validated; then, before a run, the TLS files read ({@linkcode loadTlsFiles})
 * and the permissions they need listed ({@linkcode transportPermissions}).
 *
 * @module
 */
import type { Problems } from "./_problems.ts";
import { bool, int, isObj, type Obj, str } from "./_fields.ts";
import { checkFields } from "./_schema.ts";
import { ConfigError } from "./config_error.ts";
import type { Settings, TlsFileSettings } from "./types.ts";
import { bypassesProxy, checkProxySettings, parseProxyUrl } from "../http/_proxy.ts";

const TLS_FIELDS = ["ca", "cert", "key", "insecureSkipVerify", "serverName"] as const;
const PROXY_FIELDS = ["http", "https", "noProxy"] as const;

/** Reads the transport fields of the `settings` map `v` into `settings`. */
export function parseTransport(v: Obj, settings: Settings, problems: Problems): void {
  const p = "settings";
  const tls = v.tls;
  if (tls !== undefined && tls !== null) {
    if (!isObj(tls)) {
      problems.add("settings.tls: must be a map of ca, cert, key, insecureSkipVerify, serverName");
    } else {
      checkFields(tls, TLS_FIELDS, "settings.tls", problems);
      const t: TlsFileSettings = {};
      const q = "settings.tls";
      t.caFile = problems.try(() => str(tls, "ca", q));
      t.certFile = problems.try(() => str(tls, "cert", q));
      t.keyFile = problems.try(() => str(tls, "key", q));
      t.serverName = problems.try(() => str(tls, "serverName", q));
      t.insecureSkipVerify = problems.try(() => bool(tls, "insecureSkipVerify", q));
      if ((t.certFile === undefined) !== (t.keyFile === undefined)) {
        problems.add("settings.tls: cert and key go together (got only one)");
      }
      if (t.serverName !== undefined && (t.serverName === "" || /[\s/:]/.test(t.serverName))) {
        problems.add(
          `settings.tls.serverName: must be a host name, got ${JSON.stringify(t.serverName)}`,
        );
      }
      if (t.certFile !== undefined && t.serverName !== undefined) {
        problems.add(
          "settings.tls: cert cannot be combined with serverName (Deno.startTls, which a " +
            "different SNI needs, takes no client certificate)",
        );
      }
      settings.tls = t;
    }
  }
  settings.http2 = problems.try(() => bool(v, "http2", p));
  settings.maxConcurrentStreams = problems.try(() => int(v, "maxConcurrentStreams", p, 1));
  const proxy = v.proxy;
  if (typeof proxy === "string") {
    problems.try(() => parseProxyUrl(proxy, "settings.proxy"));
    settings.proxy = { http: proxy, https: proxy };
  } else if (isObj(proxy)) {
    checkFields(proxy, PROXY_FIELDS, "settings.proxy", problems);
    const s = {
      http: problems.try(() => str(proxy, "http", "settings.proxy")),
      https: problems.try(() => str(proxy, "https", "settings.proxy")),
      noProxy: problems.try(() => str(proxy, "noProxy", "settings.proxy")),
    };
    problems.try(() => checkProxySettings(s));
    settings.proxy = s;
  } else if (proxy !== undefined && proxy !== null) {
    problems.add(`settings.proxy: must be a proxy URL or a map of http, https, noProxy`);
  }
  settings.unixSocket = problems.try(() => str(v, "unixSocket", p));
  if (settings.unixSocket === "") problems.add("settings.unixSocket: must be a socket path");
  if (settings.unixSocket && settings.tls?.certFile !== undefined) {
    problems.add(
      "settings.tls.cert: cannot be used with settings.unixSocket (Deno.startTls takes no client certificate)",
    );
  }
}

/**
 * Reads the PEM files `settings.tls` names into `settings.tlsPem` (once, in
 * the main thread, before the workers start).
 *
 * @throws {ConfigError} Naming the field and the file when one cannot be
 *   read or holds no PEM block, or when a client certificate would have to
 *   go through an https proxy.
 */
export async function loadTlsFiles(settings: Settings): Promise<void> {
  const t = settings.tls;
  if (t === undefined) return;
  if (t.certFile !== undefined && settings.proxy?.https) {
    throw new ConfigError(
      "settings.tls.cert: cannot go through an https proxy (--proxy, settings.proxy or " +
        "HTTPS_PROXY): the tunnel needs Deno.startTls, which takes no client certificate",
    );
  }
  const read = async (field: string, path: string | undefined, kind: RegExp) => {
    if (path === undefined) return undefined;
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      throw new ConfigError(
        `settings.tls.${field}: cannot read ${JSON.stringify(path)}: ${(e as Error).message}`,
      );
    }
    if (!kind.test(text)) {
      throw new ConfigError(
        `settings.tls.${field}: ${JSON.stringify(path)} holds no PEM ${
          field === "key" ? "private key" : "certificate"
        }`,
      );
    }
    return text;
  };
  const CERT = /-----BEGIN CERTIFICATE-----/;
  settings.tlsPem = {
    ca: await read("ca", t.caFile, CERT),
    cert: await read("cert", t.certFile, CERT),
    key: await read("key", t.keyFile, /-----BEGIN [A-Z ]*PRIVATE KEY-----/),
  };
}

/**
 * The permission flags the transport settings need and lack (queried, never
 * prompted): read of the TLS files, read and write of the Unix socket. The
 * net permissions (proxies, `unix:<path>`; targets reached through them need
 * none of their own) come from {@linkcode dialHosts}.
 */
export async function transportPermissions(settings: Settings): Promise<string[]> {
  const read: string[] = [];
  const write: string[] = [];
  const t = settings.tls;
  for (const path of [t?.caFile, t?.certFile, t?.keyFile, settings.unixSocket]) {
    if (path === undefined) continue;
    if ((await Deno.permissions.query({ name: "read", path })).state !== "granted") read.push(path);
  }
  const sock = settings.unixSocket;
  if (
    sock !== undefined &&
    (await Deno.permissions.query({ name: "write", path: sock })).state !== "granted"
  ) {
    write.push(sock);
  }
  const out: string[] = [];
  if (read.length) out.push(`--allow-read=${read.join(",")}`);
  if (write.length) out.push(`--allow-write=${write.join(",")}`);
  return out;
}

/**
 * What each target is dialled at, as `--allow-net` names it: its own
 * `host:port`, its proxy's, or `unix:<path>` for a Unix socket.
 */
export function dialHosts(settings: Settings, targets: Iterable<{ url: URL }>): Set<string> {
  const hosts = new Set<string>();
  // Deno 2.9 asks net access for "unix:<path>" (besides read and write of the path).
  if (settings.unixSocket !== undefined) return hosts.add(`unix:${settings.unixSocket}`);
  for (const { url } of targets) {
    const tls = url.protocol === "https:";
    let hostname = url.hostname;
    if (hostname.startsWith("[")) hostname = hostname.slice(1, -1);
    const port = url.port === "" ? (tls ? 443 : 80) : Number(url.port);
    const proxy = tls ? settings.proxy?.https : settings.proxy?.http;
    if (proxy && !bypassesProxy(settings.proxy?.noProxy, hostname, port)) {
      const target = parseProxyUrl(proxy, "proxy");
      const h = target.hostname.includes(":") ? `[${target.hostname}]` : target.hostname;
      hosts.add(`${h}:${target.port}`);
    } else hosts.add(`${url.hostname}:${port}`);
  }
  return hosts;
}

/**
 * The proxies from the environment (`HTTP_PROXY`, `HTTPS_PROXY`,
 * `NO_PROXY`, or their lower-case forms), read only where `--allow-env`
 * grants them (never prompted); undefined when none is set.
 *
 * @throws {TypeError} Naming the variable when its value is not an http proxy URL.
 */
export function proxyFromEnv(): Settings["proxy"] {
  const get = (name: string): string | undefined => {
    for (const n of [name, name.toLowerCase()]) {
      if (Deno.permissions.querySync({ name: "env", variable: n }).state !== "granted") continue;
      const v = Deno.env.get(n);
      if (v !== undefined && v !== "") return v;
    }
    return undefined;
  };
  const http = get("HTTP_PROXY");
  const https = get("HTTPS_PROXY");
  if (http === undefined && https === undefined) return undefined;
  if (http !== undefined) parseProxyUrl(http, "HTTP_PROXY");
  if (https !== undefined) parseProxyUrl(https, "HTTPS_PROXY");
  return { http, https, noProxy: get("NO_PROXY") };
}

/** The transport flags' values as parseArgs returns them. */
export interface TransportFlagValues {
  cacert?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
  http2?: boolean;
  proxy?: string;
  "unix-socket"?: string;
}

/**
 * The settings fields the transport flags set (a `settings` document
 * fragment; `tls` is merged into the config's own).
 *
 * @throws {TypeError} Naming the flag and the value when one is unusable.
 */
export function transportFlags(v: TransportFlagValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const tls: Record<string, unknown> = {};
  const path = (flag: string, value: string | undefined) => {
    if (value !== undefined && value.trim() === "") {
      throw new TypeError(`--${flag} needs a file path`);
    }
    return value;
  };
  if (path("cacert", v.cacert) !== undefined) tls.ca = v.cacert;
  if (path("cert", v.cert) !== undefined) tls.cert = v.cert;
  if (path("key", v.key) !== undefined) tls.key = v.key;
  if (v.insecure) tls.insecureSkipVerify = true;
  if (Object.keys(tls).length > 0) out.tls = tls;
  if (v.http2) out.http2 = true;
  if (v.proxy !== undefined) {
    parseProxyUrl(v.proxy, "--proxy");
    out.proxy = v.proxy;
  }
  if (path("unix-socket", v["unix-socket"]) !== undefined) out.unixSocket = v["unix-socket"];
  return out;
}

/** Applies {@linkcode transportFlags}' fields to a raw `settings` document (flags win). */
export function applyTransportFlags(
  settings: Record<string, unknown>,
  flags: Record<string, unknown>,
): void {
  for (const [k, value] of Object.entries(flags)) {
    if (k === "tls" && isObj(settings.tls)) settings.tls = { ...settings.tls, ...(value as Obj) };
    else settings[k] = value;
  }
}
