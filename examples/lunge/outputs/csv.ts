/**
 * The main thread's side of the per-request CSV output (`--out csv=<file>`;
 * the format is in ./csv_rows.ts): one file, opened (created, truncated)
 * with its header before the run, so that a path that cannot be written
 * fails up front; the Workers' batches of recorded requests
 * ({@linkcode RequestRows}, fed by the engine as to any output that has
 * `append`) made into rows ({@linkcode csvRow}) and appended in the order they
 * arrive, each write awaited before the next (the file holds the run, memory
 * only the chunks not yet written); and at the end a check that the file
 * holds one row per request the run counted — else the run fails, since its
 * rows were lost.
 *
 * @module
 */
import { CSV_HEADER, csvRow } from "../report/csv_rows.ts";
import type { Output, OutputEnd } from "./output.ts";
import { forEachRequest, type RequestRows } from "./request_rows.ts";

const encoder = new TextEncoder();

/** The per-request CSV file of one run (see the module doc); the CSV output. */
export class CsvFile implements Output {
  #path: string;
  #file: Deno.FsFile;
  #rows = 0;
  #queuedBytes = 0;
  #peakQueuedBytes = 0;
  #writing: Promise<void> = Promise.resolve();
  #error: string | undefined;
  #closed = false;

  private constructor(path: string, file: Deno.FsFile) {
    this.#path = path;
    this.#file = file;
  }

  /**
   * Creates (truncates) the file at `path` and writes the header. Needs
   * write permission for `path` only.
   *
   * @param path Where to write.
   * @returns The open file, or a one-line reason why it cannot be written.
   */
  static open(path: string): CsvFile | string {
    let file: Deno.FsFile | undefined;
    try {
      file = Deno.openSync(path, { write: true, create: true, truncate: true });
      writeAllSync(file, encoder.encode(CSV_HEADER));
      return new CsvFile(path, file);
    } catch (e) {
      file?.close();
      return `cannot write ${path}: ${oneLine(e)}`;
    }
  }

  /** `csv=<path>`. */
  get name(): string {
    return `csv=${this.#path}`;
  }

  /** Nothing more to open: {@linkcode CsvFile.open} created the file and its header. */
  open(): void {}

  /**
   * The run is over: {@linkcode finish} against the requests it counted.
   *
   * @param end The run's end (its result's `totalRequests`).
   * @returns Null when the file holds one row per request, else why not.
   */
  end(end: OutputEnd): Promise<string | null> {
    return this.finish(end.result.metrics.totalRequests);
  }

  /** The file's path. */
  get path(): string {
    return this.#path;
  }

  /** Data rows written so far (the header not counted). */
  get rows(): number {
    return this.#rows;
  }

  /** The most bytes that waited at once for an earlier write to finish. */
  get peakQueuedBytes(): number {
    return this.#peakQueuedBytes;
  }

  /**
   * Appends the row of each request of `rows` ({@linkcode csvRow}), after
   * every chunk appended before (see the other overload).
   *
   * @param rows A batch of recorded requests.
   */
  append(rows: RequestRows): void;
  /**
   * Appends `count` rows (`text`, `\n`-terminated) after every chunk appended
   * before; the write happens in the background ({@linkcode finish} awaits
   * it). After a failed write, chunks are dropped and the failure is kept.
   *
   * @param text The rows.
   * @param count How many rows `text` holds.
   */
  append(text: string, count: number): void;
  append(rows: RequestRows | string, n?: number): void {
    const text = typeof rows === "string" ? rows : csvText(rows);
    const count = typeof rows === "string" ? n ?? 0 : rows.count;
    if (this.#closed) {
      this.#error ??= `${count} rows arrived after ${this.#path} was closed`;
      return;
    }
    const bytes = encoder.encode(text);
    this.#queuedBytes += bytes.length;
    if (this.#queuedBytes > this.#peakQueuedBytes) this.#peakQueuedBytes = this.#queuedBytes;
    this.#writing = this.#writing.then(async () => {
      this.#queuedBytes -= bytes.length;
      if (this.#error !== undefined) return;
      try {
        await writeAll(this.#file, bytes);
        this.#rows += count;
      } catch (e) {
        this.#error = `cannot write ${this.#path}: ${oneLine(e)}`;
      }
    });
  }

  /**
   * Waits for every write appended so far, then checks the file against
   * the run: it must hold `requests` rows, one per request the run counted.
   *
   * @param requests The run's total requests.
   * @returns Null when it does, else a one-line reason (a write failed, or rows were lost).
   */
  async finish(requests: number): Promise<string | null> {
    await this.#writing;
    if (this.#error !== undefined) return this.#error;
    if (this.#rows === requests) return null;
    return `${this.#path} holds ${this.#rows} rows but the run counted ${requests} requests ` +
      "(rows were lost)";
  }

  /** Closes the file (after {@linkcode finish}); later chunks are refused. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }
}

/** The rows of the requests of `rows`, in order. */
function csvText(rows: RequestRows): string {
  let text = "";
  forEachRequest(rows, (scenario, r) => text += csvRow(scenario, r));
  return text;
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}

function writeAllSync(file: Deno.FsFile, data: Uint8Array): void {
  while (data.length > 0) data = data.subarray(file.writeSync(data));
}

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  while (data.length > 0) data = data.subarray(await file.write(data));
}
