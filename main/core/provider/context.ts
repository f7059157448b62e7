import type { Clock } from '../lib/clock';
import { ClientStore } from '../store/clients';
import { CodeStore } from '../store/codes';
import type { Db } from '../store/database';
import { EventLog } from '../store/events';
import { GrantStore } from '../store/grants';
import { GroupCommit } from '../store/group-commit';
import { KeyStore } from '../store/keys';
import { SessionStore } from '../store/sessions';
import { SettingsStore } from '../store/settings';
import { TokenStore } from '../store/tokens';
import { UserStore } from '../store/users';
import { TokenService } from '../tokens/service';
import { InProcessSigner, type JwtSigner } from '../tokens/signer';
import { ClientAssertionVerifier } from './client-assertions';
import { DpopProofMemory } from './dpop-proofs';
import { FaultBoard } from './faults';

/** Everything the endpoints and the admin service work with, built once per engine. */
export interface ProviderContext {
  db: Db;
  /** The request paths' writes, committed together once per event-loop turn. */
  writes: GroupCommit;
  /** Provider time (see providerClock), not the host's. */
  clock: Clock;
  issuer(): string;
  settings: SettingsStore;
  users: UserStore;
  clients: ClientStore;
  keys: KeyStore;
  tokens: TokenStore;
  grants: GrantStore;
  codes: CodeStore;
  sessions: SessionStore;
  events: EventLog;
  tokenService: TokenService;
  /** Faults on demand (QA lab): in memory only, off at every start. */
  faults: FaultBoard;
  /** private_key_jwt / client_secret_jwt: the jti replay cache and fetched jwks_uri sets, in memory. */
  clientAssertions: ClientAssertionVerifier;
  /** RFC 9449 DPoP: the jti replay cache of accepted proofs and the DPoP-Nonce secret, in memory. */
  dpopProofs: DpopProofMemory;
}

/**
 * Provider time: the host's clock moved by the workspace's clock offset (Settings → provider time).
 * Every part of the engine reads time through it, so a jump moves expiry, lifetimes and retention alike.
 * The settings are cached in memory (store/committed-cache.ts), so this costs a property read.
 */
export function providerClock(base: Clock, settings: SettingsStore): Clock {
  return { now: () => base.now() + settings.get().clock_offset_seconds * 1000 };
}

export function createProviderContext(
  db: Db,
  hostClock: Clock,
  issuer: () => string,
  signer: JwtSigner = new InProcessSigner(),
): ProviderContext {
  const settings = new SettingsStore(db);
  const clock = providerClock(hostClock, settings);
  const keys = new KeyStore(db);
  const tokens = new TokenStore(db);
  const writes = new GroupCommit(db);
  const events = new EventLog(db, clock);
  return {
    db,
    writes,
    clock,
    issuer,
    settings,
    users: new UserStore(db),
    clients: new ClientStore(db),
    keys,
    tokens,
    grants: new GrantStore(db),
    codes: new CodeStore(db),
    sessions: new SessionStore(db),
    events,
    tokenService: new TokenService({ keys, tokens, clock, issuer, settings: () => settings.get(), signer }),
    faults: new FaultBoard(clock, events, writes),
    clientAssertions: new ClientAssertionVerifier(clock),
    dpopProofs: new DpopProofMemory(clock),
  };
}
