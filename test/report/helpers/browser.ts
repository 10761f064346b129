import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core, with no network: every request that is not the
 * page's own file is aborted and recorded, so a test can assert that a page asked for nothing.
 */
export const CHROMIUM = '/usr/bin/chromium';

export const haveChromium = (): boolean => existsSync(CHROMIUM);

export interface OpenedPage {
  page: Page;
  consoleErrors: string[];
  /** Every request other than file: and data: URLs (all of them aborted). */
  network: string[];
}

export interface Browser {
  open(file: string, opts?: { colorScheme?: 'light' | 'dark' }): Promise<OpenedPage>;
  close(): Promise<void>;
}

export async function launchBrowser(colorScheme: 'light' | 'dark' = 'light'): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'streamtop-chromium-'));
  const ctx: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    offline: true,
    colorScheme,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const network: string[] = [];
  await ctx.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    network.push(url);
    return route.abort();
  });
  return {
    async open(file) {
      const page = await ctx.newPage();
      const consoleErrors: string[] = [];
      const pageNetwork: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => consoleErrors.push(e.message));
      page.on('request', (r) => {
        const url = r.url();
        if (!url.startsWith('file:') && !url.startsWith('data:')) pageNetwork.push(url);
      });
      await page.goto(`file://${file}`, { waitUntil: 'load' });
      return { page, consoleErrors, network: pageNetwork.concat(network) };
    },
    async close() {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * How much of each chart is painted: canvases by their non-transparent pixels, SVGs by their marks.
 * Runs in the page (as a string: the project type-checks without the DOM library).
 */
const INK_SCRIPT = `(() => {
  const out = [];
  for (const el of document.querySelectorAll('[data-chart]')) {
    const canvas = el.querySelector('canvas');
    let painted = 0;
    if (canvas && canvas.width > 0 && canvas.height > 0) {
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
    }
    out.push({ id: el.getAttribute('data-chart'), kind: 'canvas', painted });
  }
  for (const svg of document.querySelectorAll('svg.svg-chart')) {
    const box = svg.getBoundingClientRect();
    out.push({ id: svg.id, kind: 'svg', painted: box.width > 0 && box.height > 0 ? svg.querySelectorAll('rect, path, circle').length : 0 });
  }
  return out;
})()`;

/** `painted`: non-transparent pixels of a canvas, or marks (rect, path, circle) of an SVG. */
export interface ChartInk {
  id: string;
  kind: 'canvas' | 'svg';
  painted: number;
}

export async function chartInk(page: Page): Promise<ChartInk[]> {
  return (await page.evaluate(INK_SCRIPT)) as ChartInk[];
}
