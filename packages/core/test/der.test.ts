import { describe, expect, it } from 'vitest';
import {
  bitString,
  boolean,
  explicit,
  integer,
  nullValue,
  octetString,
  oid,
  readTlv,
  sequence,
  set,
  time,
  tlv,
  utf8String,
} from '../src/der.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('DER writer (X.690)', () => {
  it('encodes OIDs and INTEGERs minimally', () => {
    expect(hex(oid('1.2.840.113549'))).toBe('06062a864886f70d');
    expect(hex(oid('2.5.29.19'))).toBe('0603551d13');
    expect(hex(integer(2))).toBe('020102');
    expect(hex(integer(0))).toBe('020100');
    expect(hex(integer(128))).toBe('02020080');
    expect(hex(integer(Buffer.from([0, 0, 0x7f])))).toBe('02017f');
    expect(hex(integer(Buffer.from([0xff, 1])))).toBe('020300ff01');
  });

  it('writes short and long length forms', () => {
    expect(hex(tlv(0x04, Buffer.alloc(0x7f))).slice(0, 4)).toBe('047f');
    expect(hex(tlv(0x04, Buffer.alloc(0x80))).slice(0, 6)).toBe('048180');
    expect(hex(tlv(0x04, Buffer.alloc(0x100))).slice(0, 8)).toBe('04820100');
    expect(hex(tlv(0x04, Buffer.alloc(0x10000))).slice(0, 10)).toBe('0483010000');
    const long = tlv(0x30, Buffer.alloc(70_000, 1));
    expect(readTlv(long, 0)).toEqual({ tag: 0x30, start: 5, end: 70_005 });
  });

  it('writes the primitive types a certificate needs', () => {
    expect(hex(nullValue())).toBe('0500');
    expect(hex(boolean(true))).toBe('0101ff');
    expect(hex(boolean(false))).toBe('010100');
    expect(hex(bitString(Buffer.from([0xab])))).toBe('030200ab');
    expect(hex(octetString(Buffer.from([1, 2])))).toBe('04020102');
    expect(hex(utf8String('é'))).toBe('0c02c3a9');
    expect(hex(explicit(0, integer(2)))).toBe('a003020102');
    expect(hex(sequence(integer(1), integer(2)))).toBe('3006020101020102');
    expect(hex(set(integer(1)))).toBe('3103020101');
  });

  it('writes UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)', () => {
    expect(time(new Date(Date.UTC(2049, 11, 31, 23, 59, 59))).toString('latin1')).toBe(
      '\x17\x0d491231235959Z',
    );
    expect(time(new Date(Date.UTC(2050, 0, 1))).toString('latin1')).toBe('\x18\x0f20500101000000Z');
  });
});
