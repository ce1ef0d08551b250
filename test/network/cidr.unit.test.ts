/** IP matching for allow and block lists, IPv4 and IPv6, and who the client is behind proxies. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CidrSet, canonicalCidr, isValidCidr, normalizeIp } from '../../src/network/cidr.ts';
import { createClientIpResolver } from '../../src/network/client-ip.ts';

describe('CIDR sets', () => {
  const set = new CidrSet(['203.0.113.0/24', '2001:db8::/32', '198.51.100.7']);
  const table: [string, boolean][] = [
    ['203.0.113.9', true],
    ['203.0.114.1', false],
    ['::ffff:203.0.113.9', true], // IPv4-mapped IPv6 matches its IPv4 rule
    ['2001:db8:1::5', true],
    ['2001:db9::1', false],
    ['198.51.100.7', true],
    ['198.51.100.8', false],
  ];
  for (const [ip, expected] of table) {
    it(`${expected ? 'matches' : 'does not match'} ${ip}`, () => {
      assert.equal(set.has(normalizeIp(ip)!), expected);
    });
  }

  it('normalizes the same way the second time a text is seen (answers are remembered), invalid ones included', () => {
    for (let round = 0; round < 2; round++) {
      assert.equal(normalizeIp('::ffff:203.0.113.9'), '203.0.113.9');
      assert.equal(normalizeIp('[2001:db8::1]'), '2001:db8::1');
      assert.equal(normalizeIp('not-an-ip'), undefined);
    }
    // More distinct texts than the memory holds: still right afterwards.
    for (let i = 0; i < 5000; i++) normalizeIp(`10.${(i >> 8) & 255}.${i & 255}.1`);
    assert.equal(normalizeIp('::ffff:203.0.113.9'), '203.0.113.9');
    assert.equal(normalizeIp('300.1.1.1'), undefined);
  });

  it('rejects what is not an address or range', () => {
    for (const bad of ['', '10.0.0.0/33', '300.1.1.1', 'example.com', '2001:db8::/129', '1.2.3.4/']) assert.equal(isValidCidr(bad), false, bad);
    assert.equal(canonicalCidr('203.0.113.7'), '203.0.113.7/32');
  });
});

describe('client IP', () => {
  it('uses the socket address when no proxy is trusted, whatever X-Forwarded-For says', () => {
    const resolve = createClientIpResolver([]);
    assert.equal(resolve('127.0.0.1', '203.0.113.5'), '127.0.0.1');
  });

  it('believes X-Forwarded-For from a trusted proxy, taking the right-most untrusted hop', () => {
    const resolve = createClientIpResolver(['127.0.0.1', '10.0.0.0/8']);
    assert.equal(resolve('::ffff:127.0.0.1', '198.51.100.1, 203.0.113.5, 10.1.2.3'), '203.0.113.5');
  });

  it('ignores X-Forwarded-For from an untrusted peer', () => {
    const resolve = createClientIpResolver(['10.0.0.0/8']);
    assert.equal(resolve('192.0.2.1', '203.0.113.5'), '192.0.2.1');
  });

  it('stops believing the header at a malformed hop', () => {
    const resolve = createClientIpResolver(['127.0.0.1']);
    assert.equal(resolve('127.0.0.1', 'not-an-ip'), '127.0.0.1');
  });
});
