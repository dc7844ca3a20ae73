import { describe, expect, it } from 'vitest';
import {
  maskAccountNumber,
  normalisePayee,
  samePayee,
  validateCentreFields,
  validateCode,
  validateContact,
  validateCreate,
  validatePayee,
  validateStatusChange,
} from '../src/rules/validate.ts';

export const validCentre = () => ({
  code: 'SH-PD-001',
  name: 'Pudong star centre',
  tier: 'STANDARD',
  parentId: null,
  region: '310115',
  serviceAreas: ['310115', '310112'],
  productLines: ['AIR_CONDITIONER', 'WASHER'],
  dailyCapacity: 40,
  starRating: 4,
  contact: { name: 'Li Wei', phone: '13800138000', email: 'li@example.com' },
});

const fields = (v: { field: string }[]) => v.map((x) => x.field);

describe('validateCreate', () => {
  it('accepts a well-formed centre', () => expect(validateCreate(validCentre())).toEqual([]));

  it.each([
    ['code', 'sh-pd-001'],
    ['code', ''],
    ['code', '-AB'],
    ['code', 'AB-'],
    ['code', 'A'.repeat(33)],
    ['code', 'AB CD'],
    ['name', ''],
    ['name', '   '],
    ['name', 'x'.repeat(101)],
    ['tier', 'GOLD'],
    ['region', '31011'],
    ['region', '0310115'],
    ['region', 'abcdef'],
    ['region', '3101151'],
    ['dailyCapacity', -1],
    ['dailyCapacity', 1.5],
    ['dailyCapacity', 10_001],
    ['starRating', 0],
    ['starRating', 6],
    ['starRating', 2.5],
  ])('refuses %s = %j', (field, value) => {
    expect(fields(validateCreate({ ...validCentre(), [field]: value }))).toEqual([field]);
  });

  it('names the offending list entry', () => {
    expect(fields(validateCreate({ ...validCentre(), serviceAreas: ['310115', '31A115'] }))).toEqual([
      'serviceAreas[1]',
    ]);
    expect(fields(validateCreate({ ...validCentre(), serviceAreas: ['310115', '310115'] }))).toEqual([
      'serviceAreas[1]',
    ]);
    expect(fields(validateCreate({ ...validCentre(), serviceAreas: [] }))).toEqual(['serviceAreas']);
    expect(fields(validateCreate({ ...validCentre(), productLines: ['washer'] }))).toEqual(['productLines[0]']);
    expect(fields(validateCreate({ ...validCentre(), productLines: ['AIR__CON'] }))).toEqual(['productLines[0]']);
    expect(
      fields(validateCreate({ ...validCentre(), productLines: Array.from({ length: 51 }, (_, i) => `P${i}`) })),
    ).toEqual(['productLines']);
  });

  it('star rating may be left out', () => expect(validateCreate({ ...validCentre(), starRating: null })).toEqual([]));
});

describe('validateCode', () => {
  it.each(['A', 'SH-001', 'HQ', 'GD-GZ-TH-0001'])('accepts %s', (c) => expect(validateCode(c)).toEqual([]));
});

describe('validateContact', () => {
  it.each(['13800138000', '+8613800138000', '86 13800138000', '021-12345678', '0755-1234567', '02112345678'])(
    'accepts phone %s',
    (phone) => {
      expect(validateContact({ name: 'x', phone })).toEqual([]);
    },
  );
  it.each(['12800138000', '1380013800', '123', 'phone', '+1 555 1234'])('refuses phone %s', (phone) => {
    expect(fields(validateContact({ name: 'x', phone }))).toEqual(['contact.phone']);
  });
  it('refuses a bad email, a missing name, a missing contact', () => {
    expect(fields(validateContact({ name: 'x', phone: '13800138000', email: 'nope' }))).toEqual(['contact.email']);
    expect(fields(validateContact({ name: '', phone: '13800138000' }))).toEqual(['contact.name']);
    expect(fields(validateContact(null))).toEqual(['contact']);
  });
});

describe('validateCentreFields (update)', () => {
  it('checks only the fields present', () => {
    expect(validateCentreFields({})).toEqual([]);
    expect(fields(validateCentreFields({ dailyCapacity: -5 }))).toEqual(['dailyCapacity']);
    expect(validateCentreFields({ starRating: null, parentId: null })).toEqual([]);
    expect(fields(validateCentreFields({ parentId: '' }))).toEqual(['parentId']);
  });
});

describe('validateStatusChange', () => {
  it('requires what the action needs', () => {
    expect(fields(validateStatusChange({ reason: true, evidence: true }, null, null))).toEqual(['reason', 'evidence']);
    expect(fields(validateStatusChange({ reason: true, evidence: false }, '  ', null))).toEqual(['reason']);
    expect(validateStatusChange({ reason: false, evidence: false }, null, null)).toEqual([]);
    expect(validateStatusChange({ reason: true, evidence: true }, 'second C', 'evaluation:2026-10:abc-123')).toEqual(
      [],
    );
  });
  it('checks formats even when optional', () => {
    expect(fields(validateStatusChange({ reason: false, evidence: false }, 'x'.repeat(501), 'bad evidence!'))).toEqual([
      'reason',
      'evidence',
    ]);
  });
});

