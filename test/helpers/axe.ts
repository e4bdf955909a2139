// axe-core (the accessibility engine) on a playwright page: the WCAG 2.0/2.1 A and AA rules and axe's best practices,
// and the violations whose impact is serious or critical, written so that an assertion message says what to fix.
//
// How axe gets into the page: our CSP (script-src 'self', src/http/security-headers.ts) refuses inline scripts, so
// playwright's `addScriptTag({ content })` would be blocked (and reported as a CSP violation, which the gallery counts
// as a problem). `page.evaluate(source)` runs axe's source through the DevTools protocol (Runtime.evaluate), which
// the page's CSP does not govern; the page itself, its headers and its own scripts stay exactly as served, and no
// context needs `bypassCSP`. The source is axe's minified build (650 kB, not the 1.5 MB of `axe.source`): it goes in
// again after every navigation, and parsing it is most of an axe check's time.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type axe from 'axe-core';
import type { Page } from 'playwright-core';

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The rule sets the issue names: WCAG 2.0 and 2.1, levels A and AA, and axe's best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] as const;

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  helpUrl: string;
  /** Each failing node: its CSS selector and axe's summary of what is wrong there. */
  nodes: Array<{ target: string; summary: string }>;
}

type InPage = {
  axe?: {
    run(context: unknown, options: unknown): Promise<{ violations: axe.Result[] }>;
  };
  document: unknown;
};

/** Runs axe on the page as it is now and returns the serious and critical violations (none is the goal). */
export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  const loaded = await page.evaluate(() => Boolean((globalThis as unknown as InPage).axe));
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(
    async (tags) => {
      const g = globalThis as unknown as InPage;
      const result = await g.axe!.run(g.document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
      });
      return result.violations;
    },
    [...AXE_TAGS],
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact ?? '',
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.map((part) => (Array.isArray(part) ? part.join(' >>> ') : String(part))).join(' '),
        summary: (n.failureSummary ?? '').replace(/\s+/g, ' ').trim(),
      })),
    }));
}

/** One readable block per violation: `[serious] color-contrast: help (url)` then each target and why. */
export function formatViolations(findings: AxeFinding[]): string {
  return findings
    .map(
      (f) =>
        `[${f.impact}] ${f.id}: ${f.help} (${f.helpUrl})\n${f.nodes.map((n) => `    ${n.target} — ${n.summary}`).join('\n')}`,
    )
    .join('\n');
}

/** The page's serious and critical violations as one message, or '' when there are none. */
export async function axeProblems(page: Page, name: string): Promise<string> {
  const findings = await seriousViolations(page);
  return findings.length
    ? `${name}: ${findings.length} serious/critical axe violation(s)\n${formatViolations(findings)}`
    : '';
}
