/**
 * A minimal headless-Chromium driver over the Chrome DevTools Protocol, for
 * the HTML report test: launch, open a page, navigate, evaluate, move the
 * mouse, take screenshots, and log every request, failure, console message,
 * exception and dialog. It needs only `--allow-run` (Chromium), `--allow-net`
 * to 127.0.0.1 (the DevTools WebSocket) and `--allow-read/--allow-write`
 * (profile, screenshots). playwright-core is not used because its import
 * reads `/proc/sys/fs/binfmt_misc/WSLInterop`, which Deno only allows with
 * `--allow-all`.
 *
 * @module
 */

/** The flags the report test launches Chromium with. */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-default-browser-check",
  "--hide-scrollbars",
  "--mute-audio",
];

/** Where Chromium is, or `null`: `CHROMIUM_PATH`, then the usual install paths. */
export function findChromium(): string | null {
  let fromEnv: string | undefined;
  try {
    if (
      Deno.permissions.querySync({ name: "env", variable: "CHROMIUM_PATH" }).state === "granted"
    ) {
      fromEnv = Deno.env.get("CHROMIUM_PATH");
    }
  } catch {
    // no env access: ignore the variable
  }
  const candidates = [
    fromEnv,
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome-stable",
    "/usr/bin/google-chrome",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
    "C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe",
  ];
  for (const path of candidates) {
    if (!path) continue;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not there
    }
  }
  return null;
}

// deno-lint-ignore no-explicit-any
type Json = any;

interface Pending {
  resolve: (value: Json) => void;
  reject: (error: Error) => void;
  method: string;
}

/** What a page did, for asserting that nothing unexpected happened. */
export interface PageLog {
  /** Every URL the page requested (the document included). */
  requests: string[];
  /** Requests that failed, with the reason. */
  failed: string[];
  /** Console errors and warnings, uncaught exceptions, browser log errors (e.g. CSP). */
  errors: string[];
  /** Dialogs (alert/confirm/prompt) the page opened; each is dismissed. */
  dialogs: string[];
}

/** One tab, attached with a flat session. */
export class CdpPage {
  #browser: Chromium;
  #session: string;
  #targetId: string;
  #waiters = new Map<string, (params: Json) => void>();
  /** What happened in the page since it was opened. */
  readonly log: PageLog = { requests: [], failed: [], errors: [], dialogs: [] };

  constructor(browser: Chromium, session: string, targetId: string) {
    this.#browser = browser;
    this.#session = session;
    this.#targetId = targetId;
  }

  /** A CDP command in this page's session. */
  send(method: string, params: Json = {}): Promise<Json> {
    return this.#browser.send(method, params, this.#session);
  }

  /** Called by the browser for each event of this session. */
  handleEvent(method: string, params: Json): void {
    switch (method) {
      case "Network.requestWillBeSent":
        this.log.requests.push(params.request.url);
        break;
      case "Network.loadingFailed":
        this.log.failed.push(`${params.requestId}: ${params.blockedReason ?? params.errorText}`);
        break;
      case "Runtime.consoleAPICalled":
        if (params.type === "error" || params.type === "warning" || params.type === "assert") {
          const text = (params.args as Json[]).map((a) => a.value ?? a.description ?? "").join(" ");
          this.log.errors.push(`console.${params.type}: ${text}`);
        }
        break;
      case "Runtime.exceptionThrown":
        this.log.errors.push(
          `exception: ${
            params.exceptionDetails.exception?.description ?? params.exceptionDetails.text
          }`,
        );
        break;
      case "Log.entryAdded":
        if (params.entry.level === "error" || params.entry.level === "warning") {
          this.log.errors.push(`log.${params.entry.level}: ${params.entry.text}`);
        }
        break;
      case "Page.javascriptDialogOpening":
        this.log.dialogs.push(params.message);
        this.send("Page.handleJavaScriptDialog", { accept: false }).catch(() => {});
        break;
    }
    const waiter = this.#waiters.get(method);
    if (waiter) {
      this.#waiters.delete(method);
      waiter(params);
    }
  }

  /** Resolve on the next event `method` (register before triggering it). */
  #next(method: string, timeoutMs = 20_000): Promise<Json> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(method);
        reject(new Error(`timed out waiting for ${method}`));
      }, timeoutMs);
      this.#waiters.set(method, (params) => {
        clearTimeout(timer);
        resolve(params);
      });
    });
  }

  /** Navigate and wait for the load event. */
  async goto(url: string): Promise<void> {
    const loaded = this.#next("Page.loadEventFired");
    const nav = await this.send("Page.navigate", { url });
    if (nav.errorText) {
      loaded.catch(() => {});
      throw new Error(`navigation to ${url} failed: ${nav.errorText}`);
    }
    await loaded;
  }

  /** Evaluate a JavaScript expression in the page; returns its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send("Runtime.evaluate", {
      expression,
      returnByValue: true,
      awaitPromise: true,
    });
    if (r.exceptionDetails) {
      throw new Error(
        `page evaluation failed: ${
          r.exceptionDetails.exception?.description ?? r.exceptionDetails.text
        }`,
      );
    }
    return r.result.value as T;
  }

  /** Move the mouse to viewport coordinates (fires pointer events). */
  async mouseMove(x: number, y: number): Promise<void> {
    await this.send("Input.dispatchMouseEvent", { type: "mouseMoved", x, y });
  }

  /** Click at viewport coordinates with the left button. */
  async click(x: number, y: number): Promise<void> {
    await this.send("Input.dispatchMouseEvent", { type: "mouseMoved", x, y });
    for (const type of ["mousePressed", "mouseReleased"]) {
      await this.send("Input.dispatchMouseEvent", { type, x, y, button: "left", clickCount: 1 });
    }
  }

  /** The centre of the first element matching `selector`, in viewport coordinates. */
  async center(selector: string): Promise<{ x: number; y: number }> {
    const point = await this.evaluate<{ x: number; y: number } | null>(
      `(() => { const e = document.querySelector(${JSON.stringify(selector)}); if (!e) return null;
        e.scrollIntoView({ block: "center" }); const r = e.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()`,
    );
    if (point === null) throw new Error(`no element matches ${selector}`);
    return point;
  }

  /** A PNG of the whole page. */
  async screenshot(path: string): Promise<void> {
    const metrics = await this.send("Page.getLayoutMetrics");
    const size = metrics.cssContentSize ?? metrics.contentSize;
    const shot = await this.send("Page.captureScreenshot", {
      format: "png",
      captureBeyondViewport: true,
      clip: { x: 0, y: 0, width: Math.ceil(size.width), height: Math.ceil(size.height), scale: 1 },
    });
    const binary = atob(shot.data);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    await Deno.writeFile(path, bytes);
  }

  /** Close the tab. */
  async close(): Promise<void> {
    await this.#browser.send("Target.closeTarget", { targetId: this.#targetId });
    this.#browser.forget(this.#session);
  }
}

