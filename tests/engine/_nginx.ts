/**
 * Test helper: a real Debian nginx started in a temporary prefix on
 * 127.0.0.1 (`nginx -p <tmp> -c <conf> -g 'daemon off;'`), one worker, with
 * an access log whose lines carry `$status $bytes_sent $request_method
 * $request_uri $server_protocol`, so a test can compare the client's count
 * and bytes with the server's. Callers add their own `server`-block config
 * (locations, `return 302`, `gzip on`, TLS `listen` lines, …).
 *
 * @module
 */

/** One line of nginx's access log. */
export interface NginxLogLine {
  /** The status nginx sent. */
  status: number;
  /** `$bytes_sent`: every byte nginx sent for the response (head and body). */
  bytesSent: number;
  /** The request method. */
  method: string;
  /** The request URI as received. */
  uri: string;
  /** `HTTP/1.1`, `HTTP/2.0`, … */
  protocol: string;
}

/** A running nginx. */
export interface Nginx {
  /** The TCP port it listens on (127.0.0.1). */
  readonly port: number;
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly origin: string;
  /** The prefix directory: files under `<prefix>/html` are served. */
  readonly prefix: string;
  /** Lines of the access log so far (nginx writes a line when a response ends). */
  log(): Promise<NginxLogLine[]>;
  /** How many lines the access log holds now (cheaper than `log()` for big logs). */
  lineCount(): Promise<number>;
  /** Waits until the log holds at least `n` lines (up to `timeoutMs`), then returns them. */
  logAtLeast(n: number, timeoutMs?: number): Promise<NginxLogLine[]>;
  /** Stops nginx and removes its prefix. */
  close(): Promise<void>;
}

/** Options of {@linkcode startNginx}. */
export interface NginxOptions {
  /**
   * Extra directives inside the `server` block (after `listen` and `root`),
   * e.g. `location /r { return 302 /ok; }` or `gzip on; gzip_min_length 1;`.
   */
  server?: string;
  /** Extra directives in the `http` block (e.g. `keepalive_timeout 1s;`). */
  http?: string;
  /** Replaces the default `listen 127.0.0.1:<port>;` line (TLS, http2, unix:…). */
  listen?: string;
  /** Files to write under `<prefix>/html`, name -> content. */
  files?: Record<string, string | Uint8Array>;
  /**
   * Buffer the access log (`buffer=256k flush=1s`), for benchmarks: lines
   * then reach the file up to a second late.
   */
  bufferLog?: boolean;
}

/** The nginx binary, or undefined when it is not installed. */
export function nginxPath(): string | undefined {
  for (const p of ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Why nginx tests are skipped here, or undefined when nginx is installed. */
export const NGINX_MISSING: string | undefined = nginxPath() === undefined
  ? "nginx is not installed (.ci/run installs Debian's nginx): test skipped"
  : undefined;

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

function parseLog(text: string): NginxLogLine[] {
  const out: NginxLogLine[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const [status, bytes, method, uri, protocol] = line.split(" ");
    out.push({ status: Number(status), bytesSent: Number(bytes), method, uri, protocol });
  }
  return out;
}

/**
 * Starts nginx on a free 127.0.0.1 port and waits until it accepts connections.
 *
 * @throws {Error} When nginx is missing or does not start (its stderr in the message).
 */
export async function startNginx(options: NginxOptions = {}): Promise<Nginx> {
  const bin = nginxPath();
  if (bin === undefined) throw new Error("nginx is not installed");
  const prefix = await Deno.makeTempDir({ prefix: "lunge-nginx-" });
  // nginx's worker may run as another user (root starts it as nobody): let it read.
  await Deno.chmod(prefix, 0o755);
  await Deno.mkdir(`${prefix}/html`, { mode: 0o755 });
  await Deno.mkdir(`${prefix}/logs`);
  for (const [name, content] of Object.entries(options.files ?? {})) {
    const path = `${prefix}/html/${name}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true, mode: 0o755 });
    if (typeof content === "string") await Deno.writeTextFile(path, content, { mode: 0o644 });
    else await Deno.writeFile(path, content, { mode: 0o644 });
  }
  const port = freePort();
  const conf = `worker_processes 1;
error_log ${prefix}/logs/error.log warn;
pid ${prefix}/logs/nginx.pid;
events { worker_connections 1024; }
http {
  log_format counted '$status $bytes_sent $request_method $request_uri $server_protocol';
  access_log ${prefix}/logs/access.log counted${options.bufferLog ? " buffer=256k flush=1s" : ""};
  client_body_temp_path ${prefix}/tmp_body;
  proxy_temp_path ${prefix}/tmp_proxy;
  fastcgi_temp_path ${prefix}/tmp_fastcgi;
  uwsgi_temp_path ${prefix}/tmp_uwsgi;
  scgi_temp_path ${prefix}/tmp_scgi;
  default_type application/octet-stream;
  types { application/json json; text/html html; text/plain txt; }
  keepalive_requests 1000000;
  ${options.http ?? ""}
  server {
    ${options.listen ?? `listen 127.0.0.1:${port};`}
    root ${prefix}/html;
    ${options.server ?? ""}
  }
}
`;
  await Deno.writeTextFile(`${prefix}/nginx.conf`, conf);
  const child = new Deno.Command(bin, {
    args: ["-p", prefix, "-c", `${prefix}/nginx.conf`, "-g", "daemon off;"],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      c.close();
      break;
    } catch {
      if (Date.now() > deadline) {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
        await child.status;
        const err = await stderr;
        const log = await Deno.readTextFile(`${prefix}/logs/error.log`).catch(() => "");
        throw new Error(`nginx did not start: ${err}${log}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const logPath = `${prefix}/logs/access.log`;
  const log = async () => parseLog(await Deno.readTextFile(logPath).catch(() => ""));
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    prefix,
    log,
    async lineCount() {
      const b = await Deno.readFile(logPath).catch(() => new Uint8Array(0));
      let n = 0;
      for (let i = 0; i < b.length; i++) if (b[i] === 10) n++;
      return n;
    },
    async logAtLeast(n: number, timeoutMs = 3_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const lines = await log();
        if (lines.length >= n || Date.now() > until) return lines;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      try {
        child.kill("SIGTERM"); // fast shutdown: the workers exit at once (SIGQUIT waits for keep-alive clients and can orphan them)
      } catch { /* gone */ }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }, 3_000);
      await child.status;
      clearTimeout(timer);
      await stderr;
      await Deno.remove(prefix, { recursive: true }).catch(() => {});
    },
  };
}

/** The sum of `$bytes_sent` over `lines`. */
export function sumBytes(lines: readonly NginxLogLine[]): number {
  let s = 0;
  for (const l of lines) s += l.bytesSent;
  return s;
}
