// Every language the checkout speaks. Statically: each table (www/sdk/locales/<lang>.json) has every key
// English has, for the page and for the card fields, no key English lacks, and the same placeholders, so
// nothing falls back to English unnoticed. In the browser: each language renders the form and the card
// fields from its own table, written in its direction; Arabic is mirrored (screenshot in artifacts/),
// and axe-core finds nothing in Hebrew.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { LANGUAGES, direction, pickLanguage } from '../../www/sdk/i18n.js';
import { en as pageEnglish } from '../../www/sdk/messages.js';
import { en as cardEnglish } from '../../www/sdk/card-messages.js';
import { startSandbox, launchBrowser, openCheckout, fillCard, cardFields, axeViolations, snap, assertClean, FIELDS } from './harness.mjs';

const dir = new URL('../../www/sdk/locales/', import.meta.url);
const tables = Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.json'))
  .map((f) => [f.slice(0, -'.json'.length), JSON.parse(readFileSync(new URL(f, dir), 'utf8'))]));
tables.en = { page: pageEnglish, card: cardEnglish };
// The tag each language is opened with (the demo page offers these).
const TAGS = {
  en: 'en-GB', ar: 'ar-SA', cs: 'cs-CZ', da: 'da-DK', de: 'de-DE', el: 'el-GR', es: 'es-ES', fi: 'fi-FI', fr: 'fr-FR', he: 'he-IL',
  it: 'it-IT', ja: 'ja-JP', ko: 'ko-KR', nb: 'nb-NO', nl: 'nl-NL', pl: 'pl-PL', pt: 'pt-BR', sv: 'sv-SE', tr: 'tr-TR', zh: 'zh-CN',
  'zh-Hant': 'zh-TW',
};

