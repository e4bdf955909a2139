#!/usr/bin/env node
// The operator CLI launcher: the compiled CLI when built (production image), otherwise the TypeScript sources.
// Each way loads src/core/require-supported-node first: an unsupported Node.js stops there, in one line, before
// anything else is loaded (src/core/node-runtime.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const compiled = path.join(root, 'dist/src');
const [dir, ext] = fs.existsSync(path.join(compiled, 'cli/main.js'))
  ? [compiled, 'js']
  : [path.join(root, 'src'), 'ts'];
if (ext === 'ts') {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(pathToFileURL(path.join(dir, `core/require-supported-node.${ext}`)).href);
await import(pathToFileURL(path.join(dir, `cli/main.${ext}`)).href);
