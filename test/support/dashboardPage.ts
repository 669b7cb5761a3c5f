import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';

/** axe-core's browser build, evaluated in the page by the DevTools protocol (the page's CSP allows no injected script). */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface DashboardPage {
  page: Page;
  /** Every URL the page requested that is not on the server's own origin. */
  foreignRequests: string[];
  /** Uncaught errors of the page. */
  errors: string[];
  /** Requests the server answered with a 5xx. */
  serverErrors: string[];
  /** The answers to the page's subscriptions to the admin event stream (status and content type). */
  eventStreams: string[];
}

/** A fresh page of the dashboard at `hash` (e.g. `#/journal`), at a desktop width unless told. */
export async function openDashboard(
  browser: Browser,
  baseUrl: string,
  hash = '',
  viewport = { width: 1280, height: 900 },
): Promise<DashboardPage> {
  const page = await browser.newPage({ viewport });
  const origin = new URL(baseUrl).origin;
  const foreignRequests: string[] = [];
  const errors: string[] = [];
  const serverErrors: string[] = [];
  const eventStreams: string[] = [];
  page.on('response', (response) => {
    if (response.status() >= 500) serverErrors.push(`${response.status()} ${response.url()}`);
    if (new URL(response.url()).pathname === '/__admin/events') {
      eventStreams.push(`${response.status()} ${response.headers()['content-type']}`);
    }
  });
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:')) {
      foreignRequests.push(url);
    }
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${baseUrl}/ui${hash}`, { timeout: 20_000 });
  return { page, foreignRequests, errors, serverErrors, eventStreams };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<AxeResults> } }).axe;
    const results = await axe.run(document);
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((node) => node.target.join(' ')),
    }));
    interface AxeResults {
      violations: Array<{
        id: string;
        impact: string | null;
        help: string;
        nodes: Array<{ target: string[] }>;
      }>;
    }
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));
const SCRATCH = fileURLToPath(new URL('../../tmp/screenshots/', import.meta.url));

/**
 * A full-page screenshot for the README: into docs/ when UPDATE_SCREENSHOTS=1 (`npm run
 * screenshots`), otherwise into tmp/screenshots/ so a test run leaves the committed ones alone.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = process.env.UPDATE_SCREENSHOTS ? DOCS : SCRATCH;
  mkdirSync(dir, { recursive: true });
  const path = `${dir}${name}.png`;
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}
