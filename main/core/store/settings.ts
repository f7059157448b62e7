import { DEFAULT_SETTINGS, type Settings, type SettingsPatch, SettingsSchema } from '../../../shared/schemas';
import { type Db, statement } from './database';

/** Global settings: defaults from shared/schemas.ts, overridden by what is stored. */
export class SettingsStore {
  /**
   * Settings are read on every token request, so the committed value is kept in memory. It is
   * filled only outside transactions, because a transaction that changed settings may still roll back.
   */
  private committed: Settings | null = null;

  constructor(private readonly db: Db) {}

  get(): Settings {
    if (this.committed && !this.db.inTransaction) return this.committed;
    const settings = this.read();
    if (!this.db.inTransaction) this.committed = settings;
    return settings;
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
    for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]) {
      if (key in stored) Object.assign(merged, { [key]: stored[key] });
    }
    return SettingsSchema.parse(merged);
  }

  /** Writes the changed keys; the caller runs this inside its transaction. */
  update(patch: SettingsPatch): Settings {
    this.committed = null;
    const next = SettingsSchema.parse({ ...this.get(), ...patch });
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
    this.committed = null;
    statement(this.db, 'DELETE FROM settings').run();
  }
}
