// `idp-sandbox mcp`, the built CLI spawned by the official MCP SDK's client over stdio, as a coding
// agent's host runs it: tools/list, then tools/call to set up identities and mint a token.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { adminContract } from '../../shared/contract';
import { BUILT_CLI, tempDir } from '../helpers/engine';

const seedDir = tempDir();
const seedFile = path.join(seedDir, 'seed.json');
fs.writeFileSync(
  seedFile,
  JSON.stringify({
    clients: [{ client_id: 'orders', grant_types: ['client_credentials'], audience: ['orders-api'] }],
  }),
);

let client: Client;
let transport: StdioClientTransport;
let stderr = '';
const transportErrors: Error[] = [];

beforeAll(async () => {
  transport = new StdioClientTransport({
    command: process.execPath,
    args: [BUILT_CLI, 'mcp', '--in-memory', '--port', '0', '--seed', seedFile],
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  client = new Client({ name: 'idp-sandbox-test', version: '1.0.0' });
  // A line on stdout that is not an MCP message would arrive here.
  client.onerror = (error) => transportErrors.push(error);
  await client.connect(transport);
});

afterAll(async () => {
  await client?.close();
  fs.rmSync(seedDir, { recursive: true, force: true });
});

/** The JSON a tool answered (as text content); fails the test on an error result. */
function json(result: unknown): Record<string, unknown> {
  const { content, isError } = result as CallToolResult;
  const first = content[0];
  if (isError || first?.type !== 'text') throw new Error(`tool error: ${JSON.stringify(content)}`);
  return JSON.parse(first.text) as Record<string, unknown>;
}

describe('idp-sandbox mcp (built CLI, official MCP SDK client over stdio)', () => {
  it('introduces itself with the issuer it started', () => {
    expect(client.getServerVersion()?.name).toBe('idp-sandbox');
    expect(client.getInstructions()).toMatch(/issuer http:\/\/127\.0\.0\.1:\d+/);
  });

  it('lists the admin methods as tools, each input schema derived from the contract', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    for (const name of [
      'users_create',
      'users_list',
      'clients_create',
      'clients_list',
      'tokens_mint',
      'tokens_revoke',
      'tokens_get',
      'tokens_lookup',
      'engine_info',
    ]) {
      expect(names).toContain(name);
    }
    for (const tool of tools) {
      const method = tool.name.replace('_', '.') as keyof typeof adminContract;
      expect(tool.description, tool.name).toBeTruthy();
      expect(tool.inputSchema, tool.name).toEqual(
        z.toJSONSchema(adminContract[method].input, { io: 'input', unrepresentable: 'any' }),
      );
    }
    const usersCreate = tools.find((tool) => tool.name === 'users_create');
    expect(usersCreate?.inputSchema.required).toEqual(['username']);
    expect(Object.keys(usersCreate?.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['username', 'password', 'sub', 'claims']),
    );
  });

  it('creates a user and mints a token for them that verifies against the JWKS', async () => {
    const { issuer } = json(await client.callTool({ name: 'engine_info', arguments: {} })) as {
      issuer: string;
    };
    const user = json(
      await client.callTool({
        name: 'users_create',
        arguments: { username: 'agent-alice', claims: { email: 'alice@example.test' } },
      }),
    );
    const minted = json(
      await client.callTool({
        name: 'tokens_mint',
        arguments: { client_id: 'orders', username: 'agent-alice', extra_claims: { tier: 'gold' } },
      }),
    ) as { value: string; token: { id: string } };
    const { payload } = await jwtVerify(minted.value, createRemoteJWKSet(new URL(`${issuer}/jwks`)), {
      issuer,
      audience: 'orders-api',
    });
    expect(payload.sub).toBe(user.sub);
    expect(payload.tier).toBe('gold');

    expect(
      json(await client.callTool({ name: 'tokens_revoke', arguments: { id: minted.token.id } })),
    ).toEqual({
      revoked: 1,
    });
    const inspected = json(
      await client.callTool({ name: 'tokens_lookup', arguments: { value: minted.value } }),
    );
    expect(inspected.introspection).toEqual({ active: false });
  });

  it('answers bad input with an error result naming the field, and the session goes on', async () => {
    const refused = (await client.callTool({
      name: 'users_create',
      arguments: { username: '' },
    })) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(refused.content[0]).toMatchObject({
      type: 'text',
      text: expect.stringMatching(/^invalid_input: .*username/),
    });
    const unknown = (await client.callTool({ name: 'workspace_reset', arguments: {} })) as CallToolResult;
    expect(unknown.isError).toBe(true);
    expect(json(await client.callTool({ name: 'users_list', arguments: {} }))).toHaveLength(1);
  });

  it('keeps stdout for MCP alone: its log is on stderr', () => {
    expect(transportErrors).toEqual([]);
    expect(stderr).toMatch(/MCP server on stdio; issuer http:\/\/127\.0\.0\.1:\d+, data in memory/);
  });

  it('stops the engine when the client closes the session', async () => {
    const pid = transport.pid as number;
    await client.close();
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && isRunning(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(isRunning(pid)).toBe(false);
  });
});

describe('idp-sandbox mcp refusing to start', () => {
  it('exits with code 2 on a bad flag or seed, saying why on stderr and printing nothing on stdout', () => {
    for (const args of [
      ['--port', 'eighty'],
      ['--in-memory', '--seed', path.join(seedDir, 'missing.json')],
      ['--in-memory', '--ui'],
    ]) {
      const run = spawnSync(process.execPath, [BUILT_CLI, 'mcp', ...args], { encoding: 'utf8', input: '' });
      expect(run.status, run.stderr).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(
        /--port must be a whole number|seed file .*missing\.json does not exist|mcp does not take --ui/,
      );
    }
  });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
