/**
 * HTTP/2 against a real Debian nginx (`listen … ssl http2`, nginx 1.22): the
 * client speaks h2 when ALPN offers it, counts and bytes equal nginx's access
 * log (`$bytes_sent`, `HTTP/2.0`), streams share a connection within the
 * stream limit, connections that nginx ends with GOAWAY (its
 * `http2_max_requests`) are replaced, request bodies respect flow control, and plain
 * http:// or `http2: false` stay HTTP/1.1. Also the CLI end to end.
 *
 * @module
 */
import assert from "node:assert/strict";
import { HttpClient } from "../../../examples/lunge/http/http_client.ts";
import { NGINX_MISSING, type NginxOptions, startNginx, sumBytes } from "../_nginx.ts";
import { hasOpenssl, makeCertificate } from "../_test_cert.ts";
import { READ, runLunge } from "../_cli.ts";
import { validateConfig } from "../../../examples/lunge/config/config.ts";
import { loadTlsFiles } from "../../../examples/lunge/config/_transport.ts";
import { runTest } from "../../../examples/lunge/run/engine.ts";

const SKIP = NGINX_MISSING ?? (hasOpenssl() ? undefined : "openssl is missing: test skipped");
const BODY = "0123456789012345678901234567890123456789abcd";

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** nginx with an h2 TLS listener (and its plain one), the CA to trust, and the TLS port. */
async function h2Nginx(extra: { http?: string; server?: string } = {}) {
  const cert = await makeCertificate();
  const dir = await Deno.makeTempDir({ prefix: "lunge-h2-" });
  await Deno.writeTextFile(`${dir}/cert.pem`, cert.cert);
  await Deno.writeTextFile(`${dir}/key.pem`, cert.key);
  const tlsPort = freePort();
  const options: NginxOptions = {
    files: { "index.html": BODY },
    http: extra.http,
    server: `listen 127.0.0.1:${tlsPort} ssl http2;
      ssl_certificate ${dir}/cert.pem; ssl_certificate_key ${dir}/key.pem;
      location /echo { return 200 "ok"; }
      ${extra.server ?? ""}`,
  };
  const nginx = await startNginx(options);
  return {
    nginx,
    ca: cert.ca,
    dir,
    url: `https://127.0.0.1:${tlsPort}`,
    async close() {
      await nginx.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test({
  name: "h2: ALPN picks h2; counts, status and bytes equal nginx's log (HTTP/2.0)",
  ignore: SKIP !== undefined,
  async fn() {
    const s = await h2Nginx();
    const client = new HttpClient({ timeoutMs: 5_000, caCerts: [s.ca] });
    try {
      const ok = client.prepare({ method: "GET", url: `${s.url}/index.html` });
      const missing = client.prepare({ method: "GET", url: `${s.url}/nope` });
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => client.send(i % 3 === 0 ? missing : ok)),
      );
      const log = await s.nginx.logAtLeast(60);
      assert.equal(log.length, 60);
      assert.ok(log.every((l) => l.protocol === "HTTP/2.0"), JSON.stringify(log[0]));
      assert.equal(results.filter((r) => r.statusCode === 404).length, 20);
      assert.equal(results.filter((r) => r.statusCode === 200).length, 40);
      assert.equal(log.filter((l) => l.status === 404).length, 20);
      assert.equal(results.reduce((a, r) => a + r.bytes, 0), sumBytes(log));
      assert.ok(results.every((r) => r.error === undefined));
    } finally {
      client.close();
      await s.close();
    }
  },
});

Deno.test({
  name:
    "h2: across nginx's http2_max_requests (GOAWAY, then new connections) each request completes once",
  ignore: SKIP !== undefined,
  async fn() {
    const s = await h2Nginx({ http: "http2_max_requests 7;" });
    const client = new HttpClient({ timeoutMs: 5_000, caCerts: [s.ca] });
    try {
      const req = client.prepare({ method: "GET", url: `${s.url}/index.html` });
      let done = 0;
      let bytes = 0;
      await Promise.all(Array.from({ length: 10 }, async () => {
        for (let i = 0; i < 10; i++) {
          const r = await client.send(req);
          assert.equal(r.error, undefined, JSON.stringify(r));
          assert.equal(r.statusCode, 200);
          done++;
          bytes += r.bytes;
        }
      }));
      const log = await s.nginx.logAtLeast(100);
      assert.equal(done, 100);
      assert.equal(log.length, 100, "nginx logged each request once");
      assert.equal(bytes, sumBytes(log));
    } finally {
      client.close();
      await s.close();
    }
  },
});

Deno.test({
  name: "h2: streams are multiplexed within maxConcurrentStreams and the server's limit",
  ignore: SKIP !== undefined,
  async fn() {
    // $connection tells which connection carried each request; nginx notes a
    // stream past its limit ("concurrent streams exceeded") at the info level.
    const s = await h2Nginx({
      http: "log_format conn '$connection'; http2_max_concurrent_streams 3;",
      server: `access_log logs/access.log counted; access_log logs/conn.log conn;
        error_log logs/info.log info;`,
    });
    const connLog = async () =>
      (await Deno.readTextFile(`${s.nginx.prefix}/logs/conn.log`)).trim().split("\n");
    try {
      // The server allows 3 streams per connection: 30 at once never open a 4th on one.
      const a = new HttpClient({ timeoutMs: 5_000, caCerts: [s.ca] });
      const req = a.prepare({ method: "GET", url: `${s.url}/index.html` });
      await a.send(req); // learns h2 and the limit
      const rs = await Promise.all(Array.from({ length: 30 }, () => a.send(req)));
      a.close();
      assert.ok(rs.every((r) => r.statusCode === 200), JSON.stringify(rs));
      await s.nginx.logAtLeast(31);
      const info = await Deno.readTextFile(`${s.nginx.prefix}/logs/info.log`);
      assert.doesNotMatch(info, /concurrent streams exceeded/);
      assert.ok(new Set(await connLog()).size >= 2, "more than one connection was needed");
      // Our own limit of 2 with one connection per host: 6 requests, one connection.
      const b = new HttpClient({
        timeoutMs: 5_000,
        caCerts: [s.ca],
        maxConcurrentStreams: 2,
        maxConnectionsPerHost: 1,
      });
      const rb = await Promise.all(Array.from({ length: 10 }, () => b.send(req)));
      b.close();
      assert.ok(rb.every((r) => r.statusCode === 200), JSON.stringify(rb));
      const log = await s.nginx.logAtLeast(41);
      assert.equal(log.length, 41);
      assert.equal(new Set((await connLog()).slice(31)).size, 1);
      assert.equal(rs.concat(rb).reduce((n, r) => n + r.bytes, 0), sumBytes(log.slice(1)));
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name: "h2: a request body larger than the flow-control window arrives whole",
  ignore: SKIP !== undefined,
  async fn() {
    // nginx writes a PUT body to a file (WebDAV): its size says what arrived.
    const s = await h2Nginx({
      http: "client_max_body_size 1m;",
      server: "location /up/ { dav_methods PUT; create_full_put_path on; }",
    });
    // nginx's worker runs as nobody: let it write there.
    await Deno.mkdir(`${s.nginx.prefix}/html/up`);
    await Deno.chmod(`${s.nginx.prefix}/html/up`, 0o777);
    const client = new HttpClient({ timeoutMs: 5_000, caCerts: [s.ca], http2: true });
    try {
      const body = new Uint8Array(200_000);
      for (let i = 0; i < body.length; i++) body[i] = i % 251;
      const r = await client.request({ method: "PUT", url: `${s.url}/up/file.bin`, body });
      assert.equal(r.statusCode, 201, JSON.stringify(r));
      const log = await s.nginx.logAtLeast(1);
      assert.equal(log[0].protocol, "HTTP/2.0");
      assert.equal(r.bytes, log[0].bytesSent);
      const stored = await Deno.readFile(`${s.nginx.prefix}/html/up/file.bin`);
      assert.deepEqual(stored, body);
    } finally {
      client.close();
      await s.close();
    }
  },
});

Deno.test({
  name: "h2: http2 false and plain http:// stay HTTP/1.1",
  ignore: SKIP !== undefined,
  async fn() {
    const s = await h2Nginx();
    try {
      const off = new HttpClient({ timeoutMs: 5_000, caCerts: [s.ca], http2: false });
      assert.equal(
        (await off.request({ method: "GET", url: `${s.url}/index.html` })).statusCode,
        200,
      );
      off.close();
      const forced = new HttpClient({ timeoutMs: 5_000, http2: true });
      const plain = await forced.request({ method: "GET", url: `${s.nginx.origin}/index.html` });
      forced.close();
      assert.equal(plain.statusCode, 200);
      const log = await s.nginx.logAtLeast(2);
      assert.deepEqual(log.map((l) => l.protocol), ["HTTP/1.1", "HTTP/1.1"]);
      assert.equal(plain.bytes, log[1].bytesSent);
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name: "h2: the CLI with --cacert runs over h2; totalRequests and totalBytes equal nginx's log",
  ignore: SKIP !== undefined,
  async fn() {
    const s = await h2Nginx();
    const caFile = `${s.dir}/ca.pem`;
    await Deno.writeTextFile(caFile, s.ca);
    try {
      const host = new URL(s.url).host;
      const out = await runLunge(
        [
          "--url",
          `${s.url}/index.html`,
          "--vus",
          "4",
          "--duration",
          "1s",
          "--cacert",
          caFile,
          "--json",
          "-q",
        ],
        [`--allow-net=${host}`, `--allow-read=${READ},${caFile}`],
      );
      assert.equal(out.code, 0, out.stderr);
      const m = JSON.parse(out.stdout).metrics;
      const log = await s.nginx.logAtLeast(m.totalRequests);
      assert.ok(m.totalRequests > 10);
      assert.equal(log.length, m.totalRequests);
      assert.ok(log.every((l) => l.protocol === "HTTP/2.0"));
      assert.equal(m.totalBytes, sumBytes(log));
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name:
    "h2: json assertions, extracts, gzip and redirects over h2 (engine); counts and bytes equal nginx's",
  ignore: SKIP !== undefined,
  async fn() {
    const s = await h2Nginx({
      server: `location = /r1 { return 302 /user.json; }
        gzip on; gzip_min_length 1; gzip_types application/json;`,
    });
    const user = JSON.stringify({
      user: { id: 42, name: "ada" },
      token: "t-123",
      pad: "x".repeat(400),
    });
    await Deno.writeTextFile(`${s.nginx.prefix}/html/user.json`, user);
    await Deno.writeTextFile(`${s.dir}/ca.pem`, s.ca);
    try {
      const config = validateConfig({
        settings: { baseUrl: s.url, tls: { ca: `${s.dir}/ca.pem` }, compression: true },
        scenarios: {
          s: {
            executor: "constant-vus",
            vus: 3,
            duration: "600ms",
            requests: [
              {
                name: "login",
                url: "/r1",
                extract: [{ name: "token", source: "json", path: "$.token" }],
                assertions: [
                  { type: "json", path: "$.user.name", condition: "eq", value: "ada" },
                  { type: "header", path: "content-encoding", condition: "eq", value: "gzip" },
                ],
              },
              {
                name: "use",
                url: "/index.html?t={{token}}",
                assertions: [{ type: "body", condition: "contains", value: "abcd" }],
              },
            ],
          },
        },
      });
      await loadTlsFiles(config.settings);
      const r = await runTest({ config, workers: 1 });
      const m = r.metrics;
      assert.equal(m.failedRequests, 0, JSON.stringify(m.errorsByType));
      const log = await s.nginx.logAtLeast(m.totalRequests);
      assert.ok(m.totalRequests > 6);
      assert.equal(log.length, m.totalRequests);
      assert.ok(log.every((l) => l.protocol === "HTTP/2.0"));
      assert.ok(log.some((l) => l.uri === "/index.html?t=t-123"), "the extracted token was sent");
      const hops = log.filter((l) => l.uri === "/r1").length;
      assert.equal(log.filter((l) => l.uri === "/user.json").length, hops);
      assert.equal(m.statusCodes["302"], hops);
      assert.equal(m.totalBytes, sumBytes(log));
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name:
    'h2: a stream past its timeout is reset ("timeout"); the connection serves the next request',
  ignore: SKIP !== undefined,
  async fn() {
    const s = await h2Nginx({ server: "location /slow/ { limit_rate 1k; }" });
    await Deno.mkdir(`${s.nginx.prefix}/html/slow`, { mode: 0o755 });
    await Deno.writeTextFile(`${s.nginx.prefix}/html/slow/big.txt`, "x".repeat(50_000));
    const client = new HttpClient({ timeoutMs: 400, caCerts: [s.ca] });
    try {
      const t0 = performance.now();
      const slow = await client.request({ method: "GET", url: `${s.url}/slow/big.txt` });
      const took = performance.now() - t0;
      assert.equal(slow.error, "timeout");
      assert.ok(took >= 390 && took < 1_500, `timed out after ${took} ms`);
      const ok = await client.request({ method: "GET", url: `${s.url}/index.html` });
      assert.equal(ok.statusCode, 200, JSON.stringify(ok));
      const log = await s.nginx.logAtLeast(2);
      assert.equal(log.length, 2);
      assert.equal(ok.bytes, log.find((l) => l.uri === "/index.html")!.bytesSent);
    } finally {
      client.close();
      await s.close();
    }
  },
});
