// Shared by the browser suite (tests/browser/*.test.mjs): where the service and the browser
// are, the demo plan's pages and dates, and the reads every test file needs — starting
// Debian's Chromium through puppeteer-core, running axe-core in a page, reading the KPIs'
// machine-readable values, and describing an element in a failure message.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..', '..');

/** The running service, e.g. http://127.0.0.1:40123 (run.sh starts one with --demo). */
export const BASE_URL = requiredEnv('VEIKART_URL').replace(/\/+$/, '');
/** Debian's browser; puppeteer-core never downloads one. */
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
/** Screenshots and PDFs: kept by CI, under target/ so a clean clone ignores them. */
export const OUT_DIR = resolve(REPO_ROOT, process.env.VEIKART_BROWSER_OUT || 'target/browser');
mkdirSync(OUT_DIR, { recursive: true });

export const ORG = 'innovasjon-gardermoen';
export const PLAN_ID = 1;
/** The demo plan's KPIs: 1a–5a in the focus areas, S1–S5 on the plan (docs/demo.md). */
export const DEMO_KPI_COUNT = 12;
/** Mid-year and the period's end: the dates the annual meeting and the web site show. */
export const DATES = ['2022-06-30', '2022-12-31'];
export const LANGS = ['nb', 'en'];
/** Every date × language the pages are checked in. */
export const VARIANTS = DATES.flatMap((asOf) => LANGS.map((lang) => ({ asOf, lang })));

/** The WCAG 2.1 A and AA rules of axe-core. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the suite with tests/browser/run.sh, or set ${name}`);
  }
  return value;
}

// --- addresses ----------------------------------------------------------------------------

const planPath = `/p/${ORG}/plans/${PLAN_ID}`;

/** The published plan's pages at a date and in a language. */
export const pages = {
  progress: ({ asOf, lang }) => `${BASE_URL}${planPath}?as_of=${asOf}&lang=${lang}`,
  report: ({ asOf, lang }) => `${BASE_URL}${planPath}/report?as_of=${asOf}&lang=${lang}`,
  embed: ({ asOf, lang }) => `${BASE_URL}${planPath}/embed?as_of=${asOf}&lang=${lang}`,
};
export const landingUrl = (lang) => `${BASE_URL}/?lang=${lang}`;
export const orgUrl = (lang) => `${BASE_URL}/p/${ORG}?lang=${lang}`;
export const badgeUrl = (kpiId) => `${BASE_URL}${planPath}/kpis/${kpiId}/badge.svg`;
export const scorecardUrl = (asOf) =>
  `${BASE_URL}/api/v1/orgs/${ORG}/plans/${PLAN_ID}/scorecard?as_of=${asOf}`;

/** A file name for an artefact of one page kind at one date and language. */
export const artefact = (kind, { asOf, lang }, ext) => resolve(OUT_DIR, `${kind}-${asOf}-${lang}.${ext}`);

// --- the browser --------------------------------------------------------------------------

/**
 * Starts headless Chromium (as root, so without its sandbox), in US English so that a date
 * field takes month, day, year whatever the machine's locale.
 */
export async function launchBrowser() {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--lang=en-US'],
    env: { ...process.env, LANG: 'en_US.UTF-8', LANGUAGE: 'en_US' },
  });
}

/**
 * Opens `url` in a fresh page of `browser` and fails unless it answers 200 with HTML.
 * `page.loadProblems` lists what went wrong while it loaded as a visitor's browser would
 * load it (the page's own Content-Security-Policy in force): console errors — a blocked
 * inline style, say — and sub-resources that failed or answered 4xx/5xx.
 */
