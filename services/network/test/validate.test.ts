import { describe, expect, it } from 'vitest';
import { validateCentreFields, validateCode, validateContact, validateCreate, validateStatusChange } from '../src/rules/validate.ts';

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
    ['code', 'sh-pd-001'], ['code', ''], ['code', '-AB'], ['code', 'AB-'], ['code', 'A'.repeat(33)], ['code', 'AB CD'],
    ['name', ''], ['name', '   '], ['name', 'x'.repeat(101)],
    ['tier', 'GOLD'],
    ['region', '31011'], ['region', '0310115'], ['region', 'abcdef'], ['region', '3101151'],
    ['dailyCapacity', -1], ['dailyCapacity', 1.5], ['dailyCapacity', 10_001],
    ['starRating', 0], ['starRating', 6], ['starRating', 2.5],
  ])('refuses %s = %j', (field, value) => {
    expect(fields(validateCreate({ ...validCentre(), [field]: value }))).toEqual([field]);
  });

  it('names the offending list entry', () => {
    expect(fields(validateCreate({ ...validCentre(), serviceAreas: ['310115', '31A115'] }))).toEqual(['serviceAreas[1]']);
    expect(fields(validateCreate({ ...validCentre(), serviceAreas: ['310115', '310115'] }))).toEqual(['serviceAreas[1]']);
    expect(fields(validateCreate({ ...validCentre(), serviceAreas: [] }))).toEqual(['serviceAreas']);
    expect(fields(validateCreate({ ...validCentre(), productLines: ['washer'] }))).toEqual(['productLines[0]']);
    expect(fields(validateCreate({ ...validCentre(), productLines: ['AIR__CON'] }))).toEqual(['productLines[0]']);
    expect(fields(validateCreate({ ...validCentre(), productLines: Array.from({ length: 51 }, (_, i) => `P${i}`) }))).toEqual(['productLines']);
  });

  it('star rating may be left out', () => expect(validateCreate({ ...validCentre(), starRating: null })).toEqual([]));
});

describe('validateCode', () => {
  it.each(['A', 'SH-001', 'HQ', 'GD-GZ-TH-0001'])('accepts %s', (c) => expect(validateCode(c)).toEqual([]));
});

describe('validateContact', () => {
  it.each(['13800138000', '+8613800138000', '86 13800138000', '021-12345678', '0755-1234567', '02112345678'])('accepts phone %s', (phone) => {
    expect(validateContact({ name: 'x', phone })).toEqual([]);
  });
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
    expect(validateStatusChange({ reason: true, evidence: true }, 'second C', 'evaluation:2026-10:abc-123')).toEqual([]);
  });
  it('checks formats even when optional', () => {
    expect(fields(validateStatusChange({ reason: false, evidence: false }, 'x'.repeat(501), 'bad evidence!'))).toEqual(['reason', 'evidence']);
  });
});
