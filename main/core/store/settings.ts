import { DEFAULT_SETTINGS, type Settings, type SettingsPatch, SettingsSchema } from '../../../shared/schemas';
import { CommittedCache } from './committed-cache';
import { type Db, statement } from './database';

/** Global settings: defaults from shared/schemas.ts, overridden by what is stored. */
export class SettingsStore {
  /** Settings are read on every token request. */
  private readonly cache: CommittedCache<Settings>;

  constructor(private readonly db: Db) {
    this.cache = new CommittedCache(db, () => this.read());
  }

  get(): Settings {
    return this.cache.get();
  }

  private read(): Settings {
    const rows = statement(this.db, 'SELECT key, value FROM settings').all() as {
      key: string;
      value: string;
    }[];
    const stored: Record<string, unknown> = {};
    for (const row of rows) stored[row.key] = JSON.parse(row.value);
    // Unknown keys (from a newer version) are ignored rather than failing start-up.
    const merged = { ...DEFAULT_SETTINGS };
    // Every known key, with a default or optional (scope_claims: absent until set).
    for (const key of Object.keys(SettingsSchema.shape) as (keyof Settings)[]) {
      if (key in stored) Object.assign(merged, { [key]: stored[key] });
    }
    return SettingsSchema.parse(merged);
  }

  /** Writes the changed keys; the caller runs this inside its transaction. */
  update(patch: SettingsPatch): Settings {
    const next = SettingsSchema.parse({ ...this.get(), ...patch });
    this.cache.invalidate();
    const upsert = statement(
      this.db,
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) upsert.run(key, JSON.stringify(value));
    }
    return next;
  }

  reset(): void {
    this.cache.invalidate();
    statement(this.db, 'DELETE FROM settings').run();
  }
}
