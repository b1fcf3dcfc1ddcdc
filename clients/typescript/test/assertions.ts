/** How the tests take a failed call apart: the error a promise rejects with. */

import assert from 'node:assert/strict';

import { ALMAError } from 'alma-memory';

/** What a promise rejects with (failing the test when it resolves). */
export async function rejectionReason(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to fail');
}

/** The error a promise rejects with, as an ALMAError (failing the test when it resolves or throws another). */
export async function rejection(promise: Promise<unknown>): Promise<ALMAError> {
  const error = await rejectionReason(promise);
  assert.ok(error instanceof ALMAError, `expected an ALMAError, got ${String(error)}`);
  return error;
}
