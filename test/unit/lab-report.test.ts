import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { CheckApiOutput, CheckApiResult } from '../../shared/lab';
import { curlCommand, junitReport, textReport } from '../../shared/lab-report';
import { elementsNamed, parseXml } from '../helpers/xml';

/** The words a POSIX shell makes of a curl line: `curl` swapped for printf, each word NUL-ended. */
function shellWords(line: string): string[] {
  const out = execFileSync('sh', ['-c', line.replace(/^curl /, `printf '%s\\0' `)], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

const HOSTILE = `it's "$(touch /tmp/pwned)" \`id\` $HOME & <b> ]]> \u0001 \n next line`;

describe('curlCommand', () => {
  it('is one shell word per argument, whatever the values hold', () => {
    const line = curlCommand({
      method: 'POST',
      url: "http://[::1]:8080/orders?q=$(id)&x='1'",
      headers: { 'X-Note': HOSTILE },
      body: `@/etc/passwd ${HOSTILE}`,
      token: 'eyJ.a.b',
    });
    expect(shellWords(line)).toEqual([
      '-g',
      '-i',
      '-X',
      'POST',
      '-H',
      'Authorization: Bearer eyJ.a.b',
      '-H',
      `X-Note: ${HOSTILE}`,
      '-H',
      'Content-Type:',
      '--data-raw',
      `@/etc/passwd ${HOSTILE}`,
      "http://[::1]:8080/orders?q=$(id)&x='1'",
    ]);
  });

  it('leaves out -X for a plain GET, uses --head for HEAD, and keeps a given content type', () => {
    const base = { url: 'http://127.0.0.1/a', headers: {}, body: undefined, token: 't' };
    expect(curlCommand({ ...base, method: 'GET' })).toBe(
      "curl -g -i -H 'Authorization: Bearer t' http://127.0.0.1/a",
    );
    expect(curlCommand({ ...base, method: 'HEAD' })).toContain('curl -g -i --head -H');
    const json = curlCommand({
      ...base,
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(shellWords(json)).not.toContain('Content-Type:');
    expect(shellWords(json)).toContain('content-type: application/json');
  });
});

function result(variant: CheckApiResult['variant'], verdict: CheckApiResult['verdict']): CheckApiResult {
  return {
    variant,
    title: `Title of ${variant} ${HOSTILE}`,
    expected: `Reject it ${HOSTILE}`,
    reference: 'RFC 7519 §4.1.4',
    status: verdict === 'error' ? null : verdict === 'rejected' ? 401 : 200,
    verdict,
    error: verdict === 'error' ? `no answer ${HOSTILE}` : null,
    duration_ms: 12,
    curl: `curl -H 'Authorization: Bearer x' 'http://127.0.0.1/a?b=1&c=<2>'`,
  };
}

const OUTPUT: CheckApiOutput = {
  url: 'http://127.0.0.1:8080/orders?a=1&b=<2>',
  method: 'GET',
  baseline: { status: 200, accepted: true, curl: 'curl x', error: null },
  results: [
    result('expired', 'wrongly_accepted'),
    result('alg_none', 'rejected'),
    result('oversized', 'error'),
  ],
  findings: 1,
  started_at: '2025-01-01T00:00:00.000Z',
  duration_ms: 1234,
};

describe('junitReport', () => {
  it('is well-formed XML with a failure per finding and an error per failed request', () => {
    const suites = parseXml(junitReport(OUTPUT));
    expect(suites.attributes).toMatchObject({ tests: '4', failures: '1', errors: '1', time: '1.234' });
    const cases = elementsNamed(suites, 'testcase');
    expect(cases.map((c) => c.children.map((child) => child.name))).toEqual([[], ['failure'], [], ['error']]);
    const failure = elementsNamed(suites, 'failure')[0];
    // Escaped, not lost: the text reads back as written (U+0001 cannot be in XML and becomes U+FFFD).
    expect(failure?.attributes.message).toBe(
      `Wrongly accepted (status 200): Reject it ${HOSTILE.replace('\u0001', '\ufffd')}`,
    );
    expect(failure?.text).toContain(
      "Reproduce: curl -H 'Authorization: Bearer x' 'http://127.0.0.1/a?b=1&c=<2>'",
    );
    expect(cases[1]?.attributes.name).toBe(
      `expired: Title of expired ${HOSTILE.replace('\u0001', '\ufffd')}`,
    );
    expect(elementsNamed(suites, 'testsuite')[0]?.attributes.name).toBe(
      'check-api GET http://127.0.0.1:8080/orders?a=1&b=<2>',
    );
  });

  it('makes a baseline that was not accepted an error, with no other case', () => {
    const stopped: CheckApiOutput = {
      ...OUTPUT,
      baseline: { status: 401, accepted: false, curl: 'curl y', error: 'The service answered 401 <sic>' },
      results: [],
      findings: 0,
    };
    const suites = parseXml(junitReport(stopped));
    expect(suites.attributes).toMatchObject({ tests: '1', failures: '0', errors: '1' });
    expect(elementsNamed(suites, 'error')[0]?.attributes.message).toBe('The service answered 401 <sic>');
  });
});

describe('textReport', () => {
  it('lists every variant and details each finding', () => {
    const text = textReport(OUTPUT);
    expect(text).toMatch(/expired\s+200\s+WRONGLY ACCEPTED/);
    expect(text).toMatch(/alg_none\s+401\s+rejected/);
    expect(text).toMatch(/oversized\s+-\s+error \(no answer/);
    expect(text).toContain('1 of 3 bad tokens were wrongly accepted, 1 could not be checked (1.2 s).');
    expect(text).toContain('Findings:\n  expired: Title of expired');
    expect(text).toContain("Reproduce: curl -H 'Authorization: Bearer x'");
  });

  it('says the run stopped when the baseline was not accepted', () => {
    const text = textReport({
      ...OUTPUT,
      baseline: { status: 403, accepted: false, curl: 'curl z', error: 'The service answered 403.' },
      results: [],
      findings: 0,
    });
    expect(text).toContain('Baseline: 403, NOT accepted. The run stopped before sending any bad token.');
    expect(text).toContain('Reproduce: curl z');
  });
});
