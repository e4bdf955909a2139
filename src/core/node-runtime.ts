// Which Node.js BHXH ID runs on. oidc-provider 9 supports Node.js 22 LTS and the LTS lines after it, and warns
// "Unsupported runtime" when it is loaded on anything else; we require at least the first 22 LTS release and refuse an
// older Node in one line before anything is loaded (src/core/require-supported-node.ts), rather than run on one the
// library does not support. The Docker image and CI run Node 24, and so do `npm start`, `npm test` and `npx bhxh-id`
// on any machine: the `node` devDependency (Node 24 from the npm registry) comes first on the PATH of npm scripts,
// whatever the system's Node is (README, "Supported Node.js"). A newer odd release (25, …) runs, and oidc-provider
// says it is not LTS: we silence nothing.

/** The oldest Node.js BHXH ID starts on (22 LTS "Jod", the line oidc-provider 9 asks for). */
export const MINIMUM_NODE = '22.11.0';

/** Why this Node.js cannot run BHXH ID, in one line; undefined when it can. */
export function unsupportedNode(version: string = process.versions.node): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [minMajor = 0, minMinor = 0] = MINIMUM_NODE.split('.').map(Number);
  if (major > minMajor || (major === minMajor && minor >= minMinor)) return undefined;
  return (
    `BHXH ID needs Node.js ${MINIMUM_NODE} or later (the Docker image and CI run 24); this is ${version}. ` +
    "npm start, npm test and npx bhxh-id use the project's own Node 24 once npm install has run; otherwise install " +
    'Node.js 24'
  );
}
