import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../main/core/store/migrations';

/**
 * SHA-256 of each released migration's exact SQL text, in order. A database that already ran a
 * migration never runs it again, so an edited one would leave old and new installs with different
 * schemas under the same `user_version`. Append a line when a migration is added; never change one.
 */
const RELEASED_MIGRATION_HASHES: readonly string[] = [
  /* 1 */ 'e5ad940817fff47bc27663a7754931d56aeaaee0fec6d9126b3a9cba5a0bee7e',
  /* 2 */ 'e458943c94b0960503b6bc35b0b20eefa09a3fe2c372ce3247f8d2db998099af',
  /* 3 */ 'ed6b6bdc6cbb5c2a3b40740e96ce69b926f960bcc9655d8321a2caed11311ca6',
  /* 4 */ 'cad8a476f29a6c0b970f3dfb749899cc213661b4b93a48fc5cf7cf851dd6d390',
  /* 5 */ '453069f114d2ad4438cf048ea5b4766c5d64cd9fa82bcf4c8b2f96195d928db3',
  /* 6 */ '4ae96e17052a9af2c94a0a898f1bc1c53c418adbf141dbcae3dfe62aec22e063',
  /* 7 */ '44610ff553ab647604b47a70ef9c204c78780eed55a7af75cdfe7d13a02490c7',
  /* 8 */ '9ddcafb5caf83102b71df79db22285ec40f0b96593102d8b5610b60ac9ed7df8',
  /* 9 */ '1cb363375a0af4f5851c9efe707b45df2b6e3fb7f3cb63d0ed8be4c757bba602',
  /* 10 */ '0a3d1dbc1bcbdad774577f68c2949967f510ecf60c4cc049b37bff49b00990bf',
  /* 11 */ 'bed53607a67b675ad2bce72b1377562aea9516338cc9b82fc56c820880f78c10',
];

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('released migrations', () => {
  it.each(RELEASED_MIGRATION_HASHES.map((hash, index) => [index + 1, hash] as const))(
    'migration %i is unchanged',
    (version, pinned) => {
      const sql = migrations[version - 1];
      if (sql === undefined) {
        throw new Error(`migration ${version} was removed after release: migrations are never removed.`);
      }
      if (sha256(sql) !== pinned) {
        throw new Error(
          `migration ${version} changed after release: never edit a released migration; add a new one.`,
        );
      }
    },
  );

  it('pins every migration', () => {
    const unpinned = migrations
      .slice(RELEASED_MIGRATION_HASHES.length)
      .map((sql, index) => `/* ${RELEASED_MIGRATION_HASHES.length + index + 1} */ '${sha256(sql)}',`);
    expect(unpinned, 'add these lines to RELEASED_MIGRATION_HASHES').toEqual([]);
  });
});
