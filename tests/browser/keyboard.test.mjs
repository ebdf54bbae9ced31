// Keyboard only: from the top of each page, Tab reaches the skip link first and then every
// focusable element (links, the date form's field and button, a <details>' summary) in
// document order, each with a visible focus indicator; the skip link is visible when
// focused and takes the next Tab into <main>; and the progress page's date form changes
// the date with the keyboard alone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  LANGS,
  VARIANTS,
  assertNone,
  evaluateWithHelpers,
  kpiValues,
  landingUrl,
  launchBrowser,
  openPage,
  orgUrl,
  pages,
  scorecardResults,
} from './lib.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/**
 * Runs in the page: every element that sequential focus navigation should reach, in
 * document order, as `{index, name, tabindex}` (`index` among all elements, to compare
 * with the focused element). Hidden and disabled elements are left out.
 */
function focusableElements() {
  const selector = [
    'a[href]', 'area[href]', 'button', 'input:not([type=hidden])', 'select', 'textarea',
    'summary', 'iframe', '[tabindex]', '[contenteditable=""]', '[contenteditable=true]',
  ].join(',');
  const all = Array.from(document.querySelectorAll('*'));
  return Array.from(document.querySelectorAll(selector))
    .filter((el) => !el.disabled && el.tabIndex >= 0)
    .filter((el) => el.tagName !== 'SUMMARY' || el.parentElement.tagName === 'DETAILS')
    .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
    .filter((el) => !el.closest('details:not([open]) > :not(summary)'))
    .map((el) => ({ index: all.indexOf(el), name: describeElement(el), tabindex: el.getAttribute('tabindex') }));
}

/** Runs in the page: the focused element and whether its focus can be seen. */
function focusedElement() {
  const el = document.activeElement;
  const all = Array.from(document.querySelectorAll('*'));
  if (!el || el === document.body) return { index: -1, name: describeElement(el), indicator: null };
  const style = getComputedStyle(el);
  const transparent = (color) => /^rgba\(.*,\s*0\)$/.test(color) || color === 'transparent';
  const outline =
    style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 && !transparent(style.outlineColor);
  const shadow = style.boxShadow !== 'none' && style.boxShadow !== '';
  const box = el.getBoundingClientRect();
  return {
    index: all.indexOf(el),
    name: describeElement(el),
    indicator: outline || shadow ? `${style.outlineStyle} ${style.outlineWidth} ${style.boxShadow}` : null,
    style: `outline: ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}; box-shadow: ${style.boxShadow}`,
    visible: box.width > 1 && box.height > 1 && box.bottom > 0 && box.right > 0,
  };
}

/**
 * Presses Tab from the top of `page` until it has focused `count` elements and one more
 * (or left the page), returning what each focused. A date field takes one press per part
 * (month, day, year), so consecutive presses on the same element count once.
 */
async function tabThrough(page, count) {
  const focused = [];
  for (let press = 0; press < count * 4 + 10 && focused.length <= count; press += 1) {
    await page.keyboard.press('Tab');
    const now = await evaluateWithHelpers(page, focusedElement);
    const previous = focused[focused.length - 1];
    if (previous && previous.index === now.index && now.index !== -1) continue;
    focused.push(now);
    if (now.index === -1) break;
  }
  return focused;
}

