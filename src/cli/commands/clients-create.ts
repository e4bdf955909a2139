// bhxh-id clients create: registers a relying party from RFC 7591 metadata; a generated secret is shown once.
// `--admin` is the only way a client becomes an admin client (src/security/scope-policy.ts says what that needs).
import fs from 'node:fs';
import type { ClientMetadata } from 'oidc-provider';
import { ClientExistsError, needsSecret } from '../../clients/client-repository.js';
import { ensureActiveKeys, loadProviderKeys } from '../../keys/key-store.js';
import { checkRegistration } from '../../security/scope-policy.js';
import { CommandError, UsageError, type Command } from '../command.js';
import type { CliContext } from '../../app/cli-context.js';

/** Runs the metadata through oidc-provider's own client schema, so an operator learns of a mistake now. */
async function validateMetadata(ctx: CliContext, metadata: ClientMetadata): Promise<void> {
  // Loaded here only: oidc-provider is heavy and warns on Node 20 at import.
  const { buildProvider } = await import('../../oidc/provider.js');
  await ensureActiveKeys(ctx.db, ctx.sealer);
  const provider = buildProvider({
    config: ctx.config,
    storage: await ctx.providerStorage(ctx.clients),
    keys: await loadProviderKeys(ctx.db, ctx.sealer),
    accounts: { findForProvider: (id) => ctx.accounts.findById(id) },
    resourceServers: ctx.resourceServers,
    logger: ctx.logger,
  });
  try {
    await provider.Client.validate(metadata);
  } catch (err) {
    const e = err as { error?: string; error_description?: string; message: string };
    throw new CommandError(`invalid client metadata: ${e.error_description ?? e.message}`);
  }
}

export const clientsCreate: Command = {
  name: 'clients create',
  summary: 'register a client from RFC 7591 metadata JSON',
  usage: 'bhxh-id clients create --file metadata.json [--first-party] [--admin]   (use --file - for standard input)',
  options: { file: { type: 'string' }, 'first-party': { type: 'boolean' }, admin: { type: 'boolean' } },
  async run(ctx, v) {
    if (typeof v.file !== 'string') throw new UsageError('--file is required');
    let text: string;
    try {
      text = v.file === '-' ? await ctx.readStdin() : fs.readFileSync(v.file, 'utf8');
    } catch (err) {
      throw new CommandError(`cannot read ${v.file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    let metadata: ClientMetadata;
    try {
      metadata = JSON.parse(text) as ClientMetadata;
    } catch {
      throw new CommandError(`${v.file} is not valid JSON`);
    }
    if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata))
      throw new CommandError('the metadata must be a JSON object');
    if (typeof metadata.client_id !== 'string' || !/^[A-Za-z0-9._~-]{1,100}$/.test(metadata.client_id)) {
      throw new CommandError('client_id is required: letters, digits, ".", "_", "~" or "-"');
    }
    if ('first_party' in metadata) throw new CommandError('first_party is set with --first-party, not in the metadata');
    const firstParty = Boolean(v['first-party']);
    const admin = Boolean(v.admin);
    const checked = checkRegistration(metadata, { admin });
    if ('problems' in checked) throw new CommandError(checked.problems.join('; '));
    metadata = checked.metadata;
    await validateMetadata(ctx, {
      ...metadata,
      first_party: firstParty,
      admin,
      ...(needsSecret(metadata) && !metadata.client_secret ? { client_secret: 'x'.repeat(43) } : {}),
    });
    try {
      const { clientId, clientSecret } = await ctx.clients.create(metadata, { firstParty, admin });
      await ctx.audit.record({
        type: 'client.created',
        clientId,
        detail: { via: 'cli', first_party: firstParty, admin },
      });
      const stored = (await ctx.clients.find(clientId))!;
      // NOTE: the secret is printed once, here; it is stored sealed and never shown again.
      return {
        client: { ...stored.metadata, first_party: firstParty, admin },
        ...(clientSecret ? { client_secret: clientSecret } : {}),
      };
    } catch (err) {
      if (err instanceof ClientExistsError) throw new CommandError(err.message);
      throw err;
    }
  },
};
