// A signing worker (node:worker_threads): signs one JWT at a time for the pool in signer.ts and answers
// with the compact JWS or the error. Built on its own into dist/cli/ and dist/electron/ (see
// scripts/build.mjs); it holds imported private keys, one per kid, for as long as it lives.
import { parentPort } from 'node:worker_threads';
import { createJwtSigner, type SignJob, type SignReply } from './jws';

const port = parentPort;
if (!port) throw new Error('sign-worker runs only as a worker thread of the signing pool');
const sign = createJwtSigner();

port.on('message', (job: SignJob) => {
  sign(job).then(
    (jws) => port.postMessage({ id: job.id, jws } satisfies SignReply),
    (error: unknown) => {
      const message =
        error instanceof Error ? `${error.name}: ${error.message}` : `non-error thrown: ${String(error)}`;
      port.postMessage({ id: job.id, error: message } satisfies SignReply);
    },
  );
});
