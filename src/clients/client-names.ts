// The name a member reads for an app (the activity list, the data download): the registered `client_name`, the
// account page by its own name in the page's language, else the client id (an app deleted since).
import type { Translate } from '../core/i18n.js';
import { ACCOUNT_CLIENT_ID } from './built-in-clients.js';
import type { ClientRepository } from './client-repository.js';

/** Looks up each client once and returns a function naming any of them. */
export async function appNamer(
  clients: Pick<ClientRepository, 'find'>,
  clientIds: Iterable<string | null | undefined>,
  t: Translate,
): Promise<(clientId: string) => string> {
  const names = new Map<string, string>();
  for (const id of new Set(clientIds)) {
    if (!id || id === ACCOUNT_CLIENT_ID) continue;
    const name = (await clients.find(id))?.metadata.client_name;
    if (typeof name === 'string' && name.trim()) names.set(id, name.trim());
  }
  return (clientId) =>
    clientId === ACCOUNT_CLIENT_ID ? t('account.activity.app.account_page') : (names.get(clientId) ?? clientId);
}
