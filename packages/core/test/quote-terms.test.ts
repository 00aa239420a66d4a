import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../src/pricing/catalogue';
import { periodOf, tierOf } from '../src/pricing/quote-terms';

const prices = { input_mtok: 1 };
const at = (iso: string) => Date.parse(iso);

describe('periodOf', () => {
  it('a-date-before-every-dated-price-is-before-the-first', () => {
    const entry: CatalogueEntry = {
      providerId: 'p',
      modelId: 'm',
      periods: [
        { from: at('2025-05-22'), prices },
        { from: at('2025-12-18'), prices },
      ],
    };
    expect(periodOf(entry, at('2025-01-01'))).toEqual({ kind: 'before-first', firstFrom: '2025-05-22' });
    expect(periodOf(entry, at('2025-06-01'))).toEqual({ kind: 'from', from: '2025-05-22', until: '2025-12-18' });
    expect(periodOf(entry, at('2026-01-01'))).toEqual({ kind: 'from', from: '2025-12-18' });
  });

  it('an-undated-first-price-holds-until-the-first-dated-one', () => {
    const entry: CatalogueEntry = {
      providerId: 'p',
      modelId: 'm',
      periods: [
        { from: -Infinity, prices },
        { from: at('2025-06-10'), prices },
      ],
    };
    expect(periodOf(entry, at('2020-01-01'))).toEqual({ kind: 'first', until: '2025-06-10' });
  });
});

describe('tierOf', () => {
  it('names-each-tier-by-the-input-it-starts-above', () => {
    const table = {
      input_mtok: { base: 1, tiers: [{ start: 1000, price: 2 }] },
      output_mtok: { base: 1, tiers: [{ start: 5000, price: 3 }] },
    };
    expect(tierOf(table, 1000)).toEqual({ level: 0, nextAbove: 1000 });
    expect(tierOf(table, 1001)).toEqual({ level: 1, inputAbove: 1000, nextAbove: 5000 });
    expect(tierOf(table, 6000)).toEqual({ level: 2, inputAbove: 5000 });
    expect(tierOf({ input_mtok: 1 }, 6000)).toBeUndefined();
  });
});
