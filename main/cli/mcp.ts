// `idp-sandbox mcp`: an engine started with serve's flags, and an MCP server on stdio whose tools are
// admin contract methods (mcp-tools.ts). stdout carries only MCP messages: everything else goes to stderr.
import path from 'node:path';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AdminError } from '../../shared/errors';
import { createEngine, type Engine, EngineStartError, VERSION } from '../core';
import { adminTokenOrExit } from './admin-token';
import type { ServeOptions } from './args';
import { logFaults } from './fault-log';
import { mcpTools } from './mcp-tools';
import { readSeedJson, SeedError } from './seed-file';
import { sqliteBinding } from './sqlite-binding';
import { dataDirOf } from './start-key';

function fail(message: string, code: number): never {
  process.stderr.write(`idp-sandbox mcp: ${message}\n`);
  process.exit(code);
}

/** The engine, as `serve` starts it; a problem ends the process with serve's exit codes (2: input, 1: start). */
async function startEngine(options: ServeOptions): Promise<Engine> {
  let seed: unknown;
  if (options.seed !== undefined) {
    try {
      const file = readSeedJson(path.resolve(options.seed));
      const { validateSeed } = await import('./seed');
      seed = validateSeed(file);
    } catch (error) {
      if (error instanceof SeedError) fail(error.message, 2);
      throw error;
    }
  }
  try {
    const engine = await createEngine({
      host: options.host ?? '127.0.0.1',
      port: options.port,
      dataDir: dataDirOf(options),
      inMemory: options.inMemory,
      issuer: options.issuer,
      seed: seed as Parameters<typeof createEngine>[0]['seed'],
      adminToken: adminTokenOrExit(options.adminTokenFile),
      https: options.https,
      signingWorkers: options.signingWorkers,
      nativeBinding: sqliteBinding(),
    });
    // It listens while a fresh start's signing key is still being made; one that cannot be made ends it.
    engine.keyReady.catch((error: unknown) => fail((error as Error).message, 1));
    if (options.clockOffset !== undefined)
      await engine.call('settings.update', { clock_offset_seconds: options.clockOffset });
    return engine;
  } catch (error) {
    if (error instanceof AdminError)
      fail(`seed file ${options.seed} could not be applied: ${error.message}`, 2);
    const hint =
      error instanceof EngineStartError ? ' (idp-sandbox --help lists --port, --host, --data-dir)' : '';
    fail(`${(error as Error).message}${hint}`, 1);
  }
}

/** One admin call as a tool result: the output as JSON text, or the engine's refusal as an error result. */
async function callTool(engine: Engine, method: string, input: unknown): Promise<CallToolResult> {
  try {
    const output = await engine.call(method, input ?? {});
    return { content: [{ type: 'text', text: JSON.stringify(output, null, 2) }] };
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    return { isError: true, content: [{ type: 'text', text: `${error.code}: ${error.message}` }] };
  }
}

type McpSdk = typeof import('./mcp-sdk');

function mcpServer(engine: Engine, sdk: McpSdk): Server {
  const { Server, ListToolsRequestSchema, CallToolRequestSchema } = sdk;
  const tools = mcpTools();
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const server = new Server(
    { name: 'idp-sandbox', version: VERSION },
    {
      capabilities: { tools: {} },
      instructions: `IDP Sandbox: a local OpenID Connect provider for tests, issuer ${engine.issuer} (discovery at ${engine.issuer}/.well-known/openid-configuration). Use its tools to create test users and OAuth clients, mint and revoke tokens, and inspect them.`,
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema })),
  }));
  server.setRequestHandler(CallToolRequestSchema, (request) => {
    const tool = byName.get(request.params.name);
    if (!tool) {
      const names = tools.map((t) => t.name).join(', ');
      return {
        isError: true,
        content: [{ type: 'text', text: `Unknown tool "${request.params.name}". The tools are: ${names}.` }],
      };
    }
    return callTool(engine, tool.method, request.params.arguments);
  });
  return server;
}

export async function mcpCommand(options: ServeOptions): Promise<void> {
  const engine = await startEngine(options);
  for (const warning of engine.warnings) process.stderr.write(`warning: ${warning}\n`);
  logFaults(engine);
  const sdk = await import('./mcp-sdk');
  const server = mcpServer(engine, sdk);
  let closing = false;
  // The client ends the session by closing stdin (or with a signal): the engine stops with it.
  const shutdown = (reason: string) => {
    if (closing) return;
    closing = true;
    Promise.allSettled([server.close(), engine.close()]).then(() => {
      process.stderr.write(`IDP Sandbox MCP server stopped (${reason}).\n`);
      process.exit(0);
    });
  };
  process.stdin.once('end', () => shutdown('stdin closed'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  await server.connect(new sdk.StdioServerTransport());
  process.stderr.write(
    `IDP Sandbox ${VERSION} MCP server on stdio; issuer ${engine.issuer}, data ${engine.dataDir ?? 'in memory'}\n`,
  );
}