describe('validatePayee', () => {
  const payee = () => ({
    accountName: '上海浦东家电服务有限公司',
    bank: '中国工商银行上海张江支行',
    accountNumber: '6222 0212 3456 7890',
  });

  it('accepts well-formed details, a personal card or a corporate account', () => {
    expect(validatePayee(payee(), 'new account')).toEqual([]);
    expect(validatePayee({ ...payee(), accountNumber: '12345678' }, 'x')).toEqual([]);
    expect(validatePayee({ ...payee(), accountNumber: '1'.repeat(30) }, 'x')).toEqual([]);
    expect(validatePayee({ ...payee(), accountNumber: '3100\u00a01234\u30005678 90' }, 'x')).toEqual([]);
    expect(
      validatePayee({ ...payee(), accountName: 'x'.repeat(100), bank: '行'.repeat(100) }, 'r'.repeat(500)),
    ).toEqual([]);
    // Surrounding whitespace, a pasted trailing newline included, is trimmed before the checks.
    expect(validatePayee({ ...payee(), accountName: `  ${'x'.repeat(100)}\n` }, `  ${'r'.repeat(500)}  `)).toEqual([]);
  });

  it.each([
    ['accountName', ''],
    ['accountName', '   '],
    ['accountName', 'x'.repeat(101)],
    ['accountName', 'Acme\u0000Ltd'],
    ['accountName', 'Acme\tLtd'],
    ['accountName', 'Acme\u200bLtd'],
    ['accountName', 'Acme\u202eLtd'],
    ['accountName', 'Acme\u0085Ltd'],
    ['accountName', 42],
    ['accountName', undefined],
    ['bank', ''],
    ['bank', 'x'.repeat(101)],
    ['bank', 'ICBC\r\nBranch'],
    ['bank', null],
    ['accountNumber', ''],
    ['accountNumber', '   '],
    ['accountNumber', '1234567'],
    ['accountNumber', '1'.repeat(31)],
    ['accountNumber', '6222-0212-3456-7890'],
    ['accountNumber', '6222O21234567890'],
    ['accountNumber', '６２２２０２１２３４５６７８９０'],
    ['accountNumber', '+6222021234567890'],
    ['accountNumber', '62220212\t34567890'],
    ['accountNumber', 6222021234567890],
  ])('refuses %s = %j', (field, value) => {
    expect(fields(validatePayee({ ...payee(), [field]: value }, 'reason'))).toEqual([field]);
  });

  it.each([[''], ['  '], ['r'.repeat(501)], [null], [undefined]])('refuses reason %j', (reason) => {
    expect(fields(validatePayee(payee(), reason))).toEqual(['reason']);
  });

  it('names every bad field, and a missing input as each of its fields', () => {
    expect(fields(validatePayee({ accountName: '', bank: '', accountNumber: 'x' }, ''))).toEqual([
      'accountName',
      'bank',
      'accountNumber',
      'reason',
    ]);
    expect(fields(validatePayee(null, 'x'))).toEqual(['accountName', 'bank', 'accountNumber']);
  });

  it('says how many digits were given', () => {
    expect(validatePayee({ ...payee(), accountNumber: '1234 567' }, 'x')).toEqual([
      { field: 'accountNumber', message: 'must be 8–30 digits, got 7' },
    ]);
  });
});

describe('normalisePayee, samePayee, maskAccountNumber', () => {
  it('trims the names and takes the spaces out of the number', () => {
    expect(
      normalisePayee({ accountName: '  Acme Ltd ', bank: ' ICBC ', accountNumber: ' 6222 0212\u30003456 7890 ' }),
    ).toEqual({ accountName: 'Acme Ltd', bank: 'ICBC', accountNumber: '6222021234567890' });
  });

  it('compares every field', () => {
    const a = { accountName: 'A', bank: 'B', accountNumber: '12345678' };
    expect(samePayee(a, { ...a })).toBe(true);
    expect(samePayee(null, null)).toBe(true);
    expect(samePayee(a, null)).toBe(false);
    expect(samePayee(a, { ...a, accountNumber: '12345679' })).toBe(false);
    expect(samePayee(a, { ...a, bank: 'C' })).toBe(false);
    expect(samePayee(a, { ...a, accountName: 'a' })).toBe(false);
  });

  it('masks all but the last 4 digits', () => {
    expect(maskAccountNumber('6222021234567890')).toBe('************7890');
    expect(maskAccountNumber('12345678')).toBe('****5678');
    expect(maskAccountNumber('123')).toBe('123');
  });
});
