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

/** Everything the endpoints and the admin service work with, built once per engine. */
export interface ProviderContext {
  db: Db;
  /** The request paths' writes, committed together once per event-loop turn. */
  writes: GroupCommit;
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
}

export function createProviderContext(
  db: Db,
  clock: Clock,
  issuer: () => string,
  signer: JwtSigner = new InProcessSigner(),
): ProviderContext {
  const settings = new SettingsStore(db);
  const keys = new KeyStore(db);
  const tokens = new TokenStore(db);
  return {
    db,
    writes: new GroupCommit(db),
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
    events: new EventLog(db, clock),
    tokenService: new TokenService({ keys, tokens, clock, issuer, settings: () => settings.get(), signer }),
  };
}
