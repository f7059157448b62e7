// Only what runs before the engine is loaded is imported statically: serve() imports the engine and
// the seed's schemas once the start's signing key is under way (start-key.ts).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { signedDuration } from '../../shared/duration';
import { AdminError } from '../../shared/errors';
import { createEngine, EngineStartError, type EngineTls, VERSION } from '../core';
import { adminTokenOrExit } from './admin-token';
import { CHECK_API_HELP, parseCli, type ServeOptions, USAGE, UsageError } from './args';
import { logFaults } from './fault-log';
import { readSeedJson, SeedError, type SeedJson } from './seed-file';
import { sqliteBinding } from './sqlite-binding';
import { dataDirOf, startKeyFor, takeStartKey } from './start-key';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** The built renderer sits beside the built CLI: dist/cli/cli-main.cjs and dist/renderer/. */
function builtUiDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
}

/** What the user can do about a failed start, in this host's terms (its flags). */
const START_ADVICE: Record<EngineStartError['problem'], string> = {
  port_in_use: 'Stop the other process, or pick another port with --port N (--port 0 picks a free one).',
  port_not_allowed: 'Pick a port above 1023 with --port N.',
  address_not_available: 'Check --host.',
  folder_not_writable: 'Choose another with --data-dir DIR.',
};

function explainStartError(error: unknown): string {
  if (error instanceof EngineStartError) return `${error.message} ${START_ADVICE[error.problem]}`;
  return (error as Error).message ?? String(error);
}

/** Runs `read` on the seed file; a problem with the file ends the CLI with exit code 2. */
function seedOrExit<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof SeedError)) throw error;
    process.stderr.write(`idp-sandbox: ${error.message}\n`);
    process.exit(2);
  }
}

/** Where the CA is and how to trust it: clients refuse the HTTPS issuer until they do. */
function tlsLines(tls: EngineTls): string[] {
  const where = tls.temporary
    ? 'made for this run in a temporary folder, removed at exit; use --data-dir to keep one CA'
    : tls.caCreated
      ? 'new: clients must trust it before they connect'
      : 'kept in the data folder';
  return [
    `  HTTPS CA:    ${tls.caCertPath} (${where})`,
    `               SHA-256 ${tls.caFingerprint}`,
    '  Trust it:',
    ...tls.trustCommands.map(({ label, command }) => `    ${`${label}:`.padEnd(24)} ${command}`),
  ];
}