export async function openPage(browser, url, { javaScript = true, width = 1280 } = {}) {
  const page = await browser.newPage();
  const problems = [];
  // Chromium asks every site for /favicon.ico by itself; the pages do not refer to one.
  const ours = (address) => !/\/favicon\.ico$/.test(new URL(address || 'about:blank').pathname);
  page.on('console', (m) => {
    if (m.type() === 'error' && ours(m.location()?.url)) problems.push(`console error: ${m.text()}`);
  });
  page.on('requestfailed', (r) => {
    if (ours(r.url())) problems.push(`${r.url()} failed: ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && ours(r.url())) problems.push(`${r.url()} answered ${r.status()}`);
  });
  page.loadProblems = problems;
  await page.setJavaScriptEnabled(javaScript);
  await page.setViewport({ width, height: 900 });
  const response = await page.goto(url, { waitUntil: 'load' });
  const status = response ? response.status() : 'no response';
  const type = response ? response.headers()['content-type'] || '' : '';
  if (status !== 200 || !type.startsWith('text/html')) {
    await page.close();
    throw new Error(`GET ${url} answered ${status} (${type}), not 200 with text/html`);
  }
  return page;
}

// --- axe ----------------------------------------------------------------------------------

/**
 * Runs axe-core's WCAG 2.1 A/AA rules in `page`: `{violations, passed, incomplete}` (the
 * number of rules passed, and the rules axe could not decide, for the log). The script
 * is the test's own, evaluated after the page has loaded; the page itself has none.
 */
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol: the page's CSP (no script at all) would
  // block an added <script> element, and must stay in force for what is checked.
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(
    (tags) =>
      window.axe
        .run(document, { runOnly: { type: 'tag', values: tags } })
        .then((result) => ({
          passed: result.passes.length,
          incomplete: result.incomplete.map((r) => `${r.id} (${r.nodes.length})`),
          violations: result.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            helpUrl: v.helpUrl,
            tags: v.tags.filter((t) => t.startsWith('wcag')),
            nodes: v.nodes.map((n) => ({
              target: n.target.join(' '),
              html: n.html,
              summary: n.failureSummary,
            })),
          })),
        })),
    AXE_TAGS,
  );
}

/** axe's violations, one rule and each element it names, as a failure message. */
export function describeViolations(url, violations) {
  const lines = [`${violations.length} axe violation(s) on ${url}:`];
  for (const v of violations) {
    lines.push(`- ${v.id} (${v.impact}; ${v.tags.join(', ')}): ${v.help} — ${v.helpUrl}`);
    for (const n of v.nodes) {
      lines.push(`    element ${n.target}`);
      lines.push(`       ${n.html.replace(/\s+/g, ' ').slice(0, 300)}`);
      for (const s of (n.summary || '').split('\n')) lines.push(`       ${s}`);
    }
  }
  return lines.join('\n');
}

// --- the KPIs' values ---------------------------------------------------------------------

/**
 * `{kpiId, status, actual}` of every element matching `selector` (`article.kpi` on the
 * progress page and the embed, `tr[data-kpi-id]` in the report), read through the DevTools
 * protocol, which works whether or not the page may run scripts.
 */
export async function kpiValues(page, selector) {
  return page.$$eval(selector, (elements) =>
    elements.map((e) => ({
      kpiId: e.getAttribute('data-kpi-id'),
      status: e.getAttribute('data-status'),
      actual: e.getAttribute('data-actual'),
    })),
  );
}

/** The scorecard JSON of the demo plan at `asOf`, as a visitor without a token gets it. */
export async function scorecard(asOf) {
  const response = await fetch(scorecardUrl(asOf), { headers: { Accept: 'application/json' } });
  if (response.status !== 200) {
    throw new Error(`GET ${scorecardUrl(asOf)} answered ${response.status}: ${await response.text()}`);
  }
  return response.json();
}

/** The scorecard JSON's `{status, actual}` per KPI id (as a string), every KPI of the plan. */
export async function scorecardResults(asOf) {
  const card = await scorecard(asOf);
  const cards = [...card.focus_areas.flatMap((area) => area.kpis), ...card.plan_kpis];
  const results = new Map();
  for (const kpi of cards) {
    results.set(String(kpi.kpi_id), { status: kpi.result.status, actual: kpi.result.actual });
  }
  return results;
}

/**
 * Whether a page's `data-actual` (the number's text, empty for none) is the JSON's
 * `actual` (a number or null): the same text, or the same number to 1e-9.
 */
export function sameActual(text, json) {
  if (json === null || json === undefined) return text === '';
  if (text === null || text.trim() === '') return false;
  if (text === String(json)) return true;
  const value = Number(text);
  return Number.isFinite(value) && Math.abs(value - json) <= 1e-9 * Math.max(1, Math.abs(json));
}

// --- elements in messages -----------------------------------------------------------------

/**
 * Runs in the page: a short text naming an element for a message, e.g.
 * `a.skip-link[href=#main] "Hopp til hovedinnhold"`. Passed to `page.evaluate` as an
 * argument's source, since a function in the page cannot call one in Node.
 */
export function describeElement(el) {
  if (!el) return 'nothing';
  if (el === document.body || el === document.documentElement) return el.tagName.toLowerCase();
  let s = el.tagName.toLowerCase();
  if (el.id) s += `#${el.id}`;
  if (el.classList.length) s += `.${Array.from(el.classList).join('.')}`;
  for (const a of ['href', 'name', 'type']) if (el.hasAttribute(a)) s += `[${a}=${el.getAttribute(a)}]`;
  const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim();
  return text ? `${s} "${text.slice(0, 60)}"` : s;
}

/**
 * Evaluates `fn(...args)` in `page` with `describeElement` in scope. The page's CSP forbids
 * eval, so the helper travels in the evaluated text rather than being rebuilt in the page.
 */
export function evaluateWithHelpers(page, fn, ...args) {
  const call = `(${fn})(${args.map((a) => JSON.stringify(a)).join(', ')})`;
  return page.evaluate(`(() => { const describeElement = ${describeElement}; return ${call}; })()`);
}

/** Fails with `heading` and one line per problem when there are any. */
export function assertNone(problems, heading) {
  if (problems.length > 0) assert.fail(`${heading}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}
