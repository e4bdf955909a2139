// Which Node.js BHXH ID runs on (src/core/node-runtime.ts): the entry points refuse an older one in one line before
// oidc-provider is loaded, and the project's own Node (the `node` devDependency, which npm scripts run), the Docker
// image's and the test runner's minimum agree.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { MINIMUM_NODE, unsupportedNode } from '../../src/core/node-runtime.js';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const major = (version: string) => Number(/(\d+)/.exec(version)![1]);

/**
 * Runs `args` on this Node made to look like `version` (and not LTS, so that oidc-provider would warn if it were
 * loaded): process.versions and process.release are patched by a module imported first.
 */
function runAs(version: string, args: string[]) {
  const patch = `Object.defineProperty(process.versions, 'node', { value: '${version}' }); Object.defineProperty(process, 'release', { value: { name: 'node' } });`;
  return spawnSync(process.execPath, [`--import=data:text/javascript,${encodeURIComponent(patch)}`, ...args], {
    cwd: root,
    encoding: 'utf8',
    // An incomplete production configuration: whatever gets past the check stops at the configuration, starting nothing.
    env: { PATH: process.env.PATH, NODE_ENV: 'production' },
    timeout: 60_000,
  });
}

describe('the Node.js BHXH ID runs on', () => {
  it('starts on 22.11 (22 LTS) and later, and names what it needs on anything older', () => {
    for (const ok of ['22.11.0', '22.20.1', '24.0.0', '24.21.0', '26.1.0'])
      assert.equal(unsupportedNode(ok), undefined, ok);
    for (const old of ['20.19.0', '20.20.2', '22.10.0', '21.7.3']) {
      const message = unsupportedNode(old)!;
      assert.ok(message.includes(`Node.js ${MINIMUM_NODE} or later`) && message.includes(`this is ${old}`), message);
      assert.ok(!message.includes('\n'), 'one line');
    }
  });

  it('runs the tests on a supported Node (bin/run-tests.mjs picks the project’s own when the system’s is older)', () => {
    assert.equal(unsupportedNode(), undefined, process.versions.node);
  });

  it('refuses an older Node at the server and the CLI in one line, before oidc-provider is loaded', () => {
    for (const args of [
      ['--import', 'tsx', 'src/main.ts'],
      ['bin/bhxh-id.js', 'keys', 'list'],
    ]) {
      const run = runAs('20.19.0', args);
      assert.equal(run.status, 1, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stdout, '');
      assert.equal(
        run.stderr,
        `error: ${unsupportedNode('20.19.0')}\n`,
        'the one line, and no "Unsupported runtime" warning',
      );
    }
    const server = runAs(MINIMUM_NODE, ['--import', 'tsx', 'src/main.ts']);
    assert.match(server.stderr, /^config error: KEYS_ENCRYPTION_KEY/m, 'on 22.11 it goes on, to the configuration');
    assert.match(server.stderr, /Unsupported runtime/, 'oidc-provider still warns off LTS: nothing is silenced');
  });

  it('has npm scripts, the Docker image and the test runner agree on the Node', () => {
    const pkg = JSON.parse(read('package.json'));
    const own = major(pkg.devDependencies.node);
    const images = [...read('Dockerfile').matchAll(/^FROM node:(\d+)-/gm)].map((m) => Number(m[1]));
    assert.ok(images.length >= 2, 'the build and runtime stages');
    assert.deepEqual(new Set(images), new Set([own]), 'the Dockerfile runs the Node that npm scripts run');
    const locked = JSON.parse(read('package-lock.json')).packages['node_modules/node'].version;
    assert.equal(major(locked), own);
    assert.ok(!unsupportedNode(locked), 'the project’s own Node is supported');
    assert.ok(read('bin/run-tests.mjs').includes(`const MINIMUM_NODE = '${MINIMUM_NODE}';`), 'run-tests agrees');
    assert.equal(pkg.allowScripts.node, true, 'npm may run the node package’s install script (it fetches the binary)');
    const projectNode = path.join(root, 'node_modules/.bin/node');
    if (fs.existsSync(projectNode)) {
      const version = spawnSync(projectNode, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
      assert.equal(version, locked, 'the installed binary is the locked version');
    }
  });
});
