import assert from 'node:assert/strict';
import { UsageError } from '../../src/shared/usage-error.ts';

/** The message of the UsageError `fn` throws; fails the test when it throws anything else or nothing. */
export function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof UsageError, `a UsageError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected a UsageError');
}
