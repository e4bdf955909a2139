// bhxh-id resources create|list|delete: APIs that receive JWT access tokens (RFC 9068) when named by `resource`.
import { CommandError, UsageError, type Command } from '../command.js';

export const resourcesCreate: Command = {
  name: 'resources create',
  summary: 'register (or update) a resource server',
  usage: 'bhxh-id resources create --id https://api.example.vn --scope "claims:read claims:write" [--ttl SECONDS]',
  options: { id: { type: 'string' }, scope: { type: 'string' }, ttl: { type: 'string' } },
  async run(ctx, v) {
    if (typeof v.id !== 'string' || !URL.canParse(v.id)) throw new UsageError('--id must be an absolute URI');
    const scope = typeof v.scope === 'string' ? v.scope.trim().split(/\s+/).filter(Boolean).join(' ') : '';
    const ttl = v.ttl === undefined ? 600 : Number(v.ttl);
    if (!Number.isInteger(ttl) || ttl < 60 || ttl > 86400)
      throw new UsageError('--ttl must be whole seconds between 60 and 86400');
    await ctx.resourceServers.upsert({ identifier: v.id, scope, accessTokenTtl: ttl });
    await ctx.audit.record({ type: 'resource_server.created', detail: { identifier: v.id, scope } });
    return { resource_server: await ctx.resourceServers.find(v.id) };
  },
};

export const resourcesList: Command = {
  name: 'resources list',
  summary: 'list resource servers',
  usage: 'bhxh-id resources list',
  options: {},
  async run(ctx) {
    return { resource_servers: await ctx.resourceServers.list() };
  },
};

export const resourcesDelete: Command = {
  name: 'resources delete',
  summary: 'delete a resource server',
  usage: 'bhxh-id resources delete URI',
  options: {},
  positionals: 1,
  async run(ctx, _v, [id]) {
    if (!id) throw new UsageError('name the resource server: bhxh-id resources delete URI');
    if (!(await ctx.resourceServers.delete(id))) throw new CommandError(`no resource server ${id}`);
    await ctx.audit.record({ type: 'resource_server.deleted', detail: { identifier: id } });
    return { deleted: id };
  },
};
