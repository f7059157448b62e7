// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${NAME}" in plain strings is what this file tests

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateSeed } from '../../main/cli/seed';
import { expandEnv } from '../../main/cli/seed-env';
import { readSeedJson, SeedError } from '../../main/cli/seed-file';

/** `${NAME}` in a seed file's strings comes from the environment (main/cli/seed-env.ts). */

const ENV = { ORDERS_SECRET: 's3cr3t', TENANT: 'acme', EMPTY: '' };

function expanded(json: unknown, env: Record<string, string> = ENV): unknown {
  const result = expandEnv(json, env);
  expect(result.problems).toEqual([]);
  return result.json;
}

describe('expandEnv', () => {
  it('expands every string value at any depth, and no object key', () => {
    const seed = {
      clients: [{ client_id: 'orders', client_secret: '${ORDERS_SECRET}', audience: ['api-${TENANT}'] }],
      users: [
        { username: 'alice', claims: { '${TENANT}': { nested: ['x', '${TENANT}-${ORDERS_SECRET}'] } } },
      ],
      settings: { access_token_ttl: 60, login_hint_skips_login: true },
    };
    expect(expanded(seed)).toEqual({
      clients: [{ client_id: 'orders', client_secret: 's3cr3t', audience: ['api-acme'] }],
      users: [{ username: 'alice', claims: { '${TENANT}': { nested: ['x', 'acme-s3cr3t'] } } }],
      settings: { access_token_ttl: 60, login_hint_skips_login: true },
    });
  });

  it('takes a default for a variable unset or empty, and an empty value when set empty without one', () => {
    expect(
      expanded(['${MISSING:-fallback}', '${EMPTY:-fallback}', '${TENANT:-fallback}', '${EMPTY}']),
    ).toEqual(['fallback', 'fallback', 'acme', '']);
    expect(expanded('${MISSING:-}')).toBe('');
  });

  it('keeps "$${" as a literal "${", and any other "$" as it is', () => {
    expect(
      expanded([
        '$${HOME}',
        'a $${b} c',
        '$$${TENANT}',
        'pa$$word',
        '$2b$10$abc',
        'costs $5',
        '$',
        '$$',
        '{x}',
      ]),
    ).toEqual(['${HOME}', 'a ${b} c', '$${TENANT}', 'pa$$word', '$2b$10$abc', 'costs $5', '$', '$$', '{x}']);
  });

  it('leaves numbers, booleans and null alone', () => {
    expect(expanded({ a: 1, b: true, c: null, d: [2, false] })).toEqual({
      a: 1,
      b: true,
      c: null,
      d: [2, false],
    });
  });

  it('keeps a "__proto__" member a plain member, for the validation to refuse as it does without references', () => {
    const json = JSON.parse('{"users":[{"username":"a","claims":{"__proto__":{"x":"${TENANT}"}}}]}');
    const result = expanded(json) as { users: { claims: object }[] };
    const claims = result.users[0]?.claims as Record<string, unknown>;
    expect(Object.getPrototypeOf(claims)).toBe(Object.prototype);
    expect(Object.keys(claims)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(claims, '__proto__')?.value).toEqual({ x: 'acme' });
  });

  it('names every unset variable with the JSON path where it is used', () => {
    const { problems } = expandEnv(
      {
        clients: [{ client_id: 'a', client_secret: '${ORDERS_SECRET}' }, { client_secret: '${NOPE}' }],
        x: '${ALSO_NOPE}',
      },
      ENV,
    );
    expect(problems).toEqual([
      {
        path: 'clients[1].client_secret',
        message: expect.stringMatching(
          /^environment variable NOPE is not set\. Set it, give a default with \$\{NOPE:-value\}/,
        ),
      },
      { path: 'x', message: expect.stringContaining('environment variable ALSO_NOPE is not set') },
    ]);
  });

  it.each([
    ['${}', '"${}" is not a variable reference'],
    ['${1ABC}', '"${1ABC}" is not a variable reference'],
    ['${A B}', '"${A B}" is not a variable reference'],
    ['${UNCLOSED', '"${UNCLOSED" is not a variable reference'],
  ])('refuses %j as a reference, saying how to write one or a literal', (text, message) => {
    const { problems } = expandEnv({ users: [{ username: text }] }, ENV);
    expect(problems).toEqual([{ path: 'users[0].username', message: expect.stringContaining(message) }]);
    expect(problems[0]?.message).toContain('or $${ for a literal "${"');
  });
});

describe('a seed file read by the CLI', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-seed-env-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (text: string) => {
    const file = path.join(dir, 'seed.json');
    fs.writeFileSync(file, text);
    return file;
  };

  it('is expanded before it is validated', () => {
    const file = write(
      '{"clients":[{"client_id":"orders","client_secret":"${ORDERS_SECRET}","grant_types":["client_credentials"]}]}',
    );
    const seed = validateSeed(readSeedJson(file, ENV));
    expect(seed.clients?.[0]?.client_secret).toBe('s3cr3t');
  });

  it('with an unset variable is refused, naming the file, the variable and the path', () => {
    const file = write('{"clients":[{"client_id":"orders","client_secret":"${ORDERS_SECRET}"}]}');
    const read = () => readSeedJson(file, {});
    expect(read).toThrow(SeedError);
    expect(read).toThrow(
      `seed file ${file} cannot be expanded from the environment; nothing was applied:\n  clients[0].client_secret: environment variable ORDERS_SECRET is not set.`,
    );
  });
});
