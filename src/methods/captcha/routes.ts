// The captcha's HTTP side: fresh challenges for the widget, and the widget's own files from our origin.
import type Router from '@koa/router';
import type { Captcha } from './captcha.js';
import { isCurrentVersion, widgetAsset, WIDGET_ASSET_PREFIX } from '../../../views/captcha-assets.js';

export function registerCaptchaRoutes(router: Router, captcha: Pick<Captcha, 'challenge'>) {
  router.get('/captcha/challenge', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await captcha.challenge();
  });

  router.get(`${WIDGET_ASSET_PREFIX}:file`, (ctx) => {
    const asset = widgetAsset(ctx.params.file ?? '');
    if (!asset) {
      ctx.status = 404; // nothing else under node_modules is reachable
      return;
    }
    ctx.type = asset.type;
    // Versioned URLs (the ones our pages use) never change; an unversioned or stale one is cached briefly.
    ctx.set(
      'Cache-Control',
      isCurrentVersion(ctx.query.v) ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
    );
    ctx.body = asset.body;
  });
}
