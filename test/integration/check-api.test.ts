import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminOutput } from '../../shared/contract';
import { BAD_TOKEN_VARIANTS, type BadTokenVariant, type CheckApiInput } from '../../shared/lab';
import { junitReport } from '../../shared/lab-report';
import {
  CARELESS_FINDINGS,
  CHECK_API_SEED,
  carelessBaseline,
  strictApiOptions,
  strictBaseline,
} from '../helpers/check-api-setup';
import { startTestEngine } from '../helpers/engine';
import {
  startCarelessApi,
  startHangingApi,
  startRedirectingApi,
  startStrictApi,
  type TestApi,
} from '../helpers/test-apis';
import { elementsNamed, parseXml } from '../helpers/xml';

let engine: Awaited<ReturnType<typeof startTestEngine>>;
let careless: TestApi;
let strict: TestApi;

beforeAll(async () => {
  engine = await startTestEngine({ seed: CHECK_API_SEED });
  careless = await startCarelessApi({ issuer: engine.issuer, requiredScope: 'orders.read' });
  strict = await startStrictApi(strictApiOptions(engine.issuer));
});
afterAll(async () => {
  await careless?.close();
  await strict?.close();
  await engine?.cleanup();
});

const checkApi = (input: CheckApiInput) =>
  engine.call('lab.checkApi', input) as Promise<AdminOutput<'lab.checkApi'>>;

const verdicts = (output: AdminOutput<'lab.checkApi'>, verdict: string) =>
  output.results.filter((r) => r.verdict === verdict).map((r) => r.variant);

/**
 * Runs a curl line the run printed, as a shell would, and answers the status curl saw. Asynchronously:
 * the service it calls runs in this process.
 */
async function curlStatus(line: string): Promise<number> {
  const { stdout } = await promisify(execFile)('sh', ['-c', `${line} -s -o /dev/null -w '%{http_code}'`]);
  return Number(stdout);
}

describe('lab.checkApi against a careless service', () => {
  it('finds exactly its seeded flaws: alg none trusted, aud and exp never read', async () => {
    const started = performance.now();
    const output = await checkApi({ url: careless.url, baseline: carelessBaseline });
    const took = Math.round(performance.now() - started);
    console.info(`check-api against the careless service: ${took} ms, ${output.results.length} variants`);

    expect(output.baseline).toMatchObject({ status: 200, accepted: true, error: null });
    expect(output.results.map((r) => r.variant)).toEqual([...BAD_TOKEN_VARIANTS]);
    expect(new Set(verdicts(output, 'wrongly_accepted'))).toEqual(new Set(CARELESS_FINDINGS));
    expect(verdicts(output, 'error')).toEqual([]);
    expect(output.findings).toBe(CARELESS_FINDINGS.length);
    // The baseline and one request per variant, nothing else; the oversized token never reaches the
    // handler (Node's HTTP server answers 431 for headers over its 16 KiB limit).
    expect(careless.requests()).toBe(BAD_TOKEN_VARIANTS.length);
    expect(output.results.find((r) => r.variant === 'oversized')?.status).toBe(431);
    for (const result of output.results) {
      expect(result.status).toEqual(result.verdict === 'wrongly_accepted' ? 200 : expect.any(Number));
      expect(result.expected.length).toBeGreaterThan(0);
      expect(result.reference.length).toBeGreaterThan(0);
    }
  });

  it('gives curl lines that reproduce the finding and the rejection', async () => {
    const output = await checkApi({
      url: careless.url,
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Note': "it's $(not) run" },
      body: '{"note": "a body with \'quotes\' and $HOME"}',
      baseline: carelessBaseline,
      variants: ['alg_none', 'payload_tampered'],
    });
    expect(output.results.map((r) => [r.variant, r.verdict])).toEqual([
      ['alg_none', 'wrongly_accepted'],
      ['payload_tampered', 'rejected'],
    ]);
    expect(await curlStatus(output.baseline.curl)).toBe(200);
    expect(await curlStatus(output.results[0]?.curl as string)).toBe(200);
    expect(await curlStatus(output.results[1]?.curl as string)).toBe(401);
  });

  it('writes a JUnit report with one failure per finding', async () => {
    const output = await checkApi({ url: careless.url, baseline: carelessBaseline });
    const suites = parseXml(junitReport(output));
    expect(suites.attributes).toMatchObject({
      tests: String(BAD_TOKEN_VARIANTS.length + 1),
      failures: String(CARELESS_FINDINGS.length),
      errors: '0',
    });
    const failed = elementsNamed(suites, 'testcase')
      .filter((c) => c.children.some((child) => child.name === 'failure'))
      .map((c) => c.attributes.name?.split(':')[0]);
    expect(new Set(failed)).toEqual(new Set(CARELESS_FINDINGS));
  });
});

describe('lab.checkApi against a strict service', () => {
  it.each(['jwt', 'reference'] as const)('finds nothing with a %s baseline', async (format) => {
    const started = performance.now();
    const output = await checkApi({ url: strict.url, baseline: { ...strictBaseline, format } });
    const took = Math.round(performance.now() - started);
    console.info(`check-api against the strict service (${format}): ${took} ms`);
    expect(output.baseline).toMatchObject({ status: 200, accepted: true });
    expect(output.results).toHaveLength(BAD_TOKEN_VARIANTS.length);
    const notRejected = output.results.filter((r) => r.verdict !== 'rejected');
    expect(notRejected.map((r) => `${r.variant}: ${r.verdict} ${r.status} ${r.error}`)).toEqual([]);
    expect(output.findings).toBe(0);
  });
});

