// The published plan's pages as a visitor's browser shows them: the markup every page
// promises (its language, a skip link, one main landmark, no script), no console error or
// failed asset while loading, and no axe-core violation of WCAG 2.1 A or AA — the progress
// page, the print view and the embed at both demo dates in both languages, and the landing
// and organisation pages. A full-page screenshot of each is written to target/browser/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  VARIANTS,
  LANGS,
  artefact,
  assertNone,
  axeViolations,
  describeViolations,
  landingUrl,
  launchBrowser,
  openPage,
  orgUrl,
  pages,
} from './lib.mjs';

/** The embed is meant for an <iframe> in a narrow column; the others for a desktop window. */
const WIDTH = { progress: 1280, report: 1280, embed: 480, landing: 1280, org: 1280 };

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** What every HTML page promises, read before axe's own script is added. */
async function pageContract(page) {
  return page.evaluate(() => ({
    lang: document.documentElement.getAttribute('lang'),
    scripts: document.querySelectorAll('script').length,
    mains: Array.from(document.querySelectorAll('main')).map((m) => m.id),
    skipLink: (() => {
      const a = document.querySelector('a.skip-link');
      return a ? a.getAttribute('href') : null;
    })(),
    title: document.title.trim(),
  }));
}

/**
 * Checks one page — its promises, its load, axe — and fails with everything found at
 * once; writes a full-page screenshot also when it fails.
 */
async function checkPage(t, url, lang, screenshot, width) {
  const page = await openPage(browser, url, { width });
  try {
    const contract = await pageContract(page);
    const problems = [];
    if (contract.lang !== lang) problems.push(`<html lang="${contract.lang}">, not "${lang}"`);
    if (contract.scripts !== 0) problems.push(`${contract.scripts} <script> element(s); the pages have none`);
    if (contract.mains.join() !== 'main') problems.push(`<main> ids [${contract.mains}], not one <main id="main">`);
    if (contract.skipLink !== '#main') problems.push(`skip link href ${contract.skipLink}, not <a class="skip-link" href="#main">`);
    if (contract.title === '') problems.push('an empty <title>');
    problems.push(...page.loadProblems.map((p) => `while loading: ${p}`));
    const { violations, passed, incomplete } = await axeViolations(page);
    if (violations.length > 0) problems.push(describeViolations(url, violations));
    if (passed === 0) problems.push('axe passed no rule: it did not run');
    assertNone(problems, url);
    t.diagnostic(`axe: 0 violations, ${passed} rules passed; to review by hand: ${incomplete.join(', ') || 'none'}`);
  } finally {
    await page.screenshot({ path: screenshot, fullPage: true });
    await page.close();
  }
}

for (const kind of ['progress', 'report', 'embed']) {
  describe(`${kind}: WCAG 2.1 A and AA (axe)`, () => {
    for (const variant of VARIANTS) {
      test(`${kind} at ${variant.asOf} in ${variant.lang}`, async (t) => {
        await checkPage(t, pages[kind](variant), variant.lang, artefact(kind, variant, 'png'), WIDTH[kind]);
      });
    }
  });
}

describe('landing and organisation pages: WCAG 2.1 A and AA (axe)', () => {
  for (const lang of LANGS) {
    test(`landing page / in ${lang}`, async (t) => {
      await checkPage(t, landingUrl(lang), lang, artefact('landing', { asOf: 'today', lang }, 'png'), WIDTH.landing);
    });
    test(`organisation page /p/{org} in ${lang}`, async (t) => {
      await checkPage(t, orgUrl(lang), lang, artefact('org', { asOf: 'today', lang }, 'png'), WIDTH.org);
    });
  }
});