async function serve(options: ServeOptions): Promise<void> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) {
    process.stderr.write(
      `warning: binding ${host} makes the provider and its admin API reachable from other machines. Use only on a trusted network.\n`,
    );
  }
  const dataDir = dataDirOf(options);
  const seedFile = options.seed;
  const seedJson: SeedJson | undefined =
    seedFile === undefined ? undefined : seedOrExit(() => readSeedJson(path.resolve(seedFile)));
  // The launcher began it already; run without the launcher, it is begun here.
  const preparedKey = takeStartKey() ?? startKeyFor(options, seedJson?.json);
  const { validateSeed, seedNotApplied } = await import('./seed');
  const seed = seedJson && seedOrExit(() => validateSeed(seedJson));
  let engine: Awaited<ReturnType<typeof createEngine>>;
  try {
    engine = await createEngine({
      host,
      port: options.port,
      dataDir,
      inMemory: options.inMemory,
      issuer: options.issuer,
      seed,
      uiDir: options.ui ? builtUiDir() : undefined,
      adminToken: adminTokenOrExit(options.adminTokenFile),
      signingWorkers: options.signingWorkers,
      nativeBinding: sqliteBinding(),
      preparedKey,
      https: options.https,
    });
  } catch (error) {
    if (error instanceof AdminError) {
      // The seed was well-formed but conflicts with what is stored (e.g. a subject already taken).
      const refusal = seedNotApplied(seedJson?.shown ?? String(options.seed), error.message);
      process.stderr.write(`idp-sandbox: ${refusal.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`idp-sandbox: ${explainStartError(error)}\n`);
    process.exit(1);
  }

  if (options.clockOffset !== undefined) {
    await engine.call('settings.update', { clock_offset_seconds: options.clockOffset });
  }
  for (const warning of engine.warnings) process.stderr.write(`warning: ${warning}\n`);
  logFaults(engine);

  // Before the ready lines: whoever reads them may send a signal at once.
  let closing = false;
  let seedWatch: { close(): void } | undefined;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    seedWatch?.close();
    engine
      .close()
      .then(() => {
        process.stdout.write(`Stopped (${signal}).\n`);
        process.exit(0);
      })
      .catch((error: unknown) => {
        process.stderr.write(`idp-sandbox: error while stopping: ${(error as Error).message}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // The engine listens while a fresh start's signing key is still being made (Engine.keyReady). If it
  // cannot be made, nothing can be signed: say why and stop, rather than answer server_error for ever.
  engine.keyReady.catch((error: unknown) => {
    if (closing) return;
    closing = true;
    seedWatch?.close();
    process.stderr.write(`idp-sandbox: ${(error as Error).message} Stopping.\n`);
    engine
      .close()
      .catch(() => undefined)
      .then(() => process.exit(1));
  });

  const lines = [
    `IDP Sandbox ${VERSION} is ready`,
    `  Issuer:      ${engine.issuer}`,
    `  Discovery:   ${engine.issuer}/.well-known/openid-configuration`,
    `  Data:        ${engine.dataDir ?? 'in memory (nothing is kept after exit)'}`,
    `  Admin token: ${engine.adminTokenFile}`,
  ];
  // A moved clock is easy to forget: every start says so while it is moved (it is kept in the data).
  // This and issuers.list below take no input, so they go to the handlers without engine.call's
  // validation: that would load the admin contract (core/admin/contract-loader.ts) before "ready".
  const { clock_offset_seconds: offset } = await engine.admin['settings.get']({});
  if (offset !== 0) {
    lines.push(
      `  Clock:       provider time is real time ${signedDuration(offset)} (Settings → provider clock)`,
    );
  }
  if (seed) {
    lines.push(
      `  Seed:        ${options.seed} (${seed.users?.length ?? 0} users, ${seed.clients?.length ?? 0} clients)${options.watch ? ', applied again when saved' : ''}`,
    );
    // Watching begins before "ready" is printed, so an edit made as soon as it is read is not missed.
    if (options.watch && seedJson) seedWatch = (await import('./seed-watch')).watchSeedFile(engine, seedJson);
  }
  // The workspace's other issuers answer on the same port, each under its own path.
  const others = (await engine.admin['issuers.list']({})).filter((i) => i.name !== '');
  for (const [index, other] of others.entries()) {
    lines.push(
      `  ${index === 0 ? 'Issuers:    ' : '            '} ${other.issuer} (${other.name}, ${other.profile})`,
    );
  }
  if (engine.uiUrl) lines.push(`  Admin UI:    ${engine.uiUrl}`);
  if (engine.tls) lines.push(...tlsLines(engine.tls));
  lines.push('Press Ctrl+C to stop.');
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function main(argv: readonly string[]): Promise<void> {
  let command: ReturnType<typeof parseCli>;
  try {
    command = parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`idp-sandbox: ${error.message}\nRun "idp-sandbox --help" for usage.\n`);
      process.exit(2);
    }
    throw error;
  }
  if (command.kind === 'help') {
    process.stdout.write(
      command.command === 'check-api'
        ? `Usage: idp-sandbox check-api URL --client ID [options]\n\n${CHECK_API_HELP}\n`
        : `${USAGE}\n\n${CHECK_API_HELP}\n`,
    );
    return;
  }
  if (command.kind === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  if (command.kind === 'mcp') {
    const { mcpCommand } = await import('./mcp');
    await mcpCommand(command.options);
    return;
  }
  if (command.kind === 'check-api') {
    const { checkApiCommand } = await import('./check-api');
    process.exitCode = await checkApiCommand(command.options);
    return;
  }
  await serve(command.options);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`idp-sandbox: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