describe('lab.checkApi stops or refuses', () => {
  it('stops after the baseline when the service does not accept it, and says why', async () => {
    const before = strict.requests();
    const output = await checkApi({
      url: strict.url,
      baseline: { ...strictBaseline, audience: ['some-other-api'] },
    });
    expect(output.baseline).toMatchObject({ status: 401, accepted: false });
    expect(output.baseline.error).toContain('answered 401 to the baseline token');
    expect(output.baseline.error).toContain('No bad token was sent');
    expect(output.results).toEqual([]);
    expect(output.findings).toBe(0);
    expect(strict.requests() - before).toBe(1);
  });

  it('takes the statuses it is told mean "accepted"', async () => {
    // The strict service answers 401 to the baseline's wrong audience: told 401 is "accepted", it goes on.
    const output = await checkApi({
      url: strict.url,
      baseline: { ...strictBaseline, audience: ['some-other-api'] },
      accepted_statuses: [401],
      variants: ['expired'],
    });
    expect(output.baseline.accepted).toBe(true);
    expect(output.results.map((r) => r.verdict)).toEqual(['wrongly_accepted']);
  });

  it.each([
    ['http://192.0.2.10/orders', 'not a loopback address'],
    ['http://example.com/orders', 'allow_remote: true'],
    ['http://[::ffff:7f00:1]/orders', 'not a loopback address'],
    ['ftp://127.0.0.1/orders', 'must use http or https'],
    ['127.0.0.1:8080/orders', 'must be absolute'],
    ['/orders', 'must be absolute'],
    ['http://user:pw@127.0.0.1/orders', 'must not hold a user name or password'],
  ])('refuses %s before making any token', async (url, message) => {
    const tokensBefore = (await engine.call('tokens.list', {})) as AdminOutput<'tokens.list'>;
    await expect(checkApi({ url, baseline: carelessBaseline })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining(message),
    });
    const tokensAfter = (await engine.call('tokens.list', {})) as AdminOutput<'tokens.list'>;
    expect(tokensAfter.total).toBe(tokensBefore.total);
  });

  it('accepts every loopback spelling', async () => {
    const port = new URL(careless.url).port;
    for (const host of ['127.0.0.1', 'localhost']) {
      const output = await checkApi({
        url: `http://${host}:${port}/orders`,
        baseline: carelessBaseline,
        variants: ['alg_none'],
      });
      expect(output.findings, host).toBe(1);
    }
  });

  it.each([
    [{ Authorization: 'Bearer mine' }, 'Remove the Authorization header'],
    [{ 'content-length': '5' }, 'Remove the content-length header'],
    [{ 'X-Bad': 'line\r\nbreak' }, 'cannot be sent'],
    [{ 'bad name': 'x' }, 'cannot be sent'],
  ])('refuses the headers %j', async (headers, message) => {
    await expect(checkApi({ url: careless.url, headers, baseline: carelessBaseline })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining(message),
    });
  });

  it('never follows a redirect: a 3xx is the answer', async () => {
    const redirecting = await startRedirectingApi(careless.url);
    try {
      const before = careless.requests();
      const stopped = await checkApi({ url: redirecting.url, baseline: carelessBaseline });
      expect(stopped.baseline).toMatchObject({ status: 307, accepted: false });
      const run = await checkApi({
        url: redirecting.url,
        baseline: carelessBaseline,
        accepted_statuses: [307],
        variants: ['alg_none', 'expired'],
      });
      expect(run.results.map((r) => r.status)).toEqual([307, 307]);
      expect(careless.requests()).toBe(before);
      expect(redirecting.requests()).toBe(4);
    } finally {
      await redirecting.close();
    }
  });

  it('reports a service that is not there as the baseline failing', async () => {
    const gone = await startHangingApi();
    const url = gone.url;
    await gone.close();
    const output = await checkApi({ url, baseline: carelessBaseline });
    expect(output.baseline).toMatchObject({ status: null, accepted: false });
    expect(output.baseline.error).toContain('connection refused');
    expect(output.results).toEqual([]);
  });
});

describe('lab.checkApi bounds', () => {
  it('reports a request with no answer within timeout_ms as an error', async () => {
    const hanging = await startHangingApi({ answerFirst: true });
    try {
      const variants: BadTokenVariant[] = ['expired', 'alg_none'];
      const started = performance.now();
      const output = await checkApi({
        url: hanging.url,
        baseline: carelessBaseline,
        variants,
        timeout_ms: 300,
      });
      const took = performance.now() - started;
      expect(output.baseline.accepted).toBe(true);
      expect(output.results.map((r) => [r.variant, r.verdict, r.status, r.error])).toEqual([
        ['expired', 'error', null, 'no answer within 300 ms'],
        ['alg_none', 'error', null, 'no answer within 300 ms'],
      ]);
      for (const result of output.results) expect(result.duration_ms).toBeGreaterThanOrEqual(290);
      expect(output.findings).toBe(0);
      expect(took).toBeLessThan(5_000);
    } finally {
      await hanging.close();
    }
  });

  it('waits as long for a baseline with no answer, then stops', async () => {
    const hanging = await startHangingApi();
    try {
      const output = await checkApi({ url: hanging.url, baseline: carelessBaseline, timeout_ms: 200 });
      expect(output.baseline).toMatchObject({ status: null, accepted: false });
      expect(output.baseline.error).toContain('no answer within 200 ms');
      expect(output.results).toEqual([]);
    } finally {
      await hanging.close();
    }
  });
});
