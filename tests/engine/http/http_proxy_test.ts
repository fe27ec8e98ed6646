/**
 * Proxies against real parts: Debian's tinyproxy on 127.0.0.1 in front of a
 * Debian nginx. http requests go in absolute-form (tinyproxy logs each
 * `GET http://…`), https ones through a CONNECT tunnel (tinyproxy logs each
 * CONNECT; the tunnel is transparent, so bytes equal nginx's `$bytes_sent`),
 * `noProxy` hosts go direct, and the CLI takes `--proxy` and `HTTP_PROXY`
 * (then needing net access to the proxy only).
 *
 * @module
 */
import assert from "node:assert/strict";
import { HttpClient } from "../../../examples/lunge/http/http_client.ts";
import { NGINX_MISSING, startNginx, sumBytes } from "../_nginx.ts";
import { hasOpenssl, makeCertificate } from "../_test_cert.ts";
import { READ, runLunge } from "../_cli.ts";

const TINYPROXY = ["/usr/bin/tinyproxy", "/usr/sbin/tinyproxy"].find((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});
const SKIP = NGINX_MISSING ??
  (TINYPROXY === undefined
    ? "tinyproxy is not installed (.ci/run installs Debian's tinyproxy): test skipped"
    : hasOpenssl()
    ? undefined
    : "openssl is missing: test skipped");

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** tinyproxy on 127.0.0.1 in the foreground, logging each request at the Info level. */
async function startTinyproxy() {
  const dir = await Deno.makeTempDir({ prefix: "lunge-tinyproxy-" });
  await Deno.chmod(dir, 0o777); // it drops to nobody and then writes its log here
  const port = freePort();
  await Deno.writeTextFile(
    `${dir}/tinyproxy.conf`,
    `Port ${port}\nListen 127.0.0.1\nTimeout 30\nLogFile "${dir}/tinyproxy.log"\nLogLevel Info\n` +
      "MaxClients 200\nAllow 127.0.0.1\nDisableViaHeader Yes\n",
  );
  const child = new Deno.Command(TINYPROXY!, {
    args: ["-d", "-c", `${dir}/tinyproxy.conf`],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0;; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch (e) {
      if (i > 250) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  /** The requests tinyproxy received: "GET http://…" and "CONNECT host:port" lines. */
  const requests = async () => {
    const text = await Deno.readTextFile(`${dir}/tinyproxy.log`).catch(() => "");
    return [...text.matchAll(/Request \(file descriptor \d+\): (\S+ \S+) HTTP/g)].map((m) => m[1]);
  };
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    async close() {
      child.kill("SIGTERM");
      await child.status;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function servers() {
  const cert = await makeCertificate();
  const dir = await Deno.makeTempDir({ prefix: "lunge-proxy-tls-" });
  await Deno.chmod(dir, 0o755);
  await Deno.writeTextFile(`${dir}/cert.pem`, cert.cert, { mode: 0o644 });
  await Deno.writeTextFile(`${dir}/key.pem`, cert.key, { mode: 0o644 });
  const tlsPort = freePort();
  const nginx = await startNginx({
    files: { "index.html": "behind a proxy" },
    server: `listen 127.0.0.1:${tlsPort} ssl http2;
      ssl_certificate ${dir}/cert.pem; ssl_certificate_key ${dir}/key.pem;`,
  });
  const proxy = await startTinyproxy();
  return {
    nginx,
    proxy,
    ca: cert.ca,
    https: `https://127.0.0.1:${tlsPort}`,
    async close() {
      await proxy.close();
      await nginx.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test({
  name:
    "proxy: http in absolute-form, https through CONNECT; counts equal tinyproxy's and nginx's logs",
  ignore: SKIP !== undefined,
  async fn() {
    const s = await servers();
    try {
      const client = new HttpClient({
        timeoutMs: 5_000,
        caCerts: [s.ca],
        proxy: { http: s.proxy.url, https: s.proxy.url },
      });
      const plainUrl = `${s.nginx.origin}/index.html`;
      const plain = await Promise.all(
        Array.from({ length: 6 }, () => client.request({ method: "GET", url: plainUrl })),
      );
      assert.ok(plain.every((r) => r.statusCode === 200), JSON.stringify(plain));
      let viaProxy = await s.proxy.requests();
      assert.deepEqual(viaProxy, Array(6).fill(`GET ${plainUrl}`));
      const tunnelled = [];
      for (let i = 0; i < 5; i++) {
        tunnelled.push(await client.request({ method: "GET", url: `${s.https}/index.html` }));
      }
      client.close();
      assert.ok(tunnelled.every((r) => r.statusCode === 200), JSON.stringify(tunnelled));
      viaProxy = await s.proxy.requests();
      // One tunnel carried the five requests (HTTP/2 chosen through it by ALPN).
      assert.deepEqual(viaProxy.slice(6), [`CONNECT ${new URL(s.https).host}`]);
      const log = await s.nginx.logAtLeast(11);
      assert.equal(log.length, 11);
      const tls = log.filter((l) => l.protocol === "HTTP/2.0");
      assert.equal(tls.length, 5);
      assert.equal(tunnelled.reduce((n, r) => n + r.bytes, 0), sumBytes(tls));
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name: "proxy: noProxy hosts go direct; a refused CONNECT is an error, not a hang",
  ignore: SKIP !== undefined,
  async fn() {
    const s = await servers();
    try {
      const direct = new HttpClient({
        timeoutMs: 5_000,
        proxy: { http: s.proxy.url, noProxy: "example.test, 127.0.0.1" },
      });
      const r = await direct.request({ method: "GET", url: `${s.nginx.origin}/index.html` });
      direct.close();
      assert.equal(r.statusCode, 200);
      assert.deepEqual(await s.proxy.requests(), []);
      const log = await s.nginx.logAtLeast(1);
      assert.equal(r.bytes, log[0].bytesSent, "direct: bytes are nginx's");
      // tinyproxy cannot reach a closed port: it answers the CONNECT with an error status.
      const closed = freePort();
      const refused = new HttpClient({ timeoutMs: 5_000, proxy: { https: s.proxy.url } });
      const e = await refused.request({ method: "GET", url: `https://127.0.0.1:${closed}/` });
      refused.close();
      assert.equal(e.statusCode, 0);
      assert.equal(e.error, "protocol error");
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name:
    "proxy: the CLI takes HTTP_PROXY (with --allow-env) and --proxy; net access to the proxy only",
  ignore: SKIP !== undefined,
  async fn() {
    const s = await servers();
    try {
      const url = `${s.nginx.origin}/index.html`;
      const args = ["--url", url, "--vus", "2", "--duration", "500ms", "--json", "-q"];
      const perms = [`--allow-net=${s.proxy.host}`, `--allow-read=${READ}`];
      const env = await runLunge(args, [...perms, "--allow-env=HTTP_PROXY,HTTPS_PROXY,NO_PROXY"], {
        env: { HTTP_PROXY: s.proxy.url },
      });
      assert.equal(env.code, 0, env.stderr);
      const m = JSON.parse(env.stdout).metrics;
      assert.ok(m.totalRequests > 0);
      assert.equal((await s.proxy.requests()).length, m.totalRequests);
      assert.equal((await s.nginx.logAtLeast(m.totalRequests)).length, m.totalRequests);
      const flag = await runLunge([...args, "--proxy", s.proxy.url], perms);
      assert.equal(flag.code, 0, flag.stderr);
      const n = JSON.parse(flag.stdout).metrics.totalRequests;
      assert.equal((await s.proxy.requests()).length, m.totalRequests + n);
      assert.equal((await s.nginx.logAtLeast(m.totalRequests + n)).length, m.totalRequests + n);
      // Without the variable granted, the proxy is not used: the target's permission is named.
      const ignored = await runLunge(args, perms, { env: { HTTP_PROXY: s.proxy.url } });
      assert.equal(ignored.code, 2);
      assert.match(ignored.stderr, new RegExp(`--allow-net=127\\.0\\.0\\.1:${s.nginx.port}`));
      const bad = await runLunge([...args, "--proxy", "socks5://127.0.0.1:1"], perms);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--proxy: only http:\/\/ proxies are supported/);
    } finally {
      await s.close();
    }
  },
});
