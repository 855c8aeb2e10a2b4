// The contract as a protobufjs schema, loaded from deskphone.proto with
// camelCase field names: read by the host codec and by the generators.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export const PROTO_PATH = join(dirname(fileURLToPath(import.meta.url)), 'deskphone.proto');
export const PACKAGE = 'deskphone.v1';

/**
 * Messages the desk codes by hand (its update path, shared with the
 * recovery, which has no room for the generic codec; docs/updates.md): no
 * device table, and they may use `bytes`.
 */
export const HAND_CODED: readonly string[] = ['UpdateChunk', 'RecoveryCode'];

/** The contract's package namespace (camelCase field names, as both codecs use them). */
export function loadSchema(protoPath = PROTO_PATH): protobuf.Namespace {
  const root = protobuf.loadSync(protoPath);
  root.resolveAll();
  return root.lookup(PACKAGE) as protobuf.Namespace;
}

/** The contract's enums by name. */
export function schemaEnums(ns: protobuf.Namespace): protobuf.Enum[] {
  return ns.nestedArray.filter((n): n is protobuf.Enum => n instanceof protobuf.Enum);
}

/** How many messages deep the type goes (1 for a message without message fields). */
export function nestingDepth(type: protobuf.Type): number {
  let deepest = 0;
  for (const field of type.fieldsArray) {
    if (field.resolvedType instanceof protobuf.Type) deepest = Math.max(deepest, nestingDepth(field.resolvedType));
  }
  return deepest + 1;
}
