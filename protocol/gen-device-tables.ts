// `npm run gen:proto`: generates protocol/device/tables.generated.ts from
// protocol/deskphone.proto (the field tables the device codec,
// protocol/device/codec.ts, runs on, the enums as const objects for the host,
// TypeScript types for decoded values), protocol/device/enums.generated.ts
// (every enum as a const enum for the device), and through gen-catalogue.ts
// the files that come from the catalogue. Run it after changing the .proto or
// protocol/catalogue.ts; a test fails while a committed file differs from
// what this produces.
//
// Schema features the device codec does not implement (maps, oneofs, proto3
// `optional`, repeated strings or messages, floating point, fixed-width and
// 64-bit signed integers, bytes) are rejected here with the field named, so
// they cannot slip onto the device undecoded.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import protobuf from 'protobufjs';
import { Kind } from './device/kinds.ts';
import { generatedFiles } from './gen-catalogue.ts';
import { HAND_CODED, loadSchema, nestingDepth, PACKAGE, PROTO_PATH, schemaEnums } from './schema.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const TABLES_PATH = join(here, 'device', 'tables.generated.ts');
export const ENUMS_PATH = join(here, 'device', 'enums.generated.ts');
export const LIMITS_PATH = join(here, 'device-limits.json');

const SCALAR_KINDS: Record<string, Kind> = {
  uint32: Kind.Uint32,
  int32: Kind.Int32,
  sint32: Kind.Sint32,
  uint64: Kind.Uint64,
  bool: Kind.Bool,
  string: Kind.String,
};

const TS_TYPES: Record<string, string> = {
  uint32: 'number',
  int32: 'number',
  sint32: 'number',
  uint64: 'number',
  bool: 'boolean',
  string: 'string',
};

function unsupported(type: protobuf.Type, field: protobuf.Field, what: string): Error {
  return new Error(
    `${type.name}.${field.name} (field ${field.id}) ${what}, which the device codec does not support; ` +
      'extend protocol/device/codec.ts and this generator first',
  );
}

function fieldKind(type: protobuf.Type, field: protobuf.Field): Kind | protobuf.Type {
  if (field.map) throw unsupported(type, field, 'is a map');
  if (field.partOf) throw unsupported(type, field, 'is in a oneof or marked optional');
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    if (field.repeated) throw unsupported(type, field, 'is a repeated message');
    return resolved;
  }
  const base = resolved instanceof protobuf.Enum ? Kind.Int32 : SCALAR_KINDS[field.type];
  if (base === undefined) throw unsupported(type, field, `has type ${field.type}`);
  if (!field.repeated) return base;
  if (base === Kind.String) throw unsupported(type, field, 'is a repeated string');
  return base + Kind.Repeated;
}

/** Messages ordered so that each table comes after the tables it refers to. */
function dependencyOrder(messages: protobuf.Type[]): protobuf.Type[] {
  const ordered: protobuf.Type[] = [];
  const visiting = new Set<protobuf.Type>();
  const visit = (type: protobuf.Type): void => {
    if (ordered.includes(type)) return;
    if (visiting.has(type)) throw new Error(`${type.name} contains itself; the device codec needs a finite nesting depth`);
    visiting.add(type);
    for (const field of type.fieldsArray) {
      if (field.resolvedType instanceof protobuf.Type) visit(field.resolvedType);
    }
    ordered.push(type);
  };
  messages.forEach(visit);
  return ordered;
}

function quote(s: string): string {
  return `'${s}'`;
}

function enumSource(e: protobuf.Enum): string {
  const members = Object.entries(e.values).map(([name, value]) => `  ${name}: ${value},`);
  return [`export const ${e.name} = {`, ...members, '} as const;', `export type ${e.name} = (typeof ${e.name})[keyof typeof ${e.name}];`].join('\n');
}

function messageSource(type: protobuf.Type): string {
  const fields = [...type.fieldsArray].sort((a, b) => a.id - b.id);
  const slots: string[] = [];
  const members: string[] = [];
  for (const field of fields) {
    const kind = fieldKind(type, field);
    while (slots.length < (field.id - 1) * 2) slots.push('0');
    slots.push(quote(field.name), kind instanceof protobuf.Type ? kind.name : String(kind));
    let tsType: string;
    if (kind instanceof protobuf.Type) tsType = `${kind.name} | null`;
    else if (field.resolvedType instanceof protobuf.Enum) {
      // Unknown enum values arrive as plain numbers, so the type stays open.
      tsType = field.repeated ? 'number[]' : 'number';
      members.push(`  /** ${field.resolvedType.name} */`);
    } else tsType = TS_TYPES[field.type] + (field.repeated ? '[]' : '');
    members.push(`  ${field.name}: ${tsType};`);
  }
  return [
    `export interface ${type.name} {`,
    ...members,
    '}',
    `export const ${type.name}: Table<${type.name}> = [${slots.join(', ')}];`,
  ].join('\n');
}

