// The figures on the pages are the API's: every KPI's status and actual on the progress
// page, in the embed and in the report equal the scorecard JSON at the same date; the
// progress page shows the same values with JavaScript disabled (it has none, so this is a
// guard); its links lead to the same figures as CSV and JSON and to the print view; and
// a newcomer reaches the demo plan from / in two clicks.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  BASE_URL,
  DEMO_KPI_COUNT,
  ORG,
  PLAN_ID,
  VARIANTS,
  assertNone,
  kpiValues,
  landingUrl,
  launchBrowser,
  openPage,
  pages,
  sameActual,
  scorecard,
  scorecardResults,
} from './lib.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Reads the KPIs' values of `selector` at `url`, with or without JavaScript. */
async function valuesAt(url, selector, javaScript = true) {
  const page = await openPage(browser, url, { javaScript });
  try {
    return await kpiValues(page, selector);
  } finally {
    await page.close();
  }
}

/** Fails unless `values` name every KPI of the JSON once, with its status and actual. */
function assertSameAsScorecard(values, results, where) {
  assert.ok(values.length > 0, `${where} shows no KPI`);
  const ids = values.map((v) => v.kpiId);
  assert.equal(new Set(ids).size, ids.length, `${where}: a KPI appears twice: ${ids.join(', ')}`);
  assert.deepEqual([...ids].sort(), [...results.keys()].sort(), `${where}: the KPIs are not the scorecard's`);
  const wrong = [];
  for (const v of values) {
    const json = results.get(v.kpiId);
    if (v.status !== json.status) wrong.push(`KPI ${v.kpiId}: data-status ${v.status}, JSON ${json.status}`);
    if (!sameActual(v.actual, json.actual)) {
      wrong.push(`KPI ${v.kpiId}: data-actual ${JSON.stringify(v.actual)}, JSON ${JSON.stringify(json.actual)}`);
    }
  }
  assertNone(wrong, `${where} differs from the scorecard JSON`);
}

describe('the pages show the scorecard JSON', () => {
  for (const variant of VARIANTS) {
    const { asOf, lang } = variant;
    test(`progress page, embed and report at ${asOf} in ${lang}`, async () => {
      const results = await scorecardResults(asOf);
      assert.equal(results.size, DEMO_KPI_COUNT, `the scorecard at ${asOf} has ${results.size} KPIs`);
      assertSameAsScorecard(await valuesAt(pages.progress(variant), 'article.kpi'), results, pages.progress(variant));
      assertSameAsScorecard(await valuesAt(pages.embed(variant), 'article.kpi'), results, pages.embed(variant));
      assertSameAsScorecard(await valuesAt(pages.report(variant), 'tr[data-kpi-id]'), results, pages.report(variant));
    });
    test(`the report at ${asOf} in ${lang} has a section per focus area with its KPIs`, async () => {
      const card = await scorecard(asOf);
      const page = await openPage(browser, pages.report(variant));
      try {
        const sections = await page.$$eval('section.focus-area', (all) =>
          all.map((s) => Array.from(s.querySelectorAll('table tr[data-kpi-id]'), (tr) => tr.getAttribute('data-kpi-id'))),
        );
        // One section per focus area, in the plan's order (the plan's own KPIs and the
        // budget are sections of another class).
        const expected = card.focus_areas.map((area) => area.kpis.map((k) => String(k.kpi_id)));
        assert.deepEqual(sections, expected, `${pages.report(variant)}: KPI rows per section.focus-area`);
      } finally {
        await page.close();
      }
    });
  }
});

describe('without JavaScript', () => {
  for (const variant of VARIANTS) {
    test(`the progress page at ${variant.asOf} in ${variant.lang} shows the same values`, async () => {
      const url = pages.progress(variant);
      const withScripts = await valuesAt(url, 'article.kpi', true);
      const withoutScripts = await valuesAt(url, 'article.kpi', false);
      assert.equal(withoutScripts.length, DEMO_KPI_COUNT, `${url} without JavaScript shows ${withoutScripts.length} KPIs`);
      assert.deepEqual(withoutScripts, withScripts, `${url}: the values differ with JavaScript disabled`);
    });
  }
});

/** The links of the progress page named by `data-link`, as absolute addresses. */
async function figureLinks(url) {
  const page = await openPage(browser, url);
  try {
    return await page.$$eval('a[data-link]', (links) =>
      Object.fromEntries(links.map((a) => [a.getAttribute('data-link'), a.href])),
    );
  } finally {
    await page.close();
  }
}

describe('the links to the same figures', () => {
  for (const variant of VARIANTS) {
    test(`CSV, JSON and print view at ${variant.asOf} in ${variant.lang}`, async () => {
      const url = pages.progress(variant);
      const links = await figureLinks(url);
      const expected = { 'scorecard-csv': 'text/csv', 'scorecard-json': 'application/json', report: 'text/html' };
      for (const [name, type] of Object.entries(expected)) {
        const href = links[name];
        assert.ok(href, `${url} has no a[data-link="${name}"]`);
        assert.equal(new URL(href).searchParams.get('as_of'), variant.asOf, `${name} link ${href}: as_of`);
        const response = await fetch(href);
        assert.equal(response.status, 200, `${name} link ${href} answered ${response.status}`);
        const contentType = response.headers.get('content-type') || '';
        assert.ok(contentType.startsWith(type), `${name} link ${href} answered ${contentType}, not ${type}`);
      }
      const scorecard = await (await fetch(links['scorecard-json'])).json();
      assert.equal(scorecard.plan_id, PLAN_ID);
      assert.equal(scorecard.as_of, variant.asOf);
    });
  }
});

test('from / to the demo plan in two clicks', async () => {
  const page = await openPage(browser, landingUrl('nb'));
  try {
    const docs = await page.$$eval('a[href]', (links) => links.map((a) => new URL(a.href).pathname));
    assert.ok(docs.includes('/docs/'), `/ links to ${docs.join(', ')}, not to /docs/`);
    await clickLinkTo(page, `/p/${ORG}`);
    await clickLinkTo(page, `/p/${ORG}/plans/${PLAN_ID}`);
    const shown = await kpiValues(page, 'article.kpi');
    assert.equal(shown.length, DEMO_KPI_COUNT, `${page.url()} shows ${shown.length} KPIs`);
  } finally {
    await page.close();
  }
});

/** Clicks the first link whose path is `path` and waits for the page it opens. */
async function clickLinkTo(page, path) {
  const from = page.url();
  const links = await page.$$('a[href]');
  for (const link of links) {
    const target = await link.evaluate((a) => new URL(a.href).pathname);
    if (target === path) {
      const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
      assert.equal(response?.status(), 200, `following ${path} from ${from}`);
      assert.equal(new URL(page.url()).pathname, path);
      return;
    }
  }
  assert.fail(`${from} has no link to ${path} (base ${BASE_URL})`);
}
