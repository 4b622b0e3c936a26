// Encoding messages into one reused buffer. ts-proto's encode() starts every message in an empty
// BinaryWriter that doubles as it goes: a 40 KiB PRM request with its patches allocates, zeroes and
// copies its bytes several times over (the reward service's largest CPU cost in encoding, #15).
// One writer per process keeps its grown buffer; finish() copies the message out and resets it.
// Encoding is synchronous and never re-entered, so one writer is enough.
import { BinaryWriter } from "@bufbuild/protobuf/wire";

/** A reused buffer past this size is let go after the message: one huge image must not pin it. */
const KEEP_BYTES = 8 << 20;

let shared = new BinaryWriter();

type Encode = (message: unknown, writer?: BinaryWriter) => BinaryWriter;

/** `encode` writing into the shared writer; what it returns is only ever asked to finish(). */
function intoSharedWriter(encode: Encode): Encode {
  return (message, writer) => {
    if (writer) return encode(message, writer);
    const into = shared;
    try {
      encode(message, into);
    } catch (err) {
      shared = new BinaryWriter(); // half a message is in it
      throw err;
    }
    const finish = (): Uint8Array => {
      const bytes = into.finish();
      if (bytes.length > KEEP_BYTES) shared = new BinaryWriter();
      return bytes;
    };
    return { finish } as BinaryWriter;
  };
}

interface MessageType {
  encode: Encode;
}

interface TsProtoMethod {
  requestType: MessageType;
  responseType: MessageType;
}

/** The same ts-proto service definition with requests and responses encoded into the shared writer. */
export function withSharedEncoding<D extends object>(definition: D): D {
  const def = definition as Record<string, unknown>;
  if (!("fullName" in def && "methods" in def)) return definition;
  const methods = def.methods as Record<string, TsProtoMethod>;
  const wrapped = Object.fromEntries(
    Object.entries(methods).map(([name, m]) => [
      name,
      {
        ...m,
        requestType: { ...m.requestType, encode: intoSharedWriter(m.requestType.encode) },
        responseType: { ...m.responseType, encode: intoSharedWriter(m.responseType.encode) },
      },
    ]),
  );
  return { ...def, methods: wrapped } as D;
}
