/**
 * Bench helper: the built-in target server in a separate `deno` process (so
 * it does not share the load generator's event loop or threads), with its
 * request counter, and the steady load the memory benches drive at it.
 *
 * @module
 */
import { type TestConfig, validateConfig } from "../../examples/lunge/config/config.ts";

/** A running target server process. */
export interface TargetProcess {
  /** Base URL, with a trailing slash. */
  url: string;
  /** Requests the server has received so far (its `/stats`). */
  requests(): Promise<number>;
  /** Stop the process. */
  close(): Promise<void>;
}

/** Start examples/lunge/demo/target_server.ts on a random 127.0.0.1 port. */
export async function startTargetProcess(): Promise<TargetProcess> {
  const file = new URL("../../examples/lunge/demo/target_server.ts", import.meta.url);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net=127.0.0.1", file.href, "--port", "0"],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let head = "";
  while (!head.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("target server exited before printing its URL");
    head += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  const url = head.split("\n")[0].trim();
  return {
    url,
    async requests() {
      const res = await fetch(new URL("stats", url));
      return (await res.json()).requests;
    },
    async close() {
      child.kill();
      await child.status;
    },
  };
}

/**
 * `rate` requests/s of `GET bytes/100` at `server` for `seconds`
 * (constant-arrival-rate, 100 to 200 VUs): the memory benches' load.
 */
export function steadyLoad(server: TargetProcess, rate: number, seconds: number): TestConfig {
  return validateConfig({
    scenarios: {
      load: {
        executor: "constant-arrival-rate",
        rate,
        duration: `${seconds}s`,
        preAllocatedVUs: 100,
        maxVUs: 200,
        requests: [{ url: new URL("bytes/100", server.url).href }],
      },
    },
  });
}
