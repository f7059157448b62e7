import { describe, expect, it } from 'vitest';
import { emptyBaseline } from '../bad-tokens/baseline';
import { type CheckApiDraft, parseHeaders, parseStatuses, toCheckApiInput } from './request';

const DRAFT: CheckApiDraft = {
  url: ' http://127.0.0.1:8080/orders ',
  method: 'GET',
  headers: '',
  body: '',
  acceptedStatuses: '',
  allowRemote: false,
  baseline: emptyBaseline('web'),
};

describe('Check my API: the form as the run’s input', () => {
  it('reads "Name: value" lines, keeping colons in values and skipping blank lines', () => {
    expect(parseHeaders('Accept: application/json\n\r\nX-Trace:  a:b:c  \n')).toEqual({
      ok: true,
      value: { Accept: 'application/json', 'X-Trace': 'a:b:c' },
    });
    expect(parseHeaders('')).toEqual({ ok: true, value: {} });
  });

  it('refuses a line that is not a header, and Authorization, which the run sets itself', () => {
    expect(parseHeaders('Accept: */*\nnot a header')).toEqual({
      ok: false,
      error: 'Line 2 is not "Name: value".',
    });
    expect(parseHeaders(': empty name').ok).toBe(false);
    expect(parseHeaders('Bad Name: x').ok).toBe(false);
    expect(parseHeaders('authorization: Bearer x')).toMatchObject({ ok: false, error: /run sets it/ });
  });

  it('reads accepted statuses; empty means the default (any 2xx)', () => {
    expect(parseStatuses('  ')).toEqual({ ok: true, value: undefined });
    expect(parseStatuses('200, 204 200\n201')).toEqual({ ok: true, value: [200, 204, 201] });
    expect(parseStatuses('2xx')).toEqual({ ok: false, error: '"2xx" is not an HTTP status (100 to 599).' });
    expect(parseStatuses('600').ok).toBe(false);
    expect(parseStatuses('99').ok).toBe(false);
  });

  it('builds the admin input, leaving out what takes the engine’s default', () => {
    expect(toCheckApiInput(DRAFT)).toEqual({
      ok: true,
      value: {
        url: 'http://127.0.0.1:8080/orders',
        method: 'GET',
        baseline: { client_id: 'web' },
        allow_remote: false,
      },
    });
    const post = toCheckApiInput({
      ...DRAFT,
      method: 'POST',
      headers: 'Content-Type: application/json',
      body: '{"id":1}',
      acceptedStatuses: '201',
      allowRemote: true,
    });
    expect(post).toMatchObject({
      ok: true,
      value: {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"id":1}',
        accepted_statuses: [201],
        allow_remote: true,
      },
    });
    // A body typed before switching to GET is not sent: GET requests carry none here.
    expect(toCheckApiInput({ ...DRAFT, body: 'x' })).not.toHaveProperty('value.body');
  });

  it('says what to fix first', () => {
    expect(toCheckApiInput({ ...DRAFT, url: ' ' })).toMatchObject({ ok: false, error: /URL/ });
    expect(toCheckApiInput({ ...DRAFT, baseline: emptyBaseline(null) })).toMatchObject({
      ok: false,
      error: /client/,
    });
    expect(toCheckApiInput({ ...DRAFT, headers: 'oops' })).toMatchObject({ ok: false, error: /Line 1/ });
    expect(toCheckApiInput({ ...DRAFT, acceptedStatuses: 'ok' })).toMatchObject({ ok: false });
  });
});
