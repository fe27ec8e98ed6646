/**
 * Building the test from the command line: from the flags alone, or from
 * the config file with the flags applied on top.
 *
 * @module
 */
import {
  ConfigError,
  readConfigDocument,
  type Stage,
  type TestConfig,
  validateConfig,
} from "../config/config.ts";
import { applyTransportFlags } from "../config/_transport.ts";
import { type LoadFlags, type RunCommand, UsageError } from "./parse.ts";

/** The executor the flags imply when `--executor` is absent. */
function impliedExecutor(load: LoadFlags): string {
  if (load.executor) return load.executor;
  const pool = load.preAllocatedVUs !== undefined || load.maxVUs !== undefined;
  if (load.stages !== undefined) {
    return load.rate !== undefined || pool ? "ramping-arrival-rate" : "ramping-vus";
  }
  return load.rate !== undefined ? "constant-arrival-rate" : "constant-vus";
}

function stagesDoc(stages: Stage[]) {
  return stages.map((s) => ({ duration: `${s.durationMs}ms`, target: s.target }));
}

/** Applies the load flags to one raw scenario document (flags win). */
function overrideScenario(s: Record<string, unknown>, load: LoadFlags): void {
  if (load.executor !== undefined) s.executor = load.executor;
  if (load.vus !== undefined) s.vus = load.vus;
  if (load.durationMs !== undefined) s.duration = `${load.durationMs}ms`;
  if (load.stages !== undefined) s.stages = stagesDoc(load.stages);
  if (load.rate !== undefined) s.rate = load.rate;
  if (load.preAllocatedVUs !== undefined) s.preAllocatedVUs = load.preAllocatedVUs;
  if (load.maxVUs !== undefined) s.maxVUs = load.maxVUs;
}

/**
 * Builds the test from the flags, or from the config file with the flags
 * applied on top (`--url` then replaces settings.baseUrl, `--timeout` and
 * `-H` the settings, load flags every scenario). Throws a
 * {@linkcode ConfigError} or {@linkcode UsageError}.
 */
export async function buildConfig(cmd: RunCommand): Promise<TestConfig> {
  const load = cmd.load;
  if (cmd.config !== undefined) {
    const doc = await readConfigDocument(cmd.config);
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
      throw new ConfigError(`${cmd.config}: must hold a map at the top level`);
    }
    const d = doc as Record<string, unknown>;
    const settings = { ...(d.settings as Record<string, unknown> ?? {}) };
    if (load.url !== undefined) settings.baseUrl = load.url;
    if (load.timeoutMs !== undefined) settings.timeout = `${load.timeoutMs}ms`;
    Object.assign(settings, idleSettings(load));
    applyTransportFlags(settings, load.transport ?? {});
    if (Object.keys(load.headers).length > 0) {
      settings.headers = { ...(settings.headers as Record<string, string> ?? {}), ...load.headers };
    }
    d.settings = settings;
    if (d.scenarios && typeof d.scenarios === "object") {
      for (const s of Object.values(d.scenarios as Record<string, unknown>)) {
        if (s && typeof s === "object") overrideScenario(s as Record<string, unknown>, load);
      }
    }
    try {
      return validateConfig(d);
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError(`${cmd.config}: ${e.message}`);
      throw e;
    }
  }
  const executor = impliedExecutor(load);
  const scenario: Record<string, unknown> = {
    executor,
    requests: [{
      name: `${load.method ?? "GET"} ${new URL(load.url!).pathname}`,
      method: load.method ?? "GET",
      url: load.url,
      headers: load.headers,
      body: load.body,
    }],
  };
  if (executor === "constant-vus") scenario.vus = 10;
  if (executor === "constant-vus" || executor === "constant-arrival-rate") {
    scenario.duration = "30s";
  }
  overrideScenario(scenario, load);
  const missing = (flag: string, field: string) => {
    if (scenario[field] === undefined) {
      throw new UsageError(`--executor ${executor} needs --${flag}`);
    }
  };
  if (executor === "constant-arrival-rate") missing("rate", "rate");
  if (executor.startsWith("ramping")) missing("stages", "stages");
  const u = new URL(load.url!);
  try {
    return validateConfig({
      name: `${load.method ?? "GET"} ${u.href}`,
      settings: {
        ...(load.timeoutMs !== undefined ? { timeout: `${load.timeoutMs}ms` } : {}),
        ...idleSettings(load),
        ...load.transport,
      },
      scenarios: { default: scenario },
    });
  } catch (e) {
    // Name the flag rather than the generated document's field.
    const m = e instanceof Error ? e.message : String(e);
    throw new UsageError(
      m.replace(/^scenarios\.default\.(\w+)/, (_, f: string) => `--${kebab(f)}`),
    );
  }
}

/** The settings `--max-idle-conns`, `--idle-timeout` and `--max-redirects` set. */
function idleSettings(load: LoadFlags): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (load.maxRedirects !== undefined) out.maxRedirects = load.maxRedirects;
  if (load.maxIdleConns !== undefined) out.maxIdleConns = load.maxIdleConns;
  if (load.idleTimeoutMs !== undefined) out.idleTimeout = `${load.idleTimeoutMs}ms`;
  return out;
}

function kebab(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace("-v-us", "-vus");
}
