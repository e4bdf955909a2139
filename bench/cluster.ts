// npm run cluster -- --nodes N [--port P] [--seed-demo]
// N BHXH ID processes on the PostgreSQL database of DATABASE_URL behind a round-robin load balancer on
// http://127.0.0.1:P (the issuer of every node). Runs until SIGINT/SIGTERM, then stops everything gracefully.
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { startCluster } from './cluster-lib.js';

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(2);
}

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        nodes: { type: 'string', default: '3' },
        port: { type: 'string', default: '8080' },
        'seed-demo': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    console.log('usage: DATABASE_URL=postgres://… npm run cluster -- [--nodes N] [--port P] [--seed-demo]');
    return;
  }
  const nodes = Number(values.nodes);
  const port = Number(values.port);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 32) fail('--nodes must be a whole number from 1 to 32');
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be a port number');
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl))
    fail('DATABASE_URL=postgres://… is required: several nodes share one PostgreSQL (PGlite is a single process)');

  let key = process.env.KEYS_ENCRYPTION_KEY;
  if (!key) {
    key = crypto.randomBytes(32).toString('base64');
    console.log(
      `KEYS_ENCRYPTION_KEY was not set; generated one for this run. To start again on the same database, use:\n  export KEYS_ENCRYPTION_KEY=${key}\n`,
    );
  }
  console.log(`starting ${nodes} node${nodes > 1 ? 's' : ''}…`);
  const cluster = await startCluster({
    nodes,
    databaseUrl,
    lbPort: port,
    seedDemo: values['seed-demo'],
    env: { KEYS_ENCRYPTION_KEY: key },
    // Nodes log at warn (JSON lines) and print their banner; show both, named.
    onOutput: (node, chunk) => {
      for (const line of chunk.split('\n')) if (line.trim()) process.stdout.write(`[${node}] ${line}\n`);
    },
  });
  console.log(
    `\nload balancer: ${cluster.url}  (the issuer; discovery at ${cluster.url}/.well-known/openid-configuration)`,
  );
  for (const n of cluster.nodes) console.log(`  ${n.name}  http://127.0.0.1:${n.port}  pid ${n.pid}`);
  console.log('each answer names its node in X-Served-By. Ctrl-C stops everything.');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the nodes (finishing requests in flight)…`);
    const s = cluster.stats();
    cluster.close().then(
      () => {
        console.log(
          `stopped. ${s.requests} requests through the balancer: ${Object.entries(s.byNode)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}; retried ${s.retries}, 502 ${s.badGateway}, 503 ${s.noNode}`,
        );
        process.exit(0);
      },
      (err) => {
        console.error(`error while stopping: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
});
