import protobuf from 'protobufjs/minimal';
import { describe, expect, it } from 'vitest';
import { type Descriptor, decode, encode } from '../../src/cloud/wire';

/** A message of the shapes the function reads: text, a flag, a time, labels and a list. */
const MESSAGE: Descriptor = {
  1: { name: 'id', type: 'string' },
  3: { name: 'at', type: 'timestamp' },
  6: { name: 'done', type: 'bool' },
  7: { name: 'labels', type: 'labels' },
  9: { name: 'items', type: { 1: { name: 'code', type: 'int32' } }, repeated: true },
};

interface Decoded {
  id: string;
  at?: Date;
  done: boolean;
  labels: Record<string, string>;
  items: { code: number }[];
}

const bytesOf = (write: (writer: protobuf.Writer) => void) => {
  const writer = protobuf.Writer.create();
  write(writer);
  return writer.finish();
};

/** A map entry of field 7, as protoc writes one. */
const label = (writer: protobuf.Writer, key: string, value: string) =>
  writer.uint32(58).fork().uint32(10).string(key).uint32(18).string(value).ldelim();

const timestamp = (writer: protobuf.Writer, seconds: number | string, nanos = 0) =>
  writer.uint32(26).fork().uint32(8).int64(seconds).uint32(16).int32(nanos).ldelim();

describe('decode', () => {
  it("gives proto3's defaults for what is absent", () => {
    expect(decode<Decoded>(new Uint8Array(0), MESSAGE)).toEqual({
      id: '',
      done: false,
      labels: {},
      items: [],
    });
  });

  it('reads each field it knows and skips every other, whatever its wire type', () => {
    const bytes = bytesOf((w) => {
      w.uint32(10).string('op1');
      w.uint32(16).int64(7); // field 2, a varint the descriptor does not name
      w.uint32(42).bytes(new Uint8Array([1, 2, 3])); // field 5, bytes
      w.uint32(61).fixed32(9); // field 7 as a fixed32: not the map it is meant to be
      w.uint32(65).fixed64(1); // field 8, a fixed64
      timestamp(w, 1_700_000_000, 250_000_000);
      w.uint32(48).bool(true);
      w.uint32(74).fork().uint32(8).int32(13).ldelim();
      w.uint32(74).fork().uint32(8).int32(1).ldelim();
    });
    expect(decode<Decoded>(bytes, MESSAGE)).toEqual({
      id: 'op1',
      at: new Date(1_700_000_000_250),
      done: true,
      labels: {},
      items: [{ code: 13 }, { code: 1 }],
    });
  });

  it('keeps a label named __proto__ as a label, and touches no prototype', () => {
    const bytes = bytesOf((w) => {
      label(w, '__proto__', 'polluted');
      label(w, 'env', 'prod');
    });
    const { labels } = decode<Decoded>(bytes, MESSAGE);
    expect(Object.hasOwn(labels, '__proto__')).toBe(true);
    expect(labels.env).toBe('prod');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it('reads text as Node decodes UTF-8: a byte that is not becomes U+FFFD, not nothing', () => {
    const bytes = bytesOf((w) => w.uint32(10).bytes(new Uint8Array([97, 98, 0x80, 99])));
    expect(decode<Decoded>(bytes, MESSAGE).id).toBe('ab\uFFFDc');
  });

  it('reads a time past any Date as an Invalid Date, not as a failure of the whole message', () => {
    const bytes = bytesOf((w) => {
      w.uint32(10).string('op1');
      timestamp(w, String(2n ** 62n));
    });
    const decoded = decode<Decoded>(bytes, MESSAGE);
    expect(decoded.id).toBe('op1');
    expect(Number.isNaN(decoded.at?.getTime())).toBe(true);
  });

  it.each([
    ['cut in a string', bytesOf((w) => w.uint32(10).string('operation')).subarray(0, 5)],
    ['cut in a nested message', bytesOf((w) => timestamp(w, 1)).subarray(0, 3)],
    // A map entry of 4 bytes whose key claims 3 bytes from its third: past the entry's end.
    ['a map entry whose key runs past it', new Uint8Array([58, 4, 10, 3, 97, 98, 99, 18, 0])],
    // An item of 1 byte holding a varint field that takes 2.
    ['a message whose field runs past it', new Uint8Array([74, 1, 8, 5])],
  ])('refuses bytes %s', (_case, bytes) => {
    expect(() => decode(bytes, MESSAGE)).toThrow(RangeError);
  });
});

describe('encode', () => {
  it('writes strings and int64s by number, leaving out what proto3 leaves out', () => {
    const bytes = encode([
      [1, 'b1gfolder'],
      [2, 1000],
      [3, ''],
      [4, 0],
    ]);
    const reader = protobuf.Reader.create(bytes);
    expect(reader.uint32()).toBe(10);
    expect(reader.string()).toBe('b1gfolder');
    expect(reader.uint32()).toBe(16);
    expect(Number(reader.int64())).toBe(1000);
    expect(reader.pos).toBe(bytes.length);
  });
});
