import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustCommands } from '../../main/core/tls/trust';
import { clientSnippet } from '../../renderer/src/lib/snippet';
import { buildCurlCommands, type CurlClient } from '../../renderer/src/pages/lab/mint/curl';
import {
  apacheQuote,
  apacheUnquotable,
  csharpQuote,
  goQuote,
  jsQuote,
  pythonQuote,
  shellQuote,
  tomlQuote,
  UnquotableError,
  yamlQuote,
} from '../../shared/quote';
import { RECIPES, type RecipeFile, type RecipeSubject } from '../../shared/recipes';
import { ClientInputSchema } from '../../shared/schemas';
import { tempDir } from '../helpers/engine';
import { HOSTILE } from '../helpers/hostile';

/**
 * Every quoting helper of shared/quote.ts, and every snippet and recipe built with them, read back by
 * the program that reads that format (sh, bash, Python, PyYAML, tomllib, httpd, Go, Java), with values
 * an attacker who can name a client would choose. A value must come back byte for byte, and nothing in
 * it may run: the canary file a command would create never appears.
 */

const APACHE = '/usr/sbin/apache2';
const APACHE_MODULES = '/usr/lib/apache2/modules';
const PYTHON = '/usr/bin/python3';

let work: string;
let canary: string;

beforeAll(() => {
  work = tempDir('idp-sandbox-quote-');
  canary = path.join(work, 'pwned');
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Values chosen to break out of each format's quoting, plus every hostile string of the other suites. */
function hostileValues(): string[] {
  return [
    `$(touch ${canary})`,
    `\`touch ${canary}\``,
    `'; touch ${canary}; '`,
    `"; touch ${canary}; "`,
    `x"""; __import__("os").system("touch ${canary}"); """`,
    'line one\nline two\r\nline three',
    'ends with a backslash\\',
    '\\"\\\\\\n\\u0022\\x41\\N{BULLET}',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell, Apache and Spring variable syntax, on purpose
    '${HOME} $HOME ${x:-y} %{HTTP_HOST} %(name)s {0}',
    'tab\there, NEL\u0085, LS\u2028, PS\u2029, BOM\ufeff, DEL\u007f, C1\u0080\u009f',
    'é 中文 👩🏽‍💻 \u{10FFFF}',
    'lone surrogates \ud800 and \udfff',
    '',
    ' leading and trailing spaces ',
    '--option=value',
    ...Object.values(HOSTILE),
  ];
}

/** What a file holding `value` holds after being saved as UTF-8 (a lone surrogate becomes U+FFFD). */
const asSaved = (value: string) => Buffer.from(value, 'utf8').toString('utf8');

function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
) {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? work,
    env: { ...process.env, ...options.env },
    input: options.input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return result;
}

function python(script: string, input: string): unknown {
  const result = run(PYTHON, ['-c', script], { input });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

/** A fake curl (and node) in PATH that prints its argv as JSON: a test double for curl, not for our code. */
function fakeBin(): string {
  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  for (const name of ['curl', 'node']) {
    const script = path.join(bin, name);
    fs.writeFileSync(
      script,
      `#!${process.execPath}\nprocess.stdout.write(JSON.stringify({ argv: process.argv.slice(2), ca: process.env.NODE_EXTRA_CA_CERTS ?? null }));\n`,
    );
    fs.chmodSync(script, 0o755);
  }
  return bin;
}

/** Runs a shell command line with the fake curl and node first in PATH; returns what they received. */
function runWithFakes(shell: string, commandLine: string, env: NodeJS.ProcessEnv = {}) {
  const result = run(shell, ['-c', commandLine], {
    env: { ...env, PATH: `${fakeBin()}:${process.env.PATH}` },
  });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { argv: string[]; ca: string | null };
}

// No string of a POSIX shell can hold NUL: shell formats take every other value.
const shellValues = () => hostileValues().filter((value) => !value.includes('\0'));

describe('shellQuote, read back by sh and bash', () => {
  for (const shell of ['/bin/sh', '/bin/bash']) {
    it(`${shell} reads every value back byte for byte and runs nothing`, () => {
      const values = shellValues();
      const script = values.map((value, i) => `V${i}=${shellQuote(value)}`).join('\n');
      const file = path.join(work, 'values.env');
      fs.writeFileSync(file, `${script}\n`);
      const echo = values.map((_, i) => `"$V${i}"`).join(' ');
      const result = run(shell, ['-c', `. '${file}' && printf '%s\\0' ${echo}`]);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout.split('\0').slice(0, -1)).toEqual(values.map(asSaved));
      expect(fs.existsSync(canary)).toBe(false);
    });
  }
});

// Printable ASCII, as the schema wants a client_id; \${HOME} is httpd's and Spring's variable syntax.
const HOSTILE_ID = `web"""; pwnedByRecipe() """ $(touch CANARY) \`touch CANARY\` 'q' \\ $HOME \${HOME}`;

/** A client with a hostile value wherever the schema lets one through (checked by the schema itself). */
function hostileClient(): RecipeSubject {
  const secret = `s"; pwnedByRecipe(); "\n$(touch ${canary})\`touch ${canary}\`'\\ ${HOSTILE.separators} ${HOSTILE.emoji}`;
  const payload = `\ntouch ${canary}; pwnedByRecipe()\n`;
  const input = ClientInputSchema.parse({
    client_id: HOSTILE_ID.replaceAll('CANARY', canary),
    client_secret: secret,
    // The URL parser drops line breaks, so the schema takes these; a snippet writing them raw would not.
    redirect_uris: [
      `http://127.0.0.1:3000/api/auth/callback/idp-sandbox?x=${payload}`,
      `http://127.0.0.1:8080/protected/redirect_uri?x=${payload}`,
      `http://127.0.0.1:4180/oauth2/callback?x=${payload}`,
      `http://127.0.0.1:3000/callback?x=${payload}`,
    ],
    post_logout_redirect_uris: [`http://127.0.0.1:3000/?x=${payload}`],
    scope: 'openid profile $(id) `id`',
    audience: [`api"; pwnedByRecipe(); "\n${HOSTILE.control}`],
    token_endpoint_auth_method: 'client_secret_post',
  });
  return {
    client_id: input.client_id,
    client_secret: input.client_secret ?? null,
    redirect_uris: input.redirect_uris,
    post_logout_redirect_uris: input.post_logout_redirect_uris,
    scope: input.scope,
    audience: input.audience,
    token_endpoint_auth_method: input.token_endpoint_auth_method,
    access_token_format: 'jwt',
    grant_types: input.grant_types,
  };
}

describe('the client drawer .env snippet, sourced by sh', () => {
  it('gives back the hostile client id, secret and redirect URI exactly, and runs nothing', () => {
    const client = hostileClient();
    const env = clientSnippet(
      {
        issuer: 'http://127.0.0.1:9400',
        discoveryUrl: 'http://127.0.0.1:9400/.well-known/openid-configuration',
        client: { ...client, client_secret: client.client_secret ?? '' },
      },
      'env',
    );
    const file = path.join(work, 'client.env');
    fs.writeFileSync(file, `${env}\n`);
    const names = ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URI', 'OIDC_SCOPE'];
    const result = run('/bin/sh', [
      '-c',
      `. '${file}' && printf '%s\\0' ${names.map((n) => `"$${n}"`).join(' ')}`,
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(
      [client.client_id, client.client_secret, client.redirect_uris[0], client.scope].map((v) =>
        asSaved(v ?? ''),
      ),
    );
    expect(fs.existsSync(canary)).toBe(false);
  });
});

describe('curl commands, run by sh with curl replaced by a stub printing its argv', () => {
  const token = `h.p.s'$(touch CANARY)`;
  const apiUrl = "http://127.0.0.1:4000/api/me?q=$(id)&x='y'";
  const issuer = 'http://127.0.0.1:9400/realm $(id)';

  it.each(['client_secret_post', 'client_secret_basic', 'none'] as const)(
    '%s: every argument reaches curl exactly as meant',
    (method) => {
      const client: CurlClient = {
        client_id: HOSTILE_ID.replaceAll('CANARY', canary),
        client_secret: method === 'none' ? null : `sec'ret $(touch ${canary}) "x"`,
        token_endpoint_auth_method: method,
      };
      const rs = { RS_CLIENT_ID: `rs $(touch ${canary})`, RS_CLIENT_SECRET: "rs'secret" };
      const commands = buildCurlCommands({
        issuer,
        client,
        token: token.replace('CANARY', canary),
        kind: 'access',
        apiUrl,
      });
      expect(commands.map((c) => c.id)).toEqual(['introspect', 'userinfo', 'revoke', 'api', 'jwks']);
      for (const command of commands) {
        const { argv } = runWithFakes('/bin/sh', command.command, rs);
        const realToken = token.replace('CANARY', canary);
        const url = argv.at(-1);
        if (command.id === 'api') expect(url).toBe(apiUrl);
        else expect(url).toBe(`${issuer}/${command.id}`);
        if (command.id === 'jwks') continue;
        if (command.id === 'userinfo' || command.id === 'api') {
          expect(argv).toContain(`Authorization: Bearer ${realToken}`);
          continue;
        }
        expect(argv).toContain(`token=${realToken}`);
        if (command.id === 'introspect' && method === 'none') {
          expect(argv).toContain(`${rs.RS_CLIENT_ID}:${rs.RS_CLIENT_SECRET}`);
        } else if (method === 'client_secret_post') {
          expect(argv).toContain(`client_id=${client.client_id}`);
          expect(argv).toContain(`client_secret=${client.client_secret}`);
        } else if (method === 'client_secret_basic') {
          const header = argv.find((arg) => arg.startsWith('Authorization: Basic '));
          const [id, secret] = Buffer.from(header?.slice('Authorization: Basic '.length) ?? '', 'base64')
            .toString('utf8')
            .split(':')
            .map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
          expect([id, secret]).toEqual([client.client_id, client.client_secret]);
        } else {
          expect(argv).toContain(`client_id=${client.client_id}`);
        }
      }
      expect(fs.existsSync(canary)).toBe(false);
    },
  );

  it('the CA trust commands give curl and node the CA path and the issuer exactly', () => {
    const caPath = `/tmp/it's $(touch ${canary}) \`x\`/ca.crt`;
    const commands = trustCommands(caPath, issuer);
    const byLabel = Object.fromEntries(commands.map((c) => [c.label, c.command]));
    expect(runWithFakes('/bin/sh', byLabel.curl ?? '').argv).toEqual([
      '--cacert',
      caPath,
      `${issuer}/.well-known/openid-configuration`,
    ]);
    expect(runWithFakes('/bin/sh', byLabel['Node.js'] ?? '')).toEqual({ argv: ['your-app.js'], ca: caPath });
    expect(fs.existsSync(canary)).toBe(false);
  });
});

describe('pythonQuote, read back by Python', () => {
  it('ast.literal_eval gives every value back', () => {
    const values = hostileValues();
    const source = `[${values.map(pythonQuote).join(',\n')}]`;
    const read = python(
      'import ast, json, sys; print(json.dumps(ast.literal_eval(sys.stdin.read())))',
      source,
    );
    expect(read).toEqual(values);
  });
});

describe('yamlQuote, read back by PyYAML (YAML 1.1, as SnakeYAML in Spring Boot reads it)', () => {
  it('yaml.safe_load gives every value back', () => {
    const values = hostileValues();
    const source = values.map((value) => `- ${yamlQuote(value)}`).join('\n');
    const read = python(
      'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))',
      source,
    );
    expect(read).toEqual(values);
  });
});

describe('tomlQuote, read back by tomllib (oauth2-proxy reads its config as TOML)', () => {
  it('tomllib gives every value back, a lone surrogate as the U+FFFD a saved file holds', () => {
    const values = hostileValues();
    const source = values.map((value, i) => `v${i} = ${tomlQuote(value)}`).join('\n');
    const read = python(
      'import json, sys, tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))',
      source,
    );
    expect(read).toEqual(Object.fromEntries(values.map((value, i) => [`v${i}`, asSaved(value)])));
  });
});

/** A minimal httpd config for `apache2 -t`, with `body` after the module lines. */
function apacheConfig(body: string, modules: string[] = []): string {
  const root = fs.mkdtempSync(path.join(work, 'httpd-'));
  const file = path.join(root, 'httpd.conf');
  fs.writeFileSync(
    file,
    [
      `ServerRoot "${root}"`,
      `PidFile "${path.join(root, 'httpd.pid')}"`,
      `ErrorLog "${path.join(root, 'error.log')}"`,
      'ServerName localhost',
      'Listen 127.0.0.1:1',
      ...['mpm_event', 'authz_core', ...modules].map(
        (name) => `LoadModule ${name}_module "${path.join(APACHE_MODULES, `mod_${name}.so`)}"`,
      ),
      body,
      '',
    ].join('\n'),
  );
  return file;
}

/** The Defines httpd read from a config, by name (apache2 -t -D DUMP_RUN_CFG prints them). */
function apacheDefines(configFile: string): Map<string, string> {
  const result = run(APACHE, ['-t', '-D', 'DUMP_RUN_CFG', '-f', configFile]);
  expect(result.status, result.stderr + result.stdout).toBe(0);
  const defines = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const match = /^Define: ([^=]+)(?:=(.*))?$/s.exec(line);
    if (match?.[1]) defines.set(match[1], match[2] ?? '');
  }
  return defines;
}

describe('apacheQuote, read back by Apache httpd', () => {
  it('httpd reads every value it can hold back exactly; the others are refused with the reason', () => {
    const values = hostileValues();
    const writable = values.filter((value) => apacheUnquotable(value) === null);
    const refused = values.filter((value) => apacheUnquotable(value) !== null);
    expect(writable.length).toBeGreaterThan(10);
    expect(refused.some((v) => v.includes('\n'))).toBe(true);
    const config = apacheConfig(writable.map((value, i) => `Define V${i} ${apacheQuote(value)}`).join('\n'));
    const defines = apacheDefines(config);
    writable.forEach((value, i) => {
      expect(defines.get(`V${i}`), JSON.stringify(value)).toBe(asSaved(value));
    });
    for (const value of refused) expect(() => apacheQuote(value)).toThrow(UnquotableError);
  });
});

/** Runs a Go program (one or more files in one package) and returns what it printed. */
function goRun(files: Record<string, string>, env: NodeJS.ProcessEnv = {}): string {
  const dir = fs.mkdtempSync(path.join(work, 'go-'));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  const result = run('go', ['run', '.'], {
    cwd: dir,
    env: { GO111MODULE: 'off', GOFLAGS: '', ...env },
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

const GO_PRINT = (values: string) => `package main

import (
	"encoding/json"
	"os"
)

func init() {
	out, _ := json.Marshal([]string{${values}})
	os.Stdout.Write(out)
	os.Exit(0)
}
`;

describe('goQuote, compiled by Go', () => {
  it('a Go program holding every value prints each back (a lone surrogate as U+FFFD)', () => {
    const values = hostileValues();
    const printed = goRun({
      'main.go': `${GO_PRINT(values.map(goQuote).join(',\n'))}\nfunc main() {}\n`,
    });
    expect(JSON.parse(printed)).toEqual(values.map(asSaved));
  }, 120_000);
});

describe('jsQuote for Java, compiled by javac', () => {
  it('a Java program holding every value prints each back, UTF-16 unit for unit', () => {
    const values = hostileValues();
    const file = path.join(fs.mkdtempSync(path.join(work, 'java-')), 'Values.java');
    fs.writeFileSync(
      file,
      `class Values {
  public static void main(String[] args) {
    String[] values = {${values.map(jsQuote).join(',\n')}};
    StringBuilder out = new StringBuilder();
    for (String value : values) {
      for (char unit : value.toCharArray()) out.append((int) unit).append(' ');
      out.append('\\n');
    }
    System.out.print(out);
  }
}
`,
    );
    const result = run('java', [file]);
    expect(result.status, result.stderr).toBe(0);
    const units = values.map((value) =>
      [...Array(value.length).keys()].map((i) => `${value.charCodeAt(i)} `).join(''),
    );
    expect(result.stdout.split('\n').slice(0, -1)).toEqual(units);
  }, 120_000);
});

describe('csharpQuote (no C# compiler on these machines: the escapes C# requires, checked one by one)', () => {
  it('escapes the line terminators C# ends a literal at, quotes and backslashes; nothing else raw but text', () => {
    expect(csharpQuote('a\u0085b\u2028c\u2029d\ne\rf')).toBe('"a\\u0085b\\u2028c\\u2029d\\ne\\rf"');
    expect(csharpQuote('say "hi" \\ {0} é')).toBe('"say \\"hi\\" \\\\ {0} é"');
    for (const value of hostileValues()) {
      const literal = csharpQuote(value).slice(1, -1);
      // C# new-line characters (ECMA-334 §6.3.2) never appear raw; neither does an unescaped quote.
      expect(literal).not.toMatch(/[\r\n\u0085\u2028\u2029]/);
      expect(literal.replace(/\\\\/g, '').replace(/\\"/g, '')).not.toContain('"');
    }
  });
});

/**
 * What a C-like file holds outside its comments and "string" literals: a lexer of those two only (no
 * char literals, verbatim or raw strings, which the recipes do not use). It ends a line comment at every
 * character C# ends one at (a superset of Java's and JavaScript's), so text it keeps is never less.
 */
function codeOutsideStringsAndComments(source: string): string {
  return source.replace(/\/\/[^\n\r\u0085\u2028\u2029]*|\/\*[\s\S]*?\*\/|"(?:[^"\\\n\r]|\\.)*"/g, ' ');
}

/** JS or TS parsed by esbuild (a syntax error throws), as code without comments and strings. */
async function jsCode(file: RecipeFile): Promise<string> {
  const loader = file.name.endsWith('.tsx') ? 'tsx' : file.language === 'typescript' ? 'ts' : 'js';
  const { code } = await esbuild.transform(file.content, { loader, format: 'esm', legalComments: 'none' });
  return codeOutsideStringsAndComments(code);
}

describe('every recipe, rendered for a hostile client, read by its own language', () => {
  // https: mod_auth_openidc's resource-server directives refuse an http issuer at the config check.
  const ISSUER = 'https://127.0.0.1:9400';
  const render = () =>
    RECIPES.flatMap((recipe) =>
      recipe.render({ issuer: ISSUER, client: hostileClient() }).map((file) => ({ recipe, file })),
    );

  it('JS and TS recipes parse, and Java and C# ones keep every hostile text inside strings and comments', async () => {
    const files = render().filter(({ file }) =>
      ['typescript', 'javascript', 'java', 'csharp'].includes(file.language),
    );
    expect(files.length).toBeGreaterThan(5);
    for (const { recipe, file } of files) {
      const code = ['java', 'csharp'].includes(file.language)
        ? codeOutsideStringsAndComments(file.content)
        : await jsCode(file);
      expect(code, `${recipe.id} ${file.name}`).not.toContain('pwnedByRecipe');
    }
  });

  it('Python recipes parse, hold the values exactly, and call nothing injected', () => {
    const client = hostileClient();
    for (const { recipe, file } of render().filter(({ file }) => file.language === 'python')) {
      const read = python(
        `import ast, json, sys
tree = ast.parse(sys.stdin.read())
names = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)})
constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
             for t in n.targets if isinstance(t, ast.Name) and isinstance(n.value, ast.Constant)}
print(json.dumps({"names": names, "constants": constants, "doc": ast.get_docstring(tree, clean=False)}))`,
        file.content,
      ) as { names: string[]; constants: Record<string, string>; doc: string };
      const where = `${recipe.id} ${file.name}`;
      expect(read.names, where).not.toContain('pwnedByRecipe');
      expect(read.doc, where).toContain(client.client_id);
      expect(read.constants.AUDIENCE ?? client.audience[0], where).toBe(client.audience[0]);
      if ('CLIENT_SECRET' in read.constants) {
        expect(read.constants.CLIENT_ID, where).toBe(client.client_id);
        expect(read.constants.CLIENT_SECRET, where).toBe(client.client_secret);
      }
    }
  });

  it('YAML recipes load to the settings meant, values exact (Spring placeholders escaped)', () => {
    const client = hostileClient();
    const files = render().filter(({ file }) => file.language === 'yaml');
    expect(files.length).toBeGreaterThan(0);
    for (const { recipe, file } of files) {
      const read = python(
        'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))',
        file.content,
      ) as { spring: { security: { oauth2: { resourceserver: Record<string, Record<string, string>> } } } };
      expect(Object.keys(read), recipe.id).toEqual(['spring']);
      const opaque = read.spring.security.oauth2.resourceserver.opaquetoken;
      if (opaque) {
        // Spring Boot 3.4+ reads \${ back as ${.
        const spring = (value: string) => value.replaceAll('${', '\\${');
        expect(opaque['client-id']).toBe(spring(client.client_id));
        expect(opaque['client-secret']).toBe(spring(client.client_secret ?? ''));
      }
    }
  });

  it('the oauth2-proxy config loads as TOML with exactly its keys and the values exact', () => {
    const client = hostileClient();
    const [file] = render()
      .filter(({ recipe }) => recipe.id === 'oauth2-proxy')
      .map(({ file }) => file);
    const read = python(
      'import json, sys, tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))',
      (file as RecipeFile).content,
    ) as Record<string, unknown>;
    expect(Object.keys(read).sort()).toEqual(
      [
        'provider',
        'provider_display_name',
        'oidc_issuer_url',
        'client_id',
        'client_secret',
        'redirect_url',
        'scope',
        'code_challenge_method',
        'http_address',
        'upstreams',
        'email_domains',
        'insecure_oidc_allow_unverified_email',
        'cookie_secret',
        'cookie_secure',
      ].sort(),
    );
    expect(read.client_id).toBe(client.client_id);
    expect(read.client_secret).toBe(asSaved(client.client_secret ?? ''));
    expect(read.redirect_url).toBe(client.redirect_uris[2]);
  });

  it('the Apache recipes pass apache2 -t with mod_auth_openidc and define nothing injected', () => {
    const files = render().filter(({ file }) => file.language === 'apache');
    expect(files).toHaveLength(2);
    for (const { recipe, file } of files) {
      // The hostile redirect URI carries a line that would be a directive of its own if written raw.
      const injected = file.content.replace(/pwnedByRecipe\(\)/g, 'Define PWNED');
      const config = apacheConfig(injected, ['authn_core', 'authz_user', 'auth_openidc']);
      const defines = apacheDefines(config);
      expect(defines.has('PWNED'), recipe.id).toBe(false);
      if (recipe.id === 'mod-auth-openidc') {
        expect(file.content).toMatch(/^# OIDCClientID is left out: .*variable/m);
        expect(file.content).toMatch(/^# OIDCRedirectURI is left out: .*line break/m);
      }
    }
  });

  it('the Go recipe compiles and holds the issuer and client id exactly', { timeout: 120_000 }, () => {
    const client = hostileClient();
    const [file] = render()
      .filter(({ recipe }) => recipe.id === 'go-oidc')
      .map(({ file }) => file);
    const printed = goRun(
      { 'main.go': (file as RecipeFile).content, 'values_test_print.go': GO_PRINT('issuer, clientID') },
      { GOPATH: '/usr/share/gocode' },
    );
    expect(JSON.parse(printed)).toEqual([ISSUER, client.client_id]);
  });

  it('the Auth.js .env.local, sourced by sh, runs nothing', () => {
    const [file] = render()
      .filter(({ file }) => file.name === '.env.local')
      .map(({ file }) => file);
    const env = path.join(work, 'authjs.env');
    fs.writeFileSync(env, (file as RecipeFile).content);
    const result = run('/bin/sh', ['-c', `. '${env}'; printf '%s' "$AUTH_SECRET"`]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe('replace-with-the-output-of-npx-auth-secret');
    expect(fs.existsSync(canary)).toBe(false);
  });

  it('the JSON settings parse to the values exact', () => {
    const client = hostileClient();
    for (const { file } of render().filter(({ file }) => file.language === 'json')) {
      expect(JSON.parse(file.content)).toMatchObject({ client_id: client.client_id });
    }
  });
});
