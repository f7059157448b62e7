import { describe, expect, it } from 'vitest';
import { EngineEventSchema } from '../../../shared/schemas';
import { isLiveEvent } from './http-transport';

const valid = {
  id: 7,
  at: '2026-12-05T09:00:00.000Z',
  type: 'token.issued',
  client_id: 'svc',
  username: null,
  token_id: 'tok-1',
  data: { scope: 'api:read', nested: { list: [1, 'two', null] } },
};

// The live stream's events are checked by hand (the schema walked each one's data, and cost the
// renderer tens of milliseconds a batch under load): it must accept and refuse what the schema does.
const samples: Array<[string, unknown]> = [
  ['an event', valid],
  ['an event of another issuer', { ...valid, issuer: 'a1b2' }],
  ['empty data', { ...valid, data: {} }],
  ['every nullable field null', { ...valid, client_id: null, token_id: null }],
  ['a fractional id', { ...valid, id: 7.5 }],
  ['an id as text', { ...valid, id: '7' }],
  ['no id', { ...valid, id: undefined }],
  ['an unknown type', { ...valid, type: 'token.minted' }],
  ['a time that is not text', { ...valid, at: 1_733_389_200_000 }],
  ['a client that is a number', { ...valid, client_id: 3 }],
  ['a missing username', (({ username: _, ...rest }) => rest)(valid)],
  ['data as an array', { ...valid, data: [] }],
  ['data null', { ...valid, data: null }],
  ['data as text', { ...valid, data: '{}' }],
  ['an issuer that is not text', { ...valid, issuer: 1 }],
  ['null', null],
  ['a number', 7],
  ['an array', [valid]],
];

describe('isLiveEvent', () => {
  it.each(samples)('agrees with EngineEventSchema on %s', (_, sample) => {
    // As the stream gives them: parsed from JSON (undefined fields are absent).
    const parsed: unknown = JSON.parse(JSON.stringify(sample));
    expect(isLiveEvent(parsed)).toBe(EngineEventSchema.safeParse(parsed).success);
  });

  it('accepts the valid samples and refuses the others', () => {
    const accepted = samples.filter(([, s]) => isLiveEvent(JSON.parse(JSON.stringify(s)))).map(([n]) => n);
    expect(accepted).toEqual([
      'an event',
      'an event of another issuer',
      'empty data',
      'every nullable field null',
    ]);
  });
});
