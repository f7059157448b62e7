/**
 * Renderings of an attack run (lab.checkApi) shared by the engine, the CLI and the Lab page: the curl
 * line that reproduces a request, a JUnit XML report for CI, and a plain text table for a terminal.
 * Pure functions of their input (no node:*), so each surface renders the same report.
 */
import type { CheckApiOutput, CheckApiResult } from './lab';
import { shellQuote } from './quote';

/** One request of the run, as curl would send it. */
export interface CurlRequest {
  method: string;
  url: string;
  /** Sent as given, after Authorization. */
  headers: Record<string, string>;
  body: string | undefined;
  token: string;
}

/**
 * A POSIX shell command line that sends the same request. `-g` keeps curl from reading `[…]`/`{…}` of
 * the URL (an IPv6 host) as a glob; `--data-raw` never reads `@file` from the body; and curl's own
 * `Content-Type: application/x-www-form-urlencoded` for a body is removed (`-H 'Content-Type:'`) when
 * the request had none, as the run sends none.
 */
export function curlCommand(request: CurlRequest): string {
  const words = ['curl', '-g', '-i'];
  if (request.method === 'HEAD') words.push('--head');
  else if (request.method !== 'GET' || request.body !== undefined) words.push('-X', request.method);
  words.push('-H', shellQuote(`Authorization: Bearer ${request.token}`));
  for (const [name, value] of Object.entries(request.headers)) {
    words.push('-H', shellQuote(`${name}: ${value}`));
  }
  if (request.body !== undefined) {
    const hasType = Object.keys(request.headers).some((name) => name.toLowerCase() === 'content-type');
    if (!hasType) words.push('-H', shellQuote('Content-Type:'));
    words.push('--data-raw', shellQuote(request.body));
  }
  words.push(shellQuote(request.url));
  return words.join(' ');
}

/**
 * Characters XML 1.0 cannot hold at all, even escaped (C0 controls but tab and line breaks, lone
 * surrogates, U+FFFE/U+FFFF): a report holding one would not parse, so they become U+FFFD.
 */
const NOT_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // Kept as written inside attributes, where a raw line break would be read as a space.
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
};

/** Text for an XML attribute value or element content. */
export function xmlText(value: string): string {
  return value.replace(NOT_XML, '\ufffd').replace(/[&<>"'\n\r\t]/g, (char) => XML_ESCAPES[char] as string);
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** What a result's JUnit element says: details for a person reading the CI log. */
function resultDetails(result: CheckApiResult): string {
  return [
    `Status: ${result.status ?? 'none'}`,
    `Expected: ${result.expected}`,
    `Reference: ${result.reference}`,
    `Reproduce: ${result.curl}`,
  ].join('\n');
}

function resultCase(result: CheckApiResult): string {
  const open = `    <testcase classname="idp-sandbox.check-api" name="${xmlText(`${result.variant}: ${result.title}`)}" time="${seconds(result.duration_ms)}"`;
  if (result.verdict === 'rejected') return `${open}/>`;
  const element = result.verdict === 'wrongly_accepted' ? 'failure' : 'error';
  const message =
    result.verdict === 'wrongly_accepted'
      ? `Wrongly accepted (status ${result.status}): ${result.expected}`
      : `Request failed: ${result.error ?? 'unknown error'}`;
  return [
    `${open}>`,
    `      <${element} type="${result.verdict}" message="${xmlText(message)}">${xmlText(resultDetails(result))}</${element}>`,
    '    </testcase>',
  ].join('\n');
}

/** The baseline as a test case of its own: a run that could not start is an error, not a pass. */
function baselineCase(output: CheckApiOutput): string {
  const open = '    <testcase classname="idp-sandbox.check-api" name="baseline: a good token is accepted"';
  if (output.baseline.accepted) return `${open}/>`;
  const message =
    output.baseline.error ?? `The baseline token was not accepted (status ${output.baseline.status}).`;
  return [
    `${open}>`,
    `      <error type="baseline_not_accepted" message="${xmlText(message)}">${xmlText(`Reproduce: ${output.baseline.curl}`)}</error>`,
    '    </testcase>',
  ].join('\n');
}

/**
 * A JUnit XML report: one test case per variant sent (a <failure> when it was wrongly accepted, an
 * <error> when the request failed) and one for the baseline, which CI servers show like test results.
 */
export function junitReport(output: CheckApiOutput): string {
  const failures = output.results.filter((r) => r.verdict === 'wrongly_accepted').length;
  const errors =
    output.results.filter((r) => r.verdict === 'error').length + (output.baseline.accepted ? 0 : 1);
  const tests = output.results.length + 1;
  const counts = `tests="${tests}" failures="${failures}" errors="${errors}" time="${seconds(output.duration_ms)}"`;
  const name = xmlText(`check-api ${output.method} ${output.url}`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="idp-sandbox check-api" ${counts}>`,
    `  <testsuite name="${name}" ${counts} skipped="0" timestamp="${xmlText(output.started_at)}">`,
    baselineCase(output),
    ...output.results.map(resultCase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

const VERDICT_TEXT: Record<CheckApiResult['verdict'], string> = {
  rejected: 'rejected',
  wrongly_accepted: 'WRONGLY ACCEPTED',
  error: 'error',
};

/** A results table, then each finding with what was expected and how to reproduce it. */
export function textReport(output: CheckApiOutput): string {
  const lines = [`Check my API: ${output.method} ${output.url}`];
  const baselineStatus = output.baseline.status ?? 'no answer';
  if (!output.baseline.accepted) {
    lines.push(
      `Baseline: ${baselineStatus}, NOT accepted. The run stopped before sending any bad token.`,
      `  ${output.baseline.error ?? ''}`,
      `  Reproduce: ${output.baseline.curl}`,
    );
    return `${lines.join('\n')}\n`;
  }
  lines.push(`Baseline: ${baselineStatus}, accepted`, '');
  const width = Math.max(8, ...output.results.map((r) => r.variant.length));
  lines.push(`  ${'VARIANT'.padEnd(width)}  STATUS  VERDICT`);
  for (const result of output.results) {
    const status = String(result.status ?? '-').padEnd(6);
    const note = result.error ? ` (${result.error})` : '';
    lines.push(`  ${result.variant.padEnd(width)}  ${status}  ${VERDICT_TEXT[result.verdict]}${note}`);
  }
  const errors = output.results.filter((r) => r.verdict === 'error').length;
  lines.push(
    '',
    `${output.findings} of ${output.results.length} bad tokens were wrongly accepted` +
      `${errors ? `, ${errors} could not be checked` : ''} (${(output.duration_ms / 1000).toFixed(1)} s).`,
  );
  const findings = output.results.filter((r) => r.verdict === 'wrongly_accepted');
  if (findings.length > 0) lines.push('', 'Findings:');
  for (const finding of findings) {
    lines.push(
      `  ${finding.variant}: ${finding.title} (answered ${finding.status})`,
      `    Expected: ${finding.expected} (${finding.reference})`,
      `    Reproduce: ${finding.curl}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
