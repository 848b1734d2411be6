// Writes lib/addon/wire.ts, the TypeScript definitions of the wire, from the catalogue the
// addon exports (native/common/schema.h): message types and their numbers, each message's
// request and reply fields, list records and enums. One source for both sides: renaming a
// field in schema.h and regenerating breaks the TypeScript that still uses the old name.
//   npm run wire:types            rewrites lib/addon/wire.ts
//   npm run wire:types -- --check fails when the file is not what the catalogue gives
// test/wire-types.test.ts runs the check in npm test.
import fs from 'node:fs';
import path from 'node:path';
import { loadAddon, type WireFieldSchema, type WireSchema } from '../lib/addon/index.js';
import { packageRoot } from '../lib/paths.js';

export const wireTypesFile = path.join(packageRoot, 'lib', 'addon', 'wire.ts');

const pascal = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** The text of lib/addon/wire.ts for a catalogue. */
export function generateWireTypes(schema: WireSchema): string {
  const out: string[] = [];
  const line = (s = '') => out.push(s);
  line('// The wire between the protocol library and the host, for TypeScript: GENERATED from the');
  line('// catalogue in native/common/schema.h (as the addon exports it) by scripts/wire-types.ts.');
  line('// Do not edit: change schema.h, rebuild, and run `npm run wire:types`; a test checks that');
  line('// this file is current. A field added by a later wire version is optional (`?`): a peer of');
  line('// an earlier version does not send it.');
  line();
  line(`/** The newest wire version this package speaks. */`);
  line(`export const WIRE_VERSION = ${schema.version};`);
  line(`/** The oldest wire version it still speaks. */`);
  line(`export const WIRE_MIN_VERSION = ${schema.minVersion};`);
  line(`/** The oldest wire version with the admin endpoint's messages. */`);
  line(`export const WIRE_ADMIN_MIN_VERSION = ${schema.adminMinVersion};`);
  line(`/** The hello's magic ("RRBG"). */`);
  line(`export const WIRE_MAGIC = 0x${schema.magic.toString(16)};`);
  line(`/** A frame's header: u32 length (of what follows it), u16 type, u16 flags, u32 id. */`);
  line(`export const WIRE_HEADER_BYTES = ${schema.headerBytes};`);
  line(`/** The flags bit of a reply. */`);
  line(`export const WIRE_FLAG_REPLY = ${schema.replyFlag};`);
  line();
  line('/** The values of an enum object. */');
  line('type ValueOf<T> = T[keyof T];');
  line('/** A request or reply without fields. */');
  line('export type NoFields = Record<string, never>;');

  const usedBy = new Map<string, string[]>();
  const noteUses = (where: string, fields: WireFieldSchema[]) => {
    for (const f of fields) {
      if (f.enum) usedBy.set(f.enum, [...(usedBy.get(f.enum) ?? []), `${where}.${f.name}`]);
      if (f.record) noteUses(`${where}.${f.name}[]`, f.record);
    }
  };
  for (const m of schema.messages) {
    noteUses(m.name, m.request);
    noteUses(`${m.name} reply`, m.reply);
  }
  for (const e of schema.enums) {
    line();
    line(`/** ${e.bits ? 'Bits of' : 'Values of'} ${(usedBy.get(e.name) ?? ['(unused)']).join(', ')}. */`);
    const values = e.values.map((v) => `${v.name}: ${v.value}`);
    if (values.join(', ').length <= 60) {
      line(`export const ${e.name} = { ${values.join(', ')} } as const;`);
    } else {
      line(`export const ${e.name} = {`);
      for (const v of values) line(`  ${v},`);
      line('} as const;');
    }
    line(`export type ${e.name} = ValueOf<typeof ${e.name}>;`);
  }

  const records: string[] = [];
  const typeOf = (owner: string, f: WireFieldSchema, first: number, delivered = false): string => {
    switch (f.kind) {
      case 'u32': return f.enum && !schema.enums.find((e) => e.name === f.enum)?.bits ? f.enum : 'number';
      case 'u64': return 'bigint';
      case 'blob': return 'Buffer';
      case 'text':
      case 'utf16': return 'string';
      case 'list': {
        const item = `${owner}${pascal(f.name)}`;
        const fields = f.record ?? [];
        const packable = fields.length > 0 && fields.every((r) => r.kind === 'u32' || r.kind === 'blob');
        if (packable) layouts.push(...layoutText(`${item}Layout`, fields));
        // What the addon delivers of a list of u32 and blob records: packed records (convert.cc).
        if (delivered && packable) return 'Uint32Array';
        records.push(...recordText(`${item}Item`, fields, `${item}Item`, first));
        return `${item}Item[]`;
      }
    }
  };
  // Where each field of a packed record sits (in u32 slots; a blob takes four: 16 bytes).
  const layouts: string[] = [];
  const layoutText = (name: string, fields: WireFieldSchema[]): string[] => {
    let at = 0;
    const slots = fields.map((r) => {
      const text = `  ${r.name}: ${at},`;
      at += r.kind === 'u32' ? 1 : 4;
      return text;
    });
    return ['', `/** Slots of a packed record (PackedRecords); stride: slots per record. */`, `export const ${name} = {`, ...slots, `  stride: ${at},`, '} as const;'];
  };
  // first: the version of the message the fields belong to; a field added after it is optional.
  // delivered: fields the addon hands to JS (requests from the library, replies to the host's).
  const fieldsText = (owner: string, fields: WireFieldSchema[], indent: string, first: number, delivered = false): string[] =>
    fields.flatMap((f) => {
      const type = typeOf(owner, f, first, delivered);
      return [
        ...(f.since > first ? [`${indent}/** Since wire version ${f.since}. */`] : []),
        ...(type === 'Uint32Array' ? [`${indent}/** Packed records: see ${owner}${pascal(f.name)}Layout. */`] : []),
        `${indent}${f.name}${f.since > first ? '?' : ''}: ${type};`,
      ];
    });
  // owner: what the interface's own lists are named after (routes.ops: RoutesOpsItem).
  const recordText = (name: string, fields: WireFieldSchema[], owner = name, first = 1, delivered = false): string[] => [
    '',
    `export interface ${name} {`,
    ...fieldsText(owner, fields, '  ', first, delivered),
    '}',
  ];
  // Each side of a message with fields is an interface of its own (StartRequest, MibReply...).
  const sides: string[] = [];
  const side = (name: string, fields: WireFieldSchema[], owner: string, first: number, delivered: boolean) => {
    if (!fields.length) return 'NoFields';
    sides.push(...recordText(name, fields, owner, first, delivered));
    return name;
  };

  const entries = schema.messages.map((m) => {
    const owner = pascal(m.name);
    // The addon delivers the library's requests and the replies to ours (host or operator tool).
    const fromDll = m.direction.startsWith('dllTo');
    const request = side(`${owner}Request`, m.request, owner, m.since, fromDll);
    const reply = side(`${owner}Reply`, m.reply, `${owner}Reply`, m.since, !fromDll);
    return `  ${m.name}: { type: ${m.type}; direction: '${m.direction}';${m.since > 1 ? ` since: ${m.since};` : ''} request: ${request}; reply: ${reply} };`;
  });
  out.push(...sides);
  out.push(...records);
  out.push(...layouts);
  line();
  line('/** Every message type: its number, who sends the request, and its fields. */');
  line('export interface WireMessages {');
  out.push(...entries);
  line('}');
  line();
  line('/** The number of each message type on the wire. */');
  line('export const MessageType = {');
  for (const m of schema.messages) line(`  ${m.name}: ${m.type},`);
  line('} as const;');
  line('export type MessageType = keyof WireMessages;');
  const directions: [string, WireSchema['messages'][number]['direction'], string][] = [
    ['DllToHost', 'dllToHost', 'Requests the library sends (the host answers them).'],
    ['HostToDll', 'hostToDll', 'Requests the host sends (the library answers them).'],
    ['AdminToDll', 'adminToDll', "Requests an operator's tool sends to the library's admin endpoint."],
    ['DllToAdmin', 'dllToAdmin', "What the admin endpoint streams to an operator's tool (notifications)."],
  ];
  for (const [name, direction, doc] of directions) {
    line(`/** ${doc} */`);
    line(`export type ${name} = ${schema.messages.filter((m) => m.direction === direction).map((m) => `'${m.name}'`).join(' | ')};`);
  }
  return `${out.join('\n')}\n`;
}

function main(): void {
  const text = generateWireTypes(loadAddon().schema);
  const current = fs.existsSync(wireTypesFile) ? fs.readFileSync(wireTypesFile, 'utf8') : '';
  if (process.argv.includes('--check')) {
    if (text !== current) {
      process.stderr.write(`${path.relative(process.cwd(), wireTypesFile)} is not current: run npm run wire:types\n`);
      process.exit(1);
    }
    return;
  }
  if (text !== current) fs.writeFileSync(wireTypesFile, text);
  process.stdout.write(`${path.relative(process.cwd(), wireTypesFile)}: ${text === current ? 'current' : 'written'}\n`);
}

if (require.main === module) main();
