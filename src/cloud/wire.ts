import protobuf from 'protobufjs/minimal';

/**
 * The protobuf wire format of the few messages the function sends and reads, on protobufjs's
 * Reader and Writer: each message is described by the fields it reads, by their numbers in the
 * cloudapi protos, and every other field is skipped, as any proto3 parser skips what it does not
 * know. The SDK's generated code would decode every field of every message, and carries the
 * types of all the fields it decodes: for a managed database's cluster, the settings of every
 * version, megabytes of code for one id. test/wire/ holds each descriptor to the SDK's generated
 * messages, so a change in the protos fails a test.
 */

/**
 * `timestamp` is a google.protobuf.Timestamp read as a Date (an Invalid Date past Date's range,
 * which the callers' range checks refuse); `labels` is a `map<string, string>`; `bytes` is read
 * as a copy, so that it does not keep the whole answer alive.
 */
type Scalar = 'string' | 'bool' | 'int32' | 'int64' | 'timestamp' | 'labels' | 'bytes';

/**
 * A field: its name in the decoded object, and how it is read. Only a message may be `repeated`:
 * proto3 packs repeated scalars, which this reader does not unpack.
 */
export type FieldSpec =
  | { readonly name: string; readonly type: Scalar }
  | { readonly name: string; readonly type: Descriptor; readonly repeated?: true };

/** Each field the function reads, by its number. */
export type Descriptor = Readonly<Record<number, FieldSpec>>;

const WireType = { Varint: 0, LengthDelimited: 2 } as const;

const VARINTS: ReadonlySet<FieldSpec['type']> = new Set(['bool', 'int32', 'int64']);

/** google.protobuf.Timestamp. */
const TIMESTAMP: Descriptor = {
  1: { name: 'seconds', type: 'int64' },
  2: { name: 'nanos', type: 'int32' },
};

/** One entry of a `map<string, string>`, as protoc writes it. */
const MAP_ENTRY: Descriptor = {
  1: { name: 'key', type: 'string' },
  2: { name: 'value', type: 'string' },
};

/** An int64 as a number: protobufjs gives a Long where the `long` package is at hand. */
const int64 = (reader: protobuf.Reader): number => {
  const value = reader.int64() as unknown as number | { toNumber(): number };
  return typeof value === 'number' ? value : value.toNumber();
};

/**
 * A string, its length checked against the bytes: protobufjs's reader of a Buffer cuts a string
 * that runs past the end short, where a cut answer must fail as one. Decoded as Node decodes
 * UTF-8, a byte that is not UTF-8 becoming U+FFFD, so no id is changed into another valid one.
 */
function readString(reader: protobuf.Reader): string {
  const length = reader.uint32();
  const start = reader.pos;
  if (start + length > reader.len) {
    throw new RangeError(`index out of range: ${start} + ${length} > ${reader.len}`);
  }
  reader.pos = start + length;
  const { buf } = reader;
  const bytes = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  return bytes.toString('utf8', start, reader.pos);
}

/** A message with proto3's defaults for what it reads: '', false, 0, [] and {}. */
function withDefaults(descriptor: Descriptor): Record<string, unknown> {
  const message: Record<string, unknown> = {};
  for (const field of Object.values(descriptor)) {
    if ('repeated' in field) message[field.name] = [];
    else if (field.type === 'string') message[field.name] = '';
    else if (field.type === 'bool') message[field.name] = false;
    else if (field.type === 'int32' || field.type === 'int64') message[field.name] = 0;
    // No prototype: a label named `__proto__` is a label like any other.
    else if (field.type === 'labels') message[field.name] = Object.create(null);
  }
  return message;
}

function nested(reader: protobuf.Reader, descriptor: Descriptor): Record<string, unknown> {
  const length = reader.uint32();
  return readMessage(reader, descriptor, reader.pos + length);
}

function readValue(reader: protobuf.Reader, type: FieldSpec['type']): unknown {
  switch (type) {
    case 'string':
      return readString(reader);
    case 'bool':
      return reader.bool();
    case 'int32':
      return reader.int32();
    case 'int64':
      return int64(reader);
    case 'timestamp': {
      const { seconds, nanos } = nested(reader, TIMESTAMP) as { seconds: number; nanos: number };
      return new Date(seconds * 1000 + nanos / 1e6);
    }
    case 'labels':
      return nested(reader, MAP_ENTRY);
    case 'bytes':
      return Buffer.from(reader.bytes());
    default:
      return nested(reader, type);
  }
}

function readMessage(reader: protobuf.Reader, descriptor: Descriptor, end: number) {
  const message = withDefaults(descriptor);
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = descriptor[tag >>> 3];
    const wireType =
      field && (VARINTS.has(field.type) ? WireType.Varint : WireType.LengthDelimited);
    // A field whose wire type is not the proto's is not the field this code knows: skipped.
    if (field === undefined || (tag & 7) !== wireType) {
      reader.skipType(tag & 7);
      continue;
    }
    const value = readValue(reader, field.type);
    if (field.type === 'labels') {
      const { key, value: label } = value as { key: string; value: string };
      (message[field.name] as Record<string, string>)[key] = label;
    } else if ('repeated' in field) {
      (message[field.name] as unknown[]).push(value);
    } else {
      message[field.name] = value;
    }
  }
  // A length that runs past its message's end is a broken answer, not a shorter message.
  if (reader.pos > end) throw new RangeError(`index out of range: ${reader.pos} > ${end}`);
  return message;
}

/**
 * Decodes `bytes` as the message `descriptor` describes, into `T`, which the caller names after
 * the descriptor. Throws on bytes that are not a protobuf message (grpc-js then fails the call as
 * an answer it could not read).
 */
export function decode<T>(bytes: Uint8Array, descriptor: Descriptor): T {
  const reader = protobuf.Reader.create(bytes);
  return readMessage(reader, descriptor, reader.len) as T;
}

/** A request's field: a string, or a whole number sent as an int64. */
export type RequestField = readonly [number: number, value: string | number];

/** Encodes a request of strings and int64s; as proto3 has it, a default value is not sent. */
export function encode(fields: readonly RequestField[]): Buffer {
  const writer = protobuf.Writer.create();
  for (const [number, value] of fields) {
    if (typeof value === 'string') {
      if (value !== '') writer.uint32((number << 3) | WireType.LengthDelimited).string(value);
    } else if (value !== 0) {
      writer.uint32((number << 3) | WireType.Varint).int64(value);
    }
  }
  return Buffer.from(writer.finish());
}
