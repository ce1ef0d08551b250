/** A Secret shows only the marker to everything that turns it into text; reveal() is the one way in. */
import assert from 'node:assert/strict';
import { format, inspect } from 'node:util';
import { describe, it } from 'node:test';
import { REDACTED, Secret } from '../../src/shared/secret.ts';
import { REDACTED as LOG_REDACTED } from '../../src/telemetry/redact.ts';

const VALUE = 'jrv_live_0123456789abcdef-secret';

describe('Secret', () => {
  const secret = new Secret(VALUE);

  it('gives its value to reveal() only', () => {
    assert.equal(secret.reveal(), VALUE);
  });

  const views: [string, () => string][] = [
    ['JSON.stringify', () => JSON.stringify(secret)],
    ['JSON.stringify of an object holding it', () => JSON.stringify({ nested: { secret } })],
    ['util.inspect', () => inspect(secret)],
    ['util.inspect with hidden fields to any depth', () => inspect({ nested: { secret } }, { depth: Infinity, showHidden: true })],
    ['console-style formatting (%s %o %O %j)', () => format('%s %o %O %j', secret, secret, { secret }, { secret })],
    ['String()', () => String(secret)],
    ['a template literal', () => `key=${secret}`],
    ['concatenation', () => 'key=' + (secret as unknown as string)],
    ['an error message', () => new Error(`bad key ${secret}`).message],
    ['spread', () => JSON.stringify({ ...secret })],
    ['Object.keys and Object.entries', () => JSON.stringify([Object.keys(secret), Object.entries(secret), Object.getOwnPropertyNames(secret)])],
  ];
  for (const [name, view] of views) {
    it(`shows no value through ${name}`, () => {
      const text = view();
      assert.ok(!text.includes(VALUE), `leaked: ${text}`);
    });
  }

  it('reads as the same marker as a censored log field', () => {
    assert.equal(String(secret), REDACTED);
    assert.equal(JSON.stringify(secret), JSON.stringify(REDACTED));
    assert.equal(inspect(secret), REDACTED);
    assert.equal(REDACTED, LOG_REDACTED);
  });

  it('has no enumerable own property to copy: a spread is an empty object', () => {
    assert.deepEqual({ ...secret }, {});
    assert.deepEqual(Object.entries(secret), []);
  });

  it('loses its value, and reveal(), through structuredClone (so no configuration is cloned across threads)', () => {
    const copy = structuredClone(secret) as unknown;
    assert.deepEqual(copy, {});
    assert.equal(typeof (copy as { reveal?: unknown }).reveal, 'undefined');
  });

  it('still reveals its value once frozen, as the configuration freezes it', () => {
    const frozen = Object.freeze(new Secret(VALUE));
    assert.equal(frozen.reveal(), VALUE);
  });
});
