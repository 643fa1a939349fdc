import { describe, expect, it } from 'vitest';
import { StubDriver } from '../../test/helpers/tiny.js';
import { createDriver, knownDriverNames, registerDriver, UnknownDriverError, unregisterDriver } from './registry.js';

describe('driver registry', () => {
  it('knows the reference driver', () => {
    expect(knownDriverNames()).toContain('reference');
  });
  it('an unknown name is a clear error listing the known names', async () => {
    await expect(createDriver('nope')).rejects.toThrow(UnknownDriverError);
    await expect(createDriver('nope')).rejects.toThrow(/unknown driver 'nope'; known drivers: .*reference/);
    await expect(createDriver('toString')).rejects.toThrow(UnknownDriverError);
    await expect(createDriver('mutant:doesnotexist-xyz')).rejects.toThrow();
  });
  it('drivers can be registered at run time', async () => {
    registerDriver('stub-for-test', async () => new StubDriver('stub-for-test'));
    try {
      expect((await createDriver('stub-for-test')).name).toBe('stub-for-test');
      expect(knownDriverNames()).toContain('stub-for-test');
    } finally {
      unregisterDriver('stub-for-test');
    }
  });
});
