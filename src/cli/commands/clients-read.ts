// bhxh-id clients list|show|delete.
import { CommandError, UsageError, type Command } from '../command.js';

export const clientsList: Command = {
  name: 'clients list',
  summary: 'list clients (without secrets)',
  usage: 'bhxh-id clients list',
  options: {},
  async run(ctx) {
    const clients = await ctx.clients.list();
    return {
      clients: clients.map((c) => ({
        ...c.metadata,
        first_party: c.firstParty,
        admin: c.admin,
        created_at: c.createdAt,
      })),
    };
  },
};

export const clientsShow: Command = {
  name: 'clients show',
  summary: 'show one client (without its secret)',
  usage: 'bhxh-id clients show CLIENT_ID',
  options: {},
  positionals: 1,
  async run(ctx, _v, [clientId]) {
    if (!clientId) throw new UsageError('name the client: bhxh-id clients show CLIENT_ID');
    const client = await ctx.clients.find(clientId);
    if (!client) throw new CommandError(`no client ${clientId}`);
    return {
      client: { ...client.metadata, first_party: client.firstParty, admin: client.admin, created_at: client.createdAt },
    };
  },
};

export const clientsDelete: Command = {
  name: 'clients delete',
  summary: 'delete a client',
  usage: 'bhxh-id clients delete CLIENT_ID',
  options: {},
  positionals: 1,
  async run(ctx, _v, [clientId]) {
    if (!clientId) throw new UsageError('name the client: bhxh-id clients delete CLIENT_ID');
    if (!(await ctx.clients.delete(clientId))) throw new CommandError(`no client ${clientId}`);
    await ctx.audit.record({ type: 'client.deleted', clientId, detail: { via: 'cli' } });
    return { deleted: clientId };
  },
};
