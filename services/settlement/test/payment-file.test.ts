import { describe, expect, it } from 'vitest';
import { csvField, paymentFile, yuan, type PaymentRow } from '../src/rules/payment-file.ts';

const row = (centreCode: string, amountFen: number, over: Partial<PaymentRow> = {}): PaymentRow => ({
  centreCode,
  payeeName: `Payee ${centreCode}`,
  bank: 'Bank of China',
  accountNumber: '6217000010001234',
  amountFen,
  statementId: `st-2026-10-${centreCode}`,
  ...over,
});

describe('yuan: integer fen to 2 decimals', () => {
  it.each([
    [123456, '1234.56'],
    [0, '0.00'],
    [5, '0.05'],
    [100, '1.00'],
    [110, '1.10'],
    [-123456, '-1234.56'],
    [900719925474099, '9007199254740.99'],
  ])('%i → %s', (fen, text) => expect(yuan(fen)).toBe(text));
  it('refuses a fraction of a fen', () => expect(() => yuan(1.5)).toThrow(/whole fen/));
});

describe('csvField', () => {
  it('leaves plain text alone', () => expect(csvField('上海浦东星级服务中心')).toBe('上海浦东星级服务中心'));
  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line 1\nline 2')).toBe('"line 1\nline 2"');
    expect(csvField('line 1\r\nline 2')).toBe('"line 1\r\nline 2"');
  });
  it('turns a would-be formula into text with an apostrophe', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('+86 138')).toBe("'+86 138");
    expect(csvField('-5')).toBe("'-5");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tcmd')).toBe("'\tcmd");
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('a=b')).toBe('a=b');
  });
});

describe('paymentFile', () => {
  it('writes the exact file: BOM, header, paid centres by code, total; CRLF', () => {
    const csv = paymentFile([
      row('SH-PD-002', 227_005, {
        payeeName: '上海浦东星级服务中心',
        bank: '中国工商银行上海浦东支行',
        accountNumber: '6222021001001234567',
      }),
      row('ZJ-HZ-009', 0, { payeeName: '', bank: '', accountNumber: '' }), // R ≤ 0: not paid, so no payee needed
      row('BJ-CY-001', 11_000, { payeeName: 'Chaoyang Service, Ltd. "Star"' }),
      row('GZ-TH-003', 3000, { payeeName: '=HYPERLINK("http://evil","x")', bank: '@Bank' }),
    ]);
    // 11000 + 3000 + 227005 = 241005 fen = ¥2410.05
    expect(csv).toBe(
      '\uFEFFCentre code,Payee name,Bank,Account number,Amount (fen),Amount (yuan),Statement id\r\n' +
        ('BJ-CY-001,"Chaoyang Service, Ltd. ""Star""",Bank of ' +
          'China,6217000010001234,11000,110.00,st-2026-10-BJ-CY-001\r\n') +
        `GZ-TH-003,"'=HYPERLINK(""http://evil"",""x"")",'@Bank,6217000010001234,3000,30.00,st-2026-10-GZ-TH-003\r\n` +
        'SH-PD-002,上海浦东星级服务中心,中国工商银行上海浦东支行,6222021001001234567,227005,2270.05,st-2026-10-SH-PD-002\r\n' +
        'TOTAL,,,,241005,2410.05,\r\n',
    );
  });

  it('starts with one BOM and has no bare line feed outside a quoted field', () => {
    const csv = paymentFile([row('A-1', 100), row('B-2', 250)]);
    expect(csv.startsWith('\uFEFFCentre code,')).toBe(true);
    expect(csv.indexOf('\uFEFF', 1)).toBe(-1);
    expect(csv.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
    expect(csv.endsWith('TOTAL,,,,350,3.50,\r\n')).toBe(true);
  });

  it('with nobody to pay: the header and a zero total', () => {
    expect(paymentFile([row('A-1', 0)])).toBe(
      '\uFEFFCentre code,Payee name,Bank,Account number,Amount (fen),Amount (yuan),Statement ' +
        'id\r\nTOTAL,,,,0,0.00,\r\n',
    );
  });

  it('refuses a centre twice, a paid centre without payee details, and an amount that is not whole fen ≥ 0', () => {
    expect(() => paymentFile([row('A-1', 100), row('A-1', 200)])).toThrow(/A-1 has two rows/);
    expect(() => paymentFile([row('A-1', 100, { accountNumber: ' ' })])).toThrow(/A-1 is paid but has no payee/);
    expect(() => paymentFile([row('A-1', -100)])).toThrow(/whole fen/);
    expect(() => paymentFile([row('A-1', 10.5)])).toThrow(/whole fen/);
  });
});
