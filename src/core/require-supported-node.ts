// Imported first by each entry point (src/main.ts, the CLI launcher bin/bhxh-id.js, the VNeID simulator's main):
// on a Node.js that BHXH ID does not support it stops at once with one line, before oidc-provider or anything else is
// loaded. A module of its own because ES modules are evaluated in import order: this one runs before the others.
import { unsupportedNode } from './node-runtime.js';

const problem = unsupportedNode();
if (problem) {
  console.error(`error: ${problem}`);
  process.exit(1);
}
