import { DEFAULT_SETTINGS, type Settings, type SettingsPatch, SettingsSchema } from '../../../shared/schemas';
import type { Db } from './database';

/** Global settings: defaults from shared/schemas.ts, overridden by what is stored. */
export class SettingsStore {
  constructor(private readonly db: Db) {}

  get(): Settings {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
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
    const next = SettingsSchema.parse({ ...this.get(), ...patch });
    const upsert = this.db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) upsert.run(key, JSON.stringify(value));
    }
    return next;
  }

  reset(): void {
    this.db.prepare('DELETE FROM settings').run();
  }
}
