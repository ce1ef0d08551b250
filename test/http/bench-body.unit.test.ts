/**
 * `npm run bench` compares Jarvis's GET /status with bare Koa and raw node:http serving a fixed
 * body. The comparison is only fair while that body has the shape of the real one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STATUS_BODY } from '../../bench/servers/body.ts';
import { StatusResponse } from '../../src/http/routes/system.ts';

test("the benchmark baselines serve a body of /status's shape, field for field", () => {
  const parsed = StatusResponse.strict().parse(JSON.parse(STATUS_BODY));
  assert.deepEqual(Object.keys(parsed).sort(), Object.keys(StatusResponse.shape).sort());
});
