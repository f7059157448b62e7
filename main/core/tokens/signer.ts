import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { JWTPayload } from 'jose';
import type { KeyRecord } from '../store/keys';
import { createJwtSigner, type SigningHeader, type SignJob, type SignReply } from './jws';

/** Where JWTs are signed: on the main thread, or in a pool of worker threads. TokenService sees only this. */
export interface JwtSigner {
  /** The compact JWS of `payload` under `header`, signed with the private key of `key`. */
  sign(payload: JWTPayload, header: SigningHeader, key: KeyRecord): Promise<string>;
  /** Stops the workers, if any; a pool refuses to sign afterwards. */
  close(): Promise<void>;
}

export const MAX_SIGNING_WORKERS = 16;

/** The worker's file name beside the running bundle (dist/cli/ and dist/electron/ each have one). */
const WORKER_FILE = 'sign-worker.cjs';

/**
 * The built signing worker. The engine runs bundled in the CLI (dist/cli/idp-sandbox.cjs) and in the
 * desktop main process (dist/electron/main.cjs, where the build defines import.meta.url from
 * __filename); each bundle has the worker beside it. Tests run the TypeScript sources, which Node
 * cannot start as a worker: they use the one `npm test` built into dist/cli/.
 */
function signWorkerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return path.resolve(path.dirname(here), '../../../dist/cli', WORKER_FILE);
  return path.join(path.dirname(here), WORKER_FILE);
}

/** Signs on the calling (main) thread: jose's WebCrypto does the math on libuv's threadpool. */
export class InProcessSigner implements JwtSigner {
  private readonly signJwt = createJwtSigner();

  sign(payload: JWTPayload, header: SigningHeader, key: KeyRecord): Promise<string> {
    return this.signJwt({ payload, header, jwk: key.private_jwk });
  }

  async close(): Promise<void> {}
}

interface Job {
  message: SignJob;
  resolve(jws: string): void;
  reject(error: Error): void;
}

interface PoolWorker {
  worker: Worker;
  /** The jobs this worker is signing, by id. */
  jobs: Map<number, Job>;
  /** The uncaught error that is about to end this worker, for the message of the jobs it takes down. */
  failure: Error | null;
}

/**
 * Jobs one worker holds at a time. One at a time left workers idle while their answers waited for the
 * busy main thread, well below the in-process rate; eight keep them busy and let the main thread take
 * several answers per turn of its event loop (figures: docs/ARCHITECTURE.md, "Signing").
 */
const JOBS_PER_WORKER = 8;

/**
 * Signs in up to `size` worker threads, `perWorker` jobs per worker at a time, so at most
 * size × perWorker signatures are in flight (which also bounds how many compete for libuv's
 * threadpool). Jobs wait in a queue. Workers start on demand and are unreferenced while idle, so they
 * never keep a process alive. A worker that dies fails its jobs (never leaves them hanging) and is
 * replaced when the next job needs one.
 */
export class WorkerPoolSigner implements JwtSigner {
  private readonly workers = new Set<PoolWorker>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    readonly size: number,
    private readonly file: string = signWorkerFile(),
    readonly perWorker: number = JOBS_PER_WORKER,
  ) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`A signing pool needs ≥ 1 worker (${size})`);
    if (!fs.existsSync(file)) {
      throw new Error(
        `The signing worker ${file} is missing. Build it with \`npm run build\`, or sign on the main thread (--signing-workers 0).`,
      );
    }
  }

  sign(payload: JWTPayload, header: SigningHeader, key: KeyRecord): Promise<string> {
    if (this.closed) return Promise.reject(new Error('The signing pool is closed.'));
    return new Promise((resolve, reject) => {
      this.queue.push({ message: { id: 0, payload, header, jwk: key.private_jwk }, resolve, reject });
      this.dispatch();
    });
  }

  /** Threads currently running (for tests and diagnostics). */
  get threadIds(): number[] {
    return [...this.workers].map((w) => w.worker.threadId);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('The signing pool was closed.'));
    await Promise.all([...this.workers].map((w) => w.worker.terminate()));
  }

  /** The least busy worker with room for a job; a new one while the pool is not full and all are busy. */
  private pick(): PoolWorker | undefined {
    let best: PoolWorker | undefined;
    for (const entry of this.workers) if (!best || entry.jobs.size < best.jobs.size) best = entry;
    if ((!best || best.jobs.size > 0) && this.workers.size < this.size) return this.spawn();
    return best && best.jobs.size < this.perWorker ? best : undefined;
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      const entry = this.pick();
      if (!entry) return;
      this.run(entry, this.queue.shift() as Job);
    }
  }

  private run(entry: PoolWorker, job: Job): void {
    const id = this.nextId++;
    job.message.id = id;
    entry.jobs.set(id, job);
    if (entry.jobs.size === 1) entry.worker.ref();
    try {
      entry.worker.postMessage(job.message);
    } catch (error) {
      // The payload could not be cloned (not JSON-like data): this job fails, the worker is fine.
      this.settle(entry, id);
      job.reject(new Error(`Cannot pass the token to a signing worker: ${(error as Error).message}`));
    }
  }

  /** Takes job `id` off `entry` and hands the worker the next job, if any. */
  private settle(entry: PoolWorker, id: number): Job | undefined {
    const job = entry.jobs.get(id);
    entry.jobs.delete(id);
    if (entry.jobs.size === 0) entry.worker.unref();
    this.dispatch();
    return job;
  }

  private spawn(): PoolWorker {
    const worker = new Worker(this.file, { name: 'idp-sandbox-signer' });
    worker.unref();
    const entry: PoolWorker = { worker, jobs: new Map(), failure: null };
    this.workers.add(entry);
    worker.on('message', (reply: SignReply) => {
      const job = this.settle(entry, reply.id);
      if (!job) return;
      if ('jws' in reply) job.resolve(reply.jws);
      else job.reject(new Error(`Signing failed: ${reply.error}`));
    });
    worker.on('error', (error) => {
      entry.failure = error;
    });
    worker.on('exit', (code) => {
      this.workers.delete(entry);
      const jobs = [...entry.jobs.values()];
      entry.jobs.clear();
      const reason = this.closed
        ? 'The signing pool was closed before the token was signed.'
        : `The signing worker stopped (exit code ${code}${entry.failure ? `: ${entry.failure.message}` : ''}) before it signed the token.`;
      for (const job of jobs) job.reject(new Error(reason));
      // Waiting jobs get a fresh worker.
      this.dispatch();
    });
    return entry;
  }
}

/**
 * Signing on the main thread unless asked otherwise: measured on 2 cores, workers issued no more tokens
 * and took the main thread as much time per token (posting the job and taking the answer cost about what
 * jose's own work on the main thread does), while the whole process spent 15–30% more CPU per token.
 * docs/ARCHITECTURE.md ("Signing") has the figures.
 */
export const DEFAULT_SIGNING_WORKERS = 0;

/** 0 signs on the main thread; N > 0 in a pool of N worker threads. */
export function createSigner(workers: number): JwtSigner {
  if (!Number.isInteger(workers) || workers < 0 || workers > MAX_SIGNING_WORKERS) {
    throw new RangeError(
      `signingWorkers must be a whole number from 0 to ${MAX_SIGNING_WORKERS} (got ${workers}).`,
    );
  }
  return workers === 0 ? new InProcessSigner() : new WorkerPoolSigner(workers);
}