const placeholders = (text) => [...String(text).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(', ');

test('every language the checkout offers has a table, and every table is offered', () => {
  assert.deepEqual(Object.keys(tables).sort(), [...LANGUAGES].sort());
  for (const lang of LANGUAGES) assert.ok(TAGS[lang], `no tag to open ${lang} with`);
});

test('every table has every English key (page and card fields), no other, with the same placeholders', () => {
  const problems = [];
  for (const [lang, table] of Object.entries(tables)) {
    for (const extra of Object.keys(table).filter((k) => k !== 'page' && k !== 'card')) problems.push(`${lang}: unknown part ${extra}`);
    for (const [part, english] of [['page', pageEnglish], ['card', cardEnglish]]) {
      const t = table[part] ?? {};
      for (const [key, en] of Object.entries(english)) {
        if (typeof t[key] !== 'string' || !t[key].trim()) problems.push(`${lang} ${part}: missing ${key}`);
        else if (placeholders(t[key]) !== placeholders(en)) problems.push(`${lang} ${part}: ${key} has {${placeholders(t[key])}}, English {${placeholders(en)}}`);
      }
      for (const key of Object.keys(t)) if (!(key in english)) problems.push(`${lang} ${part}: ${key} is not an English key`);
    }
  }
  assert.deepEqual(problems, [], `${problems.length} missing or wrong messages:\n${problems.join('\n')}`);
});

test('the language is the first the checkout speaks of the locale, then the browser\'s, then English', () => {
  const cases = [
    ['de-AT', [], 'de'], ['pt-PT', [], 'pt'], ['zh-CN', [], 'zh'], ['zh-SG', [], 'zh'], ['zh-TW', [], 'zh-Hant'],
    ['zh-HK', [], 'zh-Hant'], ['zh-Hant', [], 'zh-Hant'], ['no', [], 'nb'], ['nn-NO', [], 'nb'], ['iw', [], 'he'],
    ['ru-RU', ['uk', 'pl-PL', 'de'], 'pl'], [undefined, ['ar-EG'], 'ar'], ['ru', ['uk'], 'en'], ['', [], 'en'],
  ];
  for (const [locale, preferred, lang] of cases) assert.equal(pickLanguage(locale, preferred), lang, `${locale} then [${preferred}]`);
});

let sandbox;
let browser;
before(async () => {
  sandbox = await startSandbox();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

// An order that shows most of the form: tips, totals, email and a billing address.
const ORDER = { currencyCode: 'EUR', tipsAllowed: true, collectEmail: true, collectBilling: true };
const text = (page, selector) => page.locator(selector).first().textContent();

for (const lang of LANGUAGES) {
  test(`${TAGS[lang]}: the form and the card fields in that language, from its own table`, async () => {
    const page = await openCheckout(browser, sandbox, { locale: TAGS[lang], ...ORDER });
    const { page: p, card: c } = tables[lang];
    const widget = await page.locator('intent-checkout').evaluate((el) => {
      const box = el.shadowRoot.querySelector('.box');
      return { lang: box.lang, dir: getComputedStyle(box).direction };
    });
    assert.deepEqual(widget, { lang, dir: direction(lang) });
    assert.equal(await text(page, '#ic-tip-legend'), p.tip);
    assert.equal(await text(page, '[data-testid="tip-0"]'), p.noTip);
    assert.equal(await text(page, 'label[for="ic-email-input"]'), p.email);
    assert.equal(await text(page, '[data-testid="billing-address"] legend'), p.billingAddress);
    assert.equal(await text(page, '[part="totals"] li.total > span'), p.total);
    // The amount as CLDR writes it in that locale (digits, separators, the currency's place).
    const total = await text(page, '[data-testid="total"]');
    assert.equal(total, await page.evaluate((tag) => new Intl.NumberFormat(tag, { style: 'currency', currency: 'EUR' }).format(24.5), TAGS[lang]));
    assert.equal(await text(page, '[data-testid="pay-button"]'), p.pay.replace('{amount}', total));

    const fields = cardFields(page);
    for (const f of ['number', 'expiry', 'cvc', 'name']) assert.equal(await text(fields, `label[for="ic-${f}"]`), c[f]);
    assert.equal(await fields.locator('[data-testid="card-expiry"]').getAttribute('placeholder'), c.expiryHint);
    if (FIELDS === 'isolated') {
      assert.equal(await page.locator('[data-testid="card-frame"]').getAttribute('title'), p.cardFrame);
      const frame = page.frames().find((f) => f.url().includes('/card-frame/v1'));
      const doc = await frame.evaluate(() => ({ lang: document.documentElement.lang, dir: getComputedStyle(document.documentElement).direction }));
      assert.deepEqual(doc, { lang, dir: direction(lang) });
    }
    // English is built in; another language fetches one table for the page and one for the card fields.
    const fetched = page.seen.filter((l) => /^request: .*\/pkg\/.*\.json$/.test(l)).map((l) => l.replace(/^.*\/pkg\//, '')).sort();
    if (lang === 'en') assert.deepEqual(fetched, []);
    else {
      assert.equal(fetched.length, 2, fetched.join(', '));
      assert.match(fetched.find((f) => !f.includes('card-')) ?? '', new RegExp(`(^|/)${lang}(\\.[0-9a-f]{10})?\\.json$`));
      assert.match(fetched.find((f) => f.includes('card-')) ?? '', new RegExp(`(^|/)card-${lang}(\\.[0-9a-f]{10})?\\.json$`));
    }
    await assertClean(page);
    await page.close();
  });
}

test('Arabic: the widget and the card fields are mirrored; card numbers still read left to right', async () => {
  const page = await openCheckout(browser, sandbox, { locale: TAGS.ar, ...ORDER });
  await fillCard(page);
  const fields = cardFields(page);
  const number = fields.locator('[data-testid="card-number"]');
  const badge = await fields.locator('[data-testid="card-brand"]').boundingBox();
  const input = await number.boundingBox();
  assert.ok(badge.x + badge.width < input.x + input.width / 2, 'the brand sits at the inline end: the left');
  assert.deepEqual(await number.evaluate((el) => [getComputedStyle(el).direction, getComputedStyle(el).textAlign]), ['ltr', 'right']);
  // Rows run right to left: a line's label right of its amount, the first tip choice rightmost.
  const [label, amount] = await Promise.all(['[part="totals"] li.total > span', '[data-testid="total"]'].map((s) => page.locator(s).first().boundingBox()));
  assert.ok(label.x > amount.x, 'the total\'s label is right of its amount');
  const [none, ten] = await Promise.all(['tip-0', 'tip-10'].map((id) => page.locator(`[data-testid="${id}"]`).boundingBox()));
  assert.ok(none.x > ten.x, '"No tip" comes first, on the right');
  await page.setViewportSize({ width: 1000, height: 1600 }); // the whole widget in one picture
  await snap(page, 'rtl-ar-SA');
  await assertClean(page);
  await page.close();
});

test('Hebrew: axe-core finds no violation in the mirrored widget or its card frame', async () => {
  const page = await openCheckout(browser, sandbox, { locale: TAGS.he, ...ORDER });
  await page.locator('[data-testid="card-frame"], [data-testid="card-number"]').first().scrollIntoViewIfNeeded();
  assert.deepEqual(await axeViolations(page), []);
  await page.close();
});
