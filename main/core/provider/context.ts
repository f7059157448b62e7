import { ROOT_ISSUER_ID } from '../../../shared/issuers';
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
import type { ClaimProfile } from '../tokens/profile-claims';
import { TokenService } from '../tokens/service';
import { InProcessSigner, type JwtSigner } from '../tokens/signer';
import { ClientAssertionVerifier } from './client-assertions';
import { DpopProofMemory } from './dpop-proofs';
import { FaultBoard } from './faults';
import { type EndpointPaths, type IssuerShape, rootShape } from './profiles';

/** Everything the endpoints and the admin service work with, built once per engine. */
export interface ProviderContext {
  db: Db;
  /** The request paths' writes, committed together once per event-loop turn. */
  writes: GroupCommit;
  /** Provider time (see providerClock), not the host's. */
  clock: Clock;
  /** The issuer identifier (`iss`): the engine's public origin and this issuer's path. */
  issuer(): string;
  /** The engine's public origin (or the --issuer URL): the root issuer's identifier, where paths start. */
  origin(): string;
  /**
   * Which issuer of the workspace this is, its profile, and where its endpoints answer. Renaming an
   * issuer replaces it (and the issuer's app, whose routes were made from the old paths).
   */
  shape: IssuerShape;
  /** Shorthand for shape.paths: absolute request paths on the engine's port. */
  readonly paths: EndpointPaths;
  /** The public URL of one of this issuer's endpoints (discovery, the playground, snippets). */
  endpoint(name: keyof Omit<EndpointPaths, 'discovery'>): string;
  /**
   * The sign-in session cookie's name. Every issuer of the engine shares its origin, so each has its own
   * cookie: signing in at one issuer is not a session at another.
   */
  sessionCookie: string;
  /** What this issuer's provider profile shapes claims by (tokens/profile-claims.ts). */
  claimProfile(): ClaimProfile;
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

/**
 * One issuer's context. `origin` is the engine's public origin (or the --issuer URL): the root issuer's
 * identifier, to which every other issuer appends its path.
 */
export function createProviderContext(
  db: Db,
  hostClock: Clock,
  origin: () => string,
  signer: JwtSigner = new InProcessSigner(),
  shape: IssuerShape = rootShape(),
): ProviderContext {
  // The root issuer's is the origin itself: its identifier is read on every request (the Host check).
  // Another issuer's is made again only when the origin or its path changes: one string, the same
  // object on every call, so the Host check's cache (http/host-check.ts) compares it by reference and
  // no request pays for joining and flattening a new one.
  let issuerOf = { origin: '', path: '', issuer: '' };
  const issuer =
    shape.id === ROOT_ISSUER_ID
      ? origin
      : () => {
          const from = origin();
          const path = (context as ProviderContext).shape.issuerPath;
          if (from !== issuerOf.origin || path !== issuerOf.path) {
            issuerOf = { origin: from, path, issuer: `${from}${path}` };
          }
          return issuerOf.issuer;
        };
  const settings = new SettingsStore(db);
  const clock = providerClock(hostClock, settings);
  const keys = new KeyStore(db);
  const tokens = new TokenStore(db);
  const writes = new GroupCommit(db);
  const events = new EventLog(db, clock, shape.id);
  const context: ProviderContext = {
    db,
    writes,
    clock,
    issuer,
    origin,
    shape,
    get paths() {
      return this.shape.paths;
    },
    endpoint: (name) => `${origin()}${context.shape.paths[name]}`,
    claimProfile: () => ({
      profile: context.shape.profile,
      issuer: issuer(),
      issuerName: context.shape.name,
    }),
    sessionCookie: shape.id === ROOT_ISSUER_ID ? 'idp_sandbox_session' : `idp_sandbox_session_${shape.id}`,
    settings,
    users: new UserStore(db),
    clients: new ClientStore(db),
    keys,
    tokens,
    grants: new GrantStore(db),
    codes: new CodeStore(db),
    sessions: new SessionStore(db),
    events,
    tokenService: new TokenService({
      keys,
      tokens,
      clock,
      issuer,
      settings: () => settings.get(),
      signer,
      claimProfile: () => context.claimProfile(),
    }),
    faults: new FaultBoard(clock, events, writes),
    clientAssertions: new ClientAssertionVerifier(clock),
    dpopProofs: new DpopProofMemory(clock),
  };
  return context;
}
