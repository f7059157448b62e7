// `idp-sandbox check-api`: asks the running engine's admin API for the attack run (lab.checkApi),
// prints its report and writes the files CI asked for. The exit code is the verdict: 0 nothing bad was
// accepted, 1 something was, 2 the run could not be made.
import fs from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import type { CheckApiOutput } from '../../shared/lab';
import { junitReport, textReport } from '../../shared/lab-report';
import { ADMIN_TOKEN_FILE, defaultDataDir } from '../core';
import type { CheckApiOptions } from './args';

/** The run itself is bounded (60 s and a timeout per request); this only ends a hung engine. */
const ADMIN_CALL_TIMEOUT_MS = 180_000;

/** Why a run could not be made; printed as is, exit code 2. */
export class CheckApiFailure extends Error {}

function dataDirOf(options: CheckApiOptions): string {
  return path.resolve(options.dataDir ?? defaultDataDir());
}

/** --admin-token-file, else IDP_SANDBOX_ADMIN_TOKEN, else the token file in the engine's data folder. */
function adminToken(options: CheckApiOptions): string {
  const fromEnv = process.env.IDP_SANDBOX_ADMIN_TOKEN;
  if (options.adminTokenFile === undefined && fromEnv) return fromEnv;
  const file = options.adminTokenFile ?? path.join(dataDirOf(options), ADMIN_TOKEN_FILE);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new CheckApiFailure(
      `cannot read the admin token from ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). ` +
        'Pass --admin-token-file FILE (serve prints its path), set IDP_SANDBOX_ADMIN_TOKEN, or --data-dir DIR of the engine.',
    );
  }
}

/** The engine's own local CA (serve --https keeps it in the data folder) beside the system's roots. */
function trustedCas(options: CheckApiOptions): string[] | undefined {
  try {
    return [...rootCertificates, fs.readFileSync(path.join(dataDirOf(options), 'tls', 'ca.crt'), 'utf8')];
  } catch {
    return undefined;
  }
}

interface AdminAnswer {
  status: number;
  body: unknown;
}

function postAdmin(options: CheckApiOptions, token: string): Promise<AdminAnswer> {
  const url = new URL(`${options.issuer}/admin/api/lab.checkApi`);
  const body = JSON.stringify(options.input);
  const headers = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
  };
  const https = url.protocol === 'https:';
  const ca = https ? trustedCas(options) : undefined;
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(
      url,
      { method: 'POST', headers, ...(ca ? { ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
          } catch {
            reject(
              new Error(
                `the answer was not JSON (status ${res.statusCode}): is ${options.issuer} an IDP Sandbox engine?`,
              ),
            );
          }
        });
      },
    );
    req.setTimeout(ADMIN_CALL_TIMEOUT_MS, () =>
      req.destroy(new Error(`no answer within ${ADMIN_CALL_TIMEOUT_MS / 1000} s`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The run's report from the engine, or CheckApiFailure saying why there is none. */
async function callEngine(options: CheckApiOptions): Promise<CheckApiOutput> {
  const token = adminToken(options);
  let answer: AdminAnswer;
  try {
    answer = await postAdmin(options, token);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CheckApiFailure(
      `cannot reach the engine at ${options.issuer} (${reason}). Start it with "idp-sandbox serve", or pass --issuer URL of the running one.`,
    );
  }
  const { status, body } = answer;
  if (status === 200) return body as CheckApiOutput;
  const message = (body as { message?: unknown } | null)?.message;
  if (status === 401) {
    throw new CheckApiFailure(
      'the engine refused the admin token: pass the token of the running engine (--admin-token-file, IDP_SANDBOX_ADMIN_TOKEN or --data-dir).',
    );
  }
  throw new CheckApiFailure(
    `the engine refused the run (${status}): ${typeof message === 'string' ? message : JSON.stringify(body)}`,
  );
}

function writeReport(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text);
  } catch (error) {
    throw new CheckApiFailure(`cannot write ${file}: ${(error as Error).message}`);
  }
}

/** Runs the check and answers the exit code. */
export async function checkApiCommand(options: CheckApiOptions): Promise<number> {
  let output: CheckApiOutput;
  try {
    output = await callEngine(options);
    if (options.jsonFile) writeReport(options.jsonFile, `${JSON.stringify(output, null, 2)}\n`);
    if (options.junitFile) writeReport(options.junitFile, junitReport(output));
  } catch (error) {
    if (!(error instanceof CheckApiFailure)) throw error;
    process.stderr.write(`idp-sandbox check-api: ${error.message}\n`);
    return 2;
  }
  process.stdout.write(textReport(output));
  if (!output.baseline.accepted) {
    process.stderr.write(
      'idp-sandbox check-api: the good (baseline) token was not accepted, so no bad token was sent. Exit code 2.\n',
    );
    return 2;
  }
  return output.findings > 0 ? 1 : 0;
}
