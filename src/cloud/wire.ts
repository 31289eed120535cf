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

/** A field: its name in the decoded object, and how it is read. */
export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  /** A `repeated` field: every occurrence is kept, in order. */
  readonly repeated?: true;
}

/** Each field the function reads, by its number. */
export type Descriptor = Readonly<Record<number, FieldSpec>>;

/**
 * `timestamp` is a google.protobuf.Timestamp read as a Date (an Invalid Date past Date's range,
 * which the callers' range check refuses); `labels` is a `map<string, string>`.
 */
export type FieldType = 'string' | 'bool' | 'int32' | 'timestamp' | 'labels' | Descriptor;

const WireType = { Varint: 0, LengthDelimited: 2 } as const;

const wireTypeOf = (type: FieldType) =>
  type === 'bool' || type === 'int32' ? WireType.Varint : WireType.LengthDelimited;

/** The tag a field of this number and wire type starts with. */
const tagOf = (number: number, wireType: number) => (number << 3) | wireType;

/** An int64 as a number: protobufjs gives a Long where the `long` package is at hand. */
const int64 = (reader: protobuf.Reader): number => {
  const value = reader.int64() as unknown as number | { toNumber(): number };
  return typeof value === 'number' ? value : value.toNumber();
};

/**
 * A string, its length checked against the bytes: protobufjs's reader of a Buffer cuts a string
 * that runs past the end short, where a cut answer must fail as one.
 */
function readString(reader: protobuf.Reader): string {
  const length = reader.uint32();
  const start = reader.pos;
  if (start + length > reader.len) {
    throw new RangeError(`index out of range: ${start} + ${length} > ${reader.len}`);
  }
  reader.pos = start + length;
  return protobuf.util.utf8.read(reader.buf, start, reader.pos);
}

/** The fields of a nested message, each passed to `read` with its tag, to its end. */
function eachField(reader: protobuf.Reader, read: (tag: number) => boolean): void {
  const length = reader.uint32();
  const end = reader.pos + length;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (!read(tag)) reader.skipType(tag & 7);
  }
  // A length that runs past its message's end is a broken answer, not a shorter message.
  if (reader.pos > end) throw new RangeError(`index out of range: ${reader.pos} > ${end}`);
}

/** google.protobuf.Timestamp: seconds (1, int64) and nanos (2, int32). */
function readTimestamp(reader: protobuf.Reader): Date {
  let seconds = 0;
  let nanos = 0;
  eachField(reader, (tag) => {
    if (tag === tagOf(1, WireType.Varint)) seconds = int64(reader);
    else if (tag === tagOf(2, WireType.Varint)) nanos = reader.int32();
    else return false;
    return true;
  });
  return new Date(seconds * 1000 + nanos / 1e6);
}

/**
 * One map entry, key (1) and value (2), into `labels`. A key such as `__proto__` is an own
 * property like any other: the object has no prototype to reach.
 */
function readLabel(reader: protobuf.Reader, labels: Record<string, string>): void {
  let key = '';
  let value = '';
  eachField(reader, (tag) => {
    if (tag === tagOf(1, WireType.LengthDelimited)) key = readString(reader);
    else if (tag === tagOf(2, WireType.LengthDelimited)) value = readString(reader);
    else return false;
    return true;
  });
  labels[key] = value;
}

/** A message with proto3's defaults for what it reads: '' and false, 0, [] and {}. */
function withDefaults(descriptor: Descriptor): Record<string, unknown> {
  const message: Record<string, unknown> = {};
  for (const { name, type, repeated } of Object.values(descriptor)) {
    if (repeated) message[name] = [];
    else if (type === 'string') message[name] = '';
    else if (type === 'bool') message[name] = false;
    else if (type === 'int32') message[name] = 0;
    else if (type === 'labels') message[name] = Object.create(null);
  }
  return message;
}

function readValue(reader: protobuf.Reader, type: FieldType): unknown {
  switch (type) {
    case 'string':
      return readString(reader);
    case 'bool':
      return reader.bool();
    case 'int32':
      return reader.int32();
    case 'timestamp':
      return readTimestamp(reader);
    case 'labels':
      throw new TypeError('a map is read entry by entry');
    default: {
      const length = reader.uint32();
      return readMessage(reader, type, reader.pos + length);
    }
  }
}

function readMessage(reader: protobuf.Reader, descriptor: Descriptor, end: number) {
  const message = withDefaults(descriptor);
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = descriptor[tag >>> 3];
    // A field whose wire type is not the proto's is not the field this code knows: skipped.
    if (field === undefined || (tag & 7) !== wireTypeOf(field.type)) {
      reader.skipType(tag & 7);
    } else if (field.type === 'labels') {
      readLabel(reader, message[field.name] as Record<string, string>);
    } else if (field.repeated) {
      (message[field.name] as unknown[]).push(readValue(reader, field.type));
    } else {
      message[field.name] = readValue(reader, field.type);
    }
  }
  // A length that runs past the bytes is a broken answer, not a shorter message.
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
      if (value !== '') writer.uint32(tagOf(number, WireType.LengthDelimited)).string(value);
    } else if (value !== 0) {
      writer.uint32(tagOf(number, WireType.Varint)).int64(value);
    }
  }
  return Buffer.from(writer.finish());
}