/** A headless Chromium process and its DevTools connection. */
export class Chromium {
  #child: Deno.ChildProcess;
  #stderr: Promise<void>;
  #ws: WebSocket;
  #wsClosed: Promise<void>;
  #profile: string;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #pages = new Map<string, CdpPage>();

  private constructor(
    child: Deno.ChildProcess,
    stderr: Promise<void>,
    ws: WebSocket,
    profile: string,
  ) {
    this.#child = child;
    this.#stderr = stderr;
    this.#ws = ws;
    this.#profile = profile;
    this.#wsClosed = new Promise((resolve) => ws.addEventListener("close", () => resolve()));
    ws.addEventListener("message", (ev) => this.#onMessage(String(ev.data)));
    ws.addEventListener("close", () => {
      for (const p of this.#pending.values()) p.reject(new Error(`${p.method}: connection closed`));
      this.#pending.clear();
    });
  }

  /** Start Chromium with a fresh profile and connect to it. */
  static async launch(executable: string): Promise<Chromium> {
    const profile = await Deno.makeTempDir({ prefix: "lunge-chromium-" });
    const child = new Deno.Command(executable, {
      args: [
        ...CHROMIUM_FLAGS,
        `--user-data-dir=${profile}`,
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        "about:blank",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    // Read stderr until the DevTools URL shows up, then keep draining it.
    const { promise: endpoint, resolve: found, reject: lost } = Promise.withResolvers<string>();
    const stderr = (async () => {
      const decoder = new TextDecoder();
      let text = "";
      let done = false;
      for await (const chunk of child.stderr) {
        if (done) continue;
        text += decoder.decode(chunk, { stream: true });
        const match = /DevTools listening on (ws:\/\/\S+)/.exec(text);
        if (match) {
          done = true;
          found(match[1]);
        }
      }
      if (!done) lost(new Error(`Chromium exited before listening:\n${text.slice(-2000)}`));
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const url = await Promise.race([
        endpoint,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("Chromium did not start in 30 s")), 30_000);
        }),
      ]);
      const ws = new WebSocket(url);
      await new Promise<void>((resolve, reject) => {
        ws.addEventListener("open", () => resolve(), { once: true });
        ws.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), {
          once: true,
        });
      });
      return new Chromium(child, stderr, ws, profile);
    } catch (error) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await child.status;
      await stderr.catch(() => {});
      await removeDir(profile);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  #onMessage(data: string): void {
    const msg = JSON.parse(data);
    if (typeof msg.id === "number") {
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
      else p.resolve(msg.result);
      return;
    }
    if (msg.sessionId) this.#pages.get(msg.sessionId)?.handleEvent(msg.method, msg.params);
  }

  /** A CDP command, to the browser or (with `sessionId`) to one page. */
  send(method: string, params: Json = {}, sessionId?: string): Promise<Json> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, method });
      this.#ws.send(
        JSON.stringify(sessionId ? { id, method, params, sessionId } : { id, method, params }),
      );
    });
  }

  /** Stop routing events to a closed page. */
  forget(sessionId: string): void {
    this.#pages.delete(sessionId);
  }

  /** Open a blank tab of the given viewport size, with logging enabled. */
  async newPage(width = 1280, height = 900): Promise<CdpPage> {
    const { targetId } = await this.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.send("Target.attachToTarget", { targetId, flatten: true });
    const page = new CdpPage(this, sessionId, targetId);
    this.#pages.set(sessionId, page);
    for (const domain of ["Page", "Runtime", "Network", "Log"]) await page.send(`${domain}.enable`);
    await page.send("Emulation.setDeviceMetricsOverride", {
      width,
      height,
      deviceScaleFactor: 1,
      mobile: false,
    });
    return page;
  }

  /** Close the browser, wait for the process to end, and delete the profile. */
  async close(): Promise<void> {
    await within(this.send("Browser.close").catch(() => {}), 5000);
    this.#ws.close();
    await this.#wsClosed;
    const exited = await within(this.#child.status.then(() => true), 10_000);
    if (!exited) {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await this.#child.status;
    }
    await this.#stderr.catch(() => {});
    await removeDir(this.#profile);
  }
}

/** `promise`'s value, or `undefined` after `ms`; never leaves a timer behind. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Remove a directory, retrying briefly (Chromium may still hold files on Windows). */
async function removeDir(path: string): Promise<void> {
  for (let attempt = 0;; attempt++) {
    try {
      await Deno.remove(path, { recursive: true });
      return;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      if (attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
