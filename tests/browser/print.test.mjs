// The print view as the annual meeting gets it: Chromium prints the report to an A4 PDF
// (target/browser/report-<date>-<lang>.pdf) of a stated number of pages, poppler's
// pdftoppm renders every page, and no table row is split across two pages.
//
// A row is whole when its text is on one page, unbroken. pdftotext -raw gives the text in
// the order Chromium drew it (cell by cell, row by row) with a form feed between pages;
// the test looks for each row's text, in document order and with the whitespace removed,
// in that stream, on a single page.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { VARIANTS, artefact, assertNone, launchBrowser, openPage, pages } from './lib.mjs';

/**
 * The report's pages per date and language, as Debian's Chromium 156 prints the demo
 * plan's report to A4 with Debian's default fonts (DejaVu): a title page, then each focus
 * area on pages of its own (the print stylesheet breaks before each), then the plan's own
 * KPIs, the budget and the activities. Counted from the PDFs on 2026-12-06; a change to
 * the print view, the demo data or the fonts that changes a count must change it here.
 */
const EXPECTED_PAGES = {
  '2022-06-30 nb': 8,
  '2022-06-30 en': 8,
  '2022-12-31 nb': 8,
  '2022-12-31 en': 8,
};

let browser;
before(async () => {
  for (const tool of ['pdfinfo', 'pdftoppm', 'pdftotext']) {
    const found = spawnSync(tool, ['-v'], { encoding: 'utf8' });
    if (found.error) throw new Error(`${tool} (poppler-utils) is missing: ${found.error.message}`);
  }
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** `pdfinfo`'s fields (Pages, Page size, …) of a PDF. */
function pdfInfo(file) {
  const out = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  return Object.fromEntries(
    out.split('\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
  );
}

/** Renders every page of `file` to PNG at 50 dpi; returns the image files. */
function renderPages(file, dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const run = spawnSync('pdftoppm', ['-png', '-r', '50', file, `${dir}/page`], { encoding: 'utf8' });
  assert.equal(run.status, 0, `pdftoppm ${file} exited ${run.status}: ${run.stderr}`);
  assert.equal(run.stderr.trim(), '', `pdftoppm ${file} reported problems`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.png'))
    .sort()
    .map((f) => `${dir}/${f}`);
}

/** The PDF's text without whitespace, and the page (1-based) each character is on. */
function pdfText(file) {
  const raw = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  let text = '';
  const pageOf = [];
  raw.split('\f').forEach((pageText, i) => {
    const squeezed = squeeze(pageText);
    text += squeezed;
    for (let k = 0; k < squeezed.length; k += 1) pageOf.push(i + 1);
  });
  return { text, pageOf };
}

const squeeze = (s) => s.replace(/[\s\u00ad\u200b]+/g, '');

/**
 * The body rows of the report's tables as printed (print media; rows hidden in print are
 * left out), each as its cells' texts.
 */
async function printedRows(page) {
  await page.emulateMediaType('print');
  return page.$$eval('table tr', (rows) =>
    rows
      .filter((tr) => !tr.closest('thead, tfoot') && tr.getClientRects().length > 0)
      .map((tr) => ({
        kpiId: tr.getAttribute('data-kpi-id'),
        cells: Array.from(tr.cells)
          .map((c) => c.innerText)
          .filter((t) => t.trim() !== ''),
      }))
      .filter((row) => row.cells.length > 0),
  );
}

/**
 * Where each row is in the PDF: `{name, page}`, or `{name, broken}` when its text is not on
 * one page unbroken. Chromium draws a row's cells in order, so a row on one page is its
 * text unbroken; a row cut by a page break has the repeated table header between its
 * parts, and the cut cells' ends after the other cells.
 */
function locateRows(rows, { text, pageOf }) {
  let cursor = 0;
  return rows.map((row) => {
    const name = `${row.kpiId ? `KPI ${row.kpiId} ` : ''}row "${row.cells.join(' | ').replace(/\s+/g, ' ').slice(0, 100)}"`;
    const whole = squeeze(row.cells.join(''));
    for (let at = text.indexOf(whole, cursor); at >= 0; at = text.indexOf(whole, at + 1)) {
      if (pageOf[at] === pageOf[at + whole.length - 1]) {
        cursor = at + whole.length;
        return { name, page: pageOf[at] };
      }
    }
    return { name, broken: spread(whole, cursor, { text, pageOf }) };
  });
}

/**
 * For a message: the pages a row's text runs over, matching its characters in order from
 * where its first cell starts (other text, such as a repeated header, may come between).
 */
function spread(whole, cursor, { text, pageOf }) {
  const start = text.indexOf(whole.slice(0, 12), cursor);
  if (start < 0) return `its start "${whole.slice(0, 12)}" is not in the PDF's text after the row before`;
  let at = start;
  for (const char of whole) {
    at = text.indexOf(char, at);
    if (at < 0 || at - start > whole.length * 2 + 1000) {
      return `it starts on page ${pageOf[start]} and the rest of its text comes after a break (a page's end, a repeated header)`;
    }
    at += 1;
  }
  return `its text runs from page ${pageOf[start]} to page ${pageOf[at - 1]}`;
}

describe('the report printed to PDF', () => {
  for (const variant of VARIANTS) {
    const key = `${variant.asOf} ${variant.lang}`;
    test(`report at ${variant.asOf} in ${variant.lang}`, async (t) => {
      const file = artefact('report', variant, 'pdf');
      const page = await openPage(browser, pages.report(variant));
      let rows;
      try {
        await page.pdf({ path: file, format: 'A4', printBackground: true });
        rows = await printedRows(page);
      } finally {
        await page.close();
      }

      const info = pdfInfo(file);
      assert.match(info['Page size'] || '', /^595\.\d+ x 841\.\d+ pts \(A4\)/, `${file}: page size`);
      const count = Number(info.Pages);

      const images = renderPages(file, file.replace(/\.pdf$/, '-pages'));
      assert.equal(images.length, count, `pdftoppm rendered ${images.length} of ${count} pages`);
      for (const image of images) assert.ok(statSync(image).size > 1000, `${image} is (nearly) empty`);

      assert.ok(rows.filter((r) => r.kpiId).length > 0, `${pages.report(variant)} has no tr[data-kpi-id]`);
      const located = locateRows(rows, pdfText(file));
      const split = located.filter((r) => r.broken).map((r) => `${r.name}: not whole on one page: ${r.broken}`);
      assertNone(split, `${file}: table rows split across pages`);
      // Last, so that a change of length does not hide a broken page.
      assert.equal(count, EXPECTED_PAGES[key], `${file}: pages`);
      const kpiRows = rows.filter((r) => r.kpiId).length;
      t.diagnostic(`${count} A4 pages rendered; ${rows.length} table rows (${kpiRows} KPIs), each whole on one page`);
    });
  }
});
