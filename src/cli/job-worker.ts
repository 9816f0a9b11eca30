// A worker thread of the CLI that takes jobs (one message each, answered by id) with a time limit per job:
// started on the first job, stopped on close; when it dies, every job in hand fails with the reason. The
// picture worker (./picture-jobs.ts) and the document worker (./document-jobs.ts) are both run this way.

import { Worker } from 'node:worker_threads';

/**
 * Starts worker `name`: the built script beside this bundle (dist/cli/NAME.mjs, also from a chunk in
 * dist/cli/chunks/), or, when the CLI runs from the repository's sources under tsx, the TypeScript source
 * behind tsx's loader (which worker threads do not inherit).
 */
function startWorker(name: string): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    const here = new URL('.', import.meta.url);
    const base = here.pathname.endsWith('/chunks/') ? new URL('..', here) : here;
    return new Worker(new URL(`${name}.mjs`, base));
  }
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL(`./${name}.ts`, import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`, { eval: true });
}

export interface JobWorkerOptions {
  /** What a failed job says when the worker stops ("the text reader stopped"). */
  stopped: string;
  /** The time limit of one job. */
  timeoutMs: number;
  /** Stop the worker when a job runs out of time (a job that never ends would hold every later one). */
  stopWhenStuck: boolean;
}

export class JobWorker<Job extends { id: number }, Result extends { id: number }> {
  private worker: Worker | undefined;
  private lastId = 0;
  private readonly pending = new Map<number, { resolve(result: Result): void; reject(e: Error): void; timer: NodeJS.Timeout }>();

  constructor(
    private readonly name: string,
    private readonly options: JobWorkerOptions,
  ) {}

  /** The id of the next job. */
  nextId(): number {
    return ++this.lastId;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(this.name);
    worker.on('message', (result: Result) => {
      const pending = this.pending.get(result.id);
      if (!pending) return;
      this.pending.delete(result.id);
      clearTimeout(pending.timer);
      pending.resolve(result);
    });
    const fail = (reason: string): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error(reason));
        this.pending.delete(id);
      }
    };
    worker.on('error', (e) => fail(`${this.options.stopped} (${e.message})`));
    worker.on('exit', () => fail(this.options.stopped));
    this.worker = worker;
    return worker;
  }

  /** Runs `job` (its `transfer` buffers handed over); rejects with `slow` past the time limit. */
  run(job: Job, transfer: ArrayBuffer[], slow: string): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(job.id);
        reject(new Error(slow));
        if (!this.options.stopWhenStuck) return;
        // This worker goes; the next job starts another.
        const stuck = this.worker;
        this.worker = undefined;
        void stuck?.terminate();
      }, this.options.timeoutMs);
      timer.unref();
      this.pending.set(job.id, { resolve, reject, timer });
      this.start().postMessage(job, transfer);
    });
  }

  /** Stops the worker (after the jobs in hand). */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    await new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.postMessage({ type: 'close' });
      setTimeout(() => void worker.terminate().then(() => resolve()), 10_000).unref();
    });
  }
}