/** Checks that every key of device-limits.json names a string field of the schema. */
export function checkLimits(ns: protobuf.Namespace, limits: Record<string, unknown>): void {
  for (const [key, limit] of Object.entries(limits)) {
    if (key.startsWith('_')) continue;
    const [typeName, fieldName] = key.split('.');
    const type = ns.get(typeName ?? '');
    const field = type instanceof protobuf.Type ? type.fields[fieldName ?? ''] : undefined;
    if (!field || field.type !== 'string') throw new Error(`device-limits.json: "${key}" is not a string field of ${PACKAGE}`);
    if (typeof limit !== 'number' || !(limit > 0)) throw new Error(`device-limits.json: "${key}" must be a positive number of characters`);
  }
}

/** The complete text of tables.generated.ts for the given .proto. */
export function generateDeviceTables(protoPath = PROTO_PATH): string {
  const ns = loadSchema(protoPath);
  const enums = schemaEnums(ns);
  const messages = dependencyOrder(ns.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type && !HAND_CODED.includes(n.name)));
  const depth = Math.max(...messages.map(nestingDepth));
  const kindLegend = Object.entries(SCALAR_KINDS)
    .map(([name, kind]) => `${kind} ${name}`)
    .join(', ');
  return [
    `// GENERATED from protocol/deskphone.proto by protocol/gen-device-tables.ts: do not edit.`,
    `// Regenerate with \`npm run gen:proto\`. Tables: [name, kind, ...] per field number`,
    `// (see protocol/device/codec.ts); kinds: ${kindLegend}; +${Kind.Repeated} repeated; a table for a message field.`,
    '',
    "import type { Table } from './codec.ts';",
    '',
    '/** Deepest message nesting in the schema; the decoder rejects anything deeper. */',
    `export const DEPTH = ${depth};`,
    '',
    ...enums.map((e) => enumSource(e) + '\n'),
    ...messages.map((m) => messageSource(m) + '\n'),
    '/** Decoded value of each message type, by name. */',
    'export interface Messages {',
    ...messages.map((m) => `  ${m.name}: ${m.name};`),
    '}',
    'export type MessageName = keyof Messages;',
    '',
  ].join('\n');
}

/**
 * The device codec with every message table, bundled and minified the way the
 * firmware build does it; for the size report and the Espruino gate. A one-line
 * harness keeps the tables from being dropped as unused.
 */
export async function bundleDeviceCodec(): Promise<string> {
  const { build } = await import('esbuild');
  const names = messageNames(loadSchema());
  const result = await build({
    stdin: {
      contents:
        "import { decode, encode } from './codec.ts';\n" +
        `import { ${names.join(', ')} } from './tables.generated.ts';\n` +
        `(globalThis as any).DPC = [decode, encode, ${names.join(', ')}];\n`,
      resolveDir: join(here, 'device'),
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    target: 'es2015',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/**
 * The complete text of enums.generated.ts: every enum of the .proto as a
 * `const enum`, so the device bundle carries bare numbers (the `as const`
 * objects of tables.generated.ts cost ~420 bytes per board) and no enum is
 * mirrored by hand.
 */
export function generateDeviceEnums(protoPath = PROTO_PATH): string {
  const body = schemaEnums(loadSchema(protoPath)).map((e) =>
    [`export const enum ${e.name} {`, ...Object.entries(e.values).map(([name, value]) => `  ${name} = ${value},`), '}', ''].join('\n'),
  );
  return [
    `// GENERATED from protocol/deskphone.proto by protocol/gen-device-tables.ts: do not edit.`,
    '// Regenerate with `npm run gen:proto`. The device imports enums from here; the host uses tables.generated.ts.',
    '',
    ...body,
  ].join('\n');
}

function messageNames(ns: protobuf.Namespace): string[] {
  return ns.nestedArray.filter((n) => n instanceof protobuf.Type && !HAND_CODED.includes(n.name)).map((n) => n.name);
}

/** Every file `npm run gen:proto` writes, with its text. */
export function allGeneratedFiles(): [path: string, text: string][] {
  return [[TABLES_PATH, generateDeviceTables()], [ENUMS_PATH, generateDeviceEnums()], ...generatedFiles()];
}

function main(): void {
  checkLimits(loadSchema(), JSON.parse(readFileSync(LIMITS_PATH, 'utf8')));
  for (const [path, text] of allGeneratedFiles()) {
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