async function checkTabOrder(t, url) {
  const page = await openPage(browser, url);
  try {
    const expected = await evaluateWithHelpers(page, focusableElements);
    assert.ok(expected.length > 0, `${url} has nothing to focus`);
    const positive = expected.filter((e) => Number(e.tabindex) > 0);
    assertNone(positive.map((e) => e.name), `${url}: a positive tabindex changes the reading order`);
    assert.match(expected[0].name, /^a\.skip-link.*\[href=#main\]/, `${url}: the first focusable element`);

    // One element more than the page has: Tab must leave the page or start over.
    const focused = await tabThrough(page, expected.length);
    const order = focused.slice(0, expected.length).map((f) => f.name);
    assert.deepEqual(order, expected.map((e) => e.name), `${url}: the Tab order is not the document order`);
    const indexes = focused.slice(0, expected.length).map((f) => f.index);
    assert.deepEqual(indexes, expected.map((e) => e.index), `${url}: Tab reached other elements of the same name`);
    const last = focused[expected.length];
    assert.ok(!last || last.index === -1 || last.index === expected[0].index, `${url}: Tab went on to ${last?.name}`);

    const unseen = focused.slice(0, expected.length).filter((f) => !f.indicator || !f.visible);
    assertNone(
      unseen.map((f) => `${f.name}: ${f.visible ? '' : 'not on screen; '}${f.style}`),
      `${url}: focused elements without a visible focus indicator`,
    );
    t.diagnostic(`${expected.length} Tab stops in document order, each with a visible focus indicator`);
  } finally {
    await page.close();
  }
}

/** Enter on the skip link moves on to <main>: the next Tab focuses the first element in it. */
async function checkSkipLink(url) {
  const page = await openPage(browser, url);
  try {
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => {
      const main = document.getElementById('main');
      const el = document.activeElement;
      return { inMain: Boolean(main && el && main.contains(el)), tag: el ? el.outerHTML.slice(0, 120) : 'nothing' };
    });
    const main = await page.$eval('#main', (m) => Boolean(m.querySelector('a[href],input,button,summary')));
    if (main) assert.ok(first.inMain, `${url}: after the skip link, Tab focused ${first.tag}, outside <main>`);
  } finally {
    await page.close();
  }
}

for (const kind of ['progress', 'report', 'embed']) {
  describe(`${kind}: keyboard`, () => {
    for (const variant of VARIANTS) {
      test(`${kind} at ${variant.asOf} in ${variant.lang}: Tab order and focus indicator`, async (t) => {
        await checkTabOrder(t, pages[kind](variant));
      });
    }
    test(`${kind}: the skip link leads into <main>`, async () => {
      await checkSkipLink(pages[kind](VARIANTS[0]));
    });
  });
}

describe('landing and organisation pages: keyboard', () => {
  for (const lang of LANGS) {
    test(`landing page in ${lang}`, async (t) => {
      await checkTabOrder(t, landingUrl(lang));
    });
    test(`organisation page in ${lang}`, async (t) => {
      await checkTabOrder(t, orgUrl(lang));
    });
  }
});

test('the date form changes the date with the keyboard alone', async () => {
  const [from, to] = ['2022-06-30', '2022-12-31'];
  const page = await openPage(browser, pages.progress({ asOf: from, lang: 'en' }));
  try {
    const form = await page.$eval('form.as-of', (f) => ({
      method: f.getAttribute('method'),
      field: Boolean(f.querySelector('input[type=date][name=as_of]#as_of')),
      submit: Boolean(f.querySelector('button:not([type=button]):not([type=reset]), input[type=submit]')),
    }));
    assert.deepEqual(form, { method: 'get', field: true, submit: true }, 'form.as-of');
    // Tab to the field as a keyboard user would, then type the date (the browser runs in
    // en-US, so the field takes month, day, year) and submit with Enter.
    let onField = false;
    for (let i = 0; i < 200 && !onField; i += 1) {
      await page.keyboard.press('Tab');
      onField = await page.evaluate(() => document.activeElement?.id === 'as_of');
    }
    assert.ok(onField, 'Tab never reached input#as_of');
    const [month, day, year] = [to.slice(5, 7), to.slice(8, 10), to.slice(0, 4)];
    await page.keyboard.type(`${month}${day}${year}`);
    const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.equal(response?.status(), 200, `submitting the form opened ${page.url()}`);
    assert.equal(new URL(page.url()).searchParams.get('as_of'), to, `the form opened ${page.url()}`);
    const results = await scorecardResults(to);
    const shown = await kpiValues(page, 'article.kpi');
    assert.deepEqual(
      shown.map((v) => [v.kpiId, v.status]).sort(),
      [...results].map(([id, r]) => [id, r.status]).sort(),
      `${page.url()} does not show the KPIs at ${to}`,
    );
  } finally {
    await page.close();
  }
});
