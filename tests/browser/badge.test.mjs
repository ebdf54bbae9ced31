// Every KPI's status badge of the demo plan: served as image/svg+xml, well-formed XML to
// the browser's own parser, an <svg> whose root has role="img", an aria-label and a
// <title>, and an image the browser draws when a web page embeds it with <img>.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { assertNone, badgeUrl, launchBrowser, scorecardResults } from './lib.mjs';

let browser;
let page;
before(async () => {
  browser = await launchBrowser();
  page = await browser.newPage();
});
after(async () => {
  await browser?.close();
});

/** Runs in the page: what DOMParser makes of the badge's text. */
function parseBadge(source) {
  const doc = new DOMParser().parseFromString(source, 'image/svg+xml');
  const error = doc.querySelector('parsererror');
  const root = doc.documentElement;
  const title = Array.from(root.children).find((c) => c.localName === 'title');
  return {
    error: error ? error.textContent : null,
    root: root.localName,
    namespace: root.namespaceURI,
    role: root.getAttribute('role'),
    ariaLabel: root.getAttribute('aria-label'),
    title: title ? title.textContent.trim() : null,
    titleFirst: root.firstElementChild === title,
  };
}

/**
 * Serves one page on another port of 127.0.0.1 — another origin, as a member's web site
 * would be — that shows `badge` with <img>; resolves to the server.
 */
function foreignSite(badge) {
  const html = `<!doctype html><html lang="en"><title>badge</title><img id="badge" alt="" src="${badge}">`;
  const server = createServer((_, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(html);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('every KPI of the demo plan has a well-formed, labelled status badge', async () => {
  const kpiIds = [...(await scorecardResults('2022-12-31')).keys()];
  await page.goto('about:blank');
  const problems = [];
  for (const id of kpiIds) {
    const url = badgeUrl(id);
    const response = await fetch(url);
    const type = response.headers.get('content-type') || '';
    const source = await response.text();
    if (response.status !== 200) problems.push(`${url}: ${response.status}`);
    if (!/^image\/svg\+xml(;|$)/.test(type)) problems.push(`${url}: Content-Type ${type}`);
    const badge = await page.evaluate(parseBadge, source);
    if (badge.error) problems.push(`${url}: not well-formed XML: ${badge.error}`);
    if (badge.root !== 'svg' || badge.namespace !== 'http://www.w3.org/2000/svg') {
      problems.push(`${url}: root <${badge.root}> in ${badge.namespace}, not an SVG <svg>`);
    }
    if (badge.role !== 'img') problems.push(`${url}: root role=${badge.role}`);
    if (!badge.ariaLabel || !badge.ariaLabel.trim()) problems.push(`${url}: no aria-label on the root`);
    if (!badge.title) problems.push(`${url}: no <title> child of the root`);
    else if (!badge.titleFirst) problems.push(`${url}: <title> is not the root's first child`);
  }
  assertNone(problems, 'badges');
});

test('a badge is drawn when another site shows it with <img>', async () => {
  const [id] = [...(await scorecardResults('2022-12-31')).keys()];
  const site = await foreignSite(badgeUrl(id));
  try {
    await page.goto(`http://127.0.0.1:${site.address().port}/`, { waitUntil: 'load' });
    const drawn = await page.$eval('#badge', (img) => ({
      complete: img.complete,
      width: img.naturalWidth,
      height: img.naturalHeight,
    }));
    assert.ok(drawn.complete && drawn.width > 0 && drawn.height > 0, `${badgeUrl(id)} as <img>: ${JSON.stringify(drawn)}`);
  } finally {
    site.close();
  }
});
