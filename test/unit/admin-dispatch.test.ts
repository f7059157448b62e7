import { describe, expect, it } from 'vitest';
import { dispatchAdmin } from '../../main/core/admin/dispatch';
import { createTestAdmin } from '../helpers/admin';

const { admin } = await createTestAdmin();

describe('dispatchAdmin', () => {
  it('rejects an unknown method', async () => {
    await expect(dispatchAdmin(admin, 'users.explode', {})).rejects.toMatchObject({ code: 'unknown_method' });
  });

  it('rejects a prototype key posing as a method', async () => {
    await expect(dispatchAdmin(admin, 'constructor', {})).rejects.toMatchObject({ code: 'unknown_method' });
  });

  it('names the bad field in invalid input', async () => {
    await expect(dispatchAdmin(admin, 'engine.info', { nope: 1 })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('engine.info'),
    });
  });
});
