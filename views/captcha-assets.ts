// The captcha widget's files, served from our own origin so the CSP can stay at 'self': ALTCHA's CSP-friendly
// "external" build (no injected <style>, no blob: workers), its stylesheet, its SHA worker, its Vietnamese strings,
// and a small setup module of ours that registers the worker before the widget starts.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const WIDGET_ASSET_PREFIX = '/static/altcha/';

export interface WidgetAsset {
  type: 'text/javascript' | 'text/css';
  body: string;
}

/** Which file of node_modules/altcha/dist each served name is: the allow-list (nothing else there is served). */
const FROM_ALTCHA: Record<string, { file: string; type: WidgetAsset['type'] }> = {
  'altcha.js': { file: 'external/altcha.min.js', type: 'text/javascript' },
  'altcha.css': { file: 'external/altcha.css', type: 'text/css' },
  'sha-worker.js': { file: 'workers/sha.js', type: 'text/javascript' },
  'i18n-vi.js': { file: 'i18n/vi.js', type: 'text/javascript' },
};

// NOTE: the external build bundles no worker: every algorithm a challenge may name has to be registered. We only
// issue SHA-256. The strings are loaded first (that file also creates the $altcha registry), the widget last, so the
// worker is registered before any widget can start solving. Written without top-level await for older phones.
const SETUP_TEMPLATE = `// BHXH ID: loads the ALTCHA widget, its SHA-256 worker and Vietnamese strings, all from this origin.
import '${WIDGET_ASSET_PREFIX}i18n-vi.js?v=@V';
globalThis.$altcha.algorithms.set('SHA-256', () => new Worker('${WIDGET_ASSET_PREFIX}sha-worker.js?v=@V'));
import('${WIDGET_ASSET_PREFIX}altcha.js?v=@V');
`;

let loaded: { version: string; assets: Map<string, WidgetAsset> } | undefined;

/** Reads the files once; the version is a hash of everything served, so a new release gets new URLs. */
function load() {
  if (loaded) return loaded;
  // 'altcha/altcha.css' is one of the few entries the package exports for require(); the other files sit beside it.
  const dist = path.dirname(path.dirname(createRequire(import.meta.url).resolve('altcha/altcha.css')));
  const assets = new Map<string, WidgetAsset>();
  const hash = crypto.createHash('sha256').update(SETUP_TEMPLATE);
  for (const [name, { file, type }] of Object.entries(FROM_ALTCHA)) {
    const body = fs.readFileSync(path.join(dist, file), 'utf8');
    hash.update(name).update(body);
    assets.set(name, { type, body });
  }
  const version = hash.digest('hex').slice(0, 12);
  assets.set('setup.js', { type: 'text/javascript', body: SETUP_TEMPLATE.replaceAll('@V', version) });
  loaded = { version, assets };
  return loaded;
}

/** The served file by name, or undefined for anything not on the allow-list. */
export function widgetAsset(name: string): WidgetAsset | undefined {
  return load().assets.get(name);
}

/** True when the URL asked for this exact release (such a response may be cached for good). */
export function isCurrentVersion(v: unknown): boolean {
  return v === load().version;
}

/** The URL a page should use for a widget file: 'setup.js' (the module to load) or 'altcha.css'. */
export function widgetAssetUrl(name: 'setup.js' | 'altcha.css'): string {
  return `${WIDGET_ASSET_PREFIX}${name}?v=${load().version}`;
}
