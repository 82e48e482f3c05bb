import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import snmp from 'net-snmp';
import type { MibEntry } from 'net-snmp';

/** A resolved OID: the MIB object's name and OID, and what follows that OID ("" when there is nothing). */
export interface ResolvedOid {
  readonly name: string;
  readonly objectOid: string;
  readonly instance: string;
}

/** Named values of an INTEGER object (ifOperStatus: 1 up, 2 down ...), for readable bodies. */
export type Enumeration = ReadonlyMap<number, string>;

/**
 * OID -> name tables built once from the MIBs, so that naming a varbind is a few map lookups.
 * Only leaf objects (OBJECT-TYPEs with nothing named below them: scalars and table columns) are
 * matched by prefix: matching a table, a row or a subtree such as `enterprises` would name an
 * unknown object after its parent, which reads as knowledge the receiver does not have.
 */
export class MibNames {
  constructor(
    private readonly exact: ReadonlyMap<string, string>,
    private readonly leaves: ReadonlyMap<string, string>,
    private readonly enumerations: ReadonlyMap<string, Enumeration>,
  ) {}

  /** Number of OIDs with a name. */
  get size(): number {
    return this.exact.size;
  }

  /** The name defined for exactly this OID (a notification such as linkDown), if any. */
  nameOf(oid: string): string | undefined {
    return this.exact.get(oid);
  }

  /** The leaf object the OID is an instance of (longest prefix), or the node it names exactly. */
  resolve(oid: string): ResolvedOid | undefined {
    let end = oid.length;
    while (end > 0) {
      const prefix = end === oid.length ? oid : oid.slice(0, end);
      const leaf = this.leaves.get(prefix);
      if (leaf !== undefined) return { name: leaf, objectOid: prefix, instance: end === oid.length ? '' : oid.slice(end + 1) };
      end = oid.lastIndexOf('.', end - 1);
    }
    const name = this.exact.get(oid);
    return name === undefined ? undefined : { name, objectOid: oid, instance: '' };
  }

  /** The enumeration of the leaf object at this OID (without instance), if it has one. */
  enumerationOf(objectOid: string): Enumeration | undefined {
    return this.enumerations.get(objectOid);
  }
}

/** The folder of MIB files net-snmp ships (IF-MIB, IANAifType-MIB and its base modules). */
export function bundledMibDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('net-snmp')), 'lib', 'mibs');
}

interface MibFile {
  readonly path: string;
  readonly module: string;
  readonly imports: readonly string[];
}

const MODULE_HEADER = /^\s*([A-Za-z][\w-]*)\s+DEFINITIONS\s*::=\s*BEGIN/m;
const IMPORTS_SECTION = /\bIMPORTS\b([\s\S]*?);/;
const FROM_CLAUSE = /\bFROM\s+([A-Za-z][\w-]*)/g;

function scanMibFile(path: string): MibFile | undefined {
  // Comments are stripped first so that a commented-out IMPORTS or FROM does not reorder loading.
  const text = readFileSync(path, 'utf8').replace(/--.*$/gm, '');
  const header = MODULE_HEADER.exec(text);
  if (!header) return undefined;
  const section = IMPORTS_SECTION.exec(text.slice(header.index))?.[1] ?? '';
  return { path, module: header[1]!, imports: [...section.matchAll(FROM_CLAUSE)].map((m) => m[1]!) };
}

/**
 * Orders files so that each module comes after the modules it imports: net-snmp's parser resolves
 * imports only against modules already loaded (IF-MIB needs IANAifType-MIB first) and prints to the
 * console when one is missing. Import cycles and imports of modules nobody supplies keep file order.
 */
function importOrder(files: readonly MibFile[], loaded: ReadonlySet<string>): MibFile[] {
  const byModule = new Map(files.map((f) => [f.module, f]));
  const ordered: MibFile[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (file: MibFile) => {
    if (state.has(file.module)) return;
    state.set(file.module, 'visiting');
    for (const dep of file.imports) {
      const depFile = byModule.get(dep);
      if (depFile && !loaded.has(dep)) visit(depFile);
    }
    state.set(file.module, 'done');
    ordered.push(file);
  };
  for (const f of files) visit(f);
  return ordered;
}

function listMibFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(dir, e.name))
    .sort();
}

function enumerationOf(entry: MibEntry): Enumeration | undefined {
  const syntax = entry.SYNTAX;
  if (typeof syntax !== 'object' || syntax === null || !('INTEGER' in syntax)) return undefined;
  const values = (syntax as { INTEGER: unknown }).INTEGER;
  if (typeof values !== 'object' || values === null) return undefined;
  const out = new Map<number, string>();
  for (const [k, v] of Object.entries(values)) {
    const n = Number(k);
    if (Number.isInteger(n) && typeof v === 'string') out.set(n, v);
  }
  return out.size > 0 ? out : undefined;
}

/**
 * Loads net-snmp's bundled MIBs and then every file in `dirs` into one module store and builds the
 * name tables from it. Throws with the file named when a directory or file cannot be read or parsed.
 */
export function loadMibNames(dirs: readonly string[]): MibNames {
  const store = snmp.createModuleStore();
  const loaded = new Set(store.getModuleNames(true));
  for (const dir of [bundledMibDir(), ...dirs]) {
    let files: MibFile[];
    try {
      files = listMibFiles(dir).flatMap((path) => scanMibFile(path) ?? []);
    } catch (err) {
      throw new Error(`cannot read MIB directory ${dir}: ${(err as Error).message}`, { cause: err });
    }
    for (const file of importOrder(files, loaded)) {
      if (loaded.has(file.module)) continue;
      try {
        store.loadFromFile(file.path);
      } catch (err) {
        throw new Error(`cannot load MIB file ${file.path}: ${(err as Error).message}`, { cause: err });
      }
      loaded.add(file.module);
    }
  }

  const exact = new Map<string, string>();
  const objects = new Map<string, MibEntry>();
  // Later modules win, so a user's MIB can rename what an older base module (RFC1213-MIB) defines.
  for (const module of Object.values(store.getModules(true))) {
    for (const entry of Object.values(module)) {
      if (typeof entry !== 'object' || entry === null || !entry.OID || !entry.ObjectName) continue;
      if (!/^\d+(?:\.\d+)*$/.test(entry.OID)) continue; // a node the parser could not mount
      exact.set(entry.OID, entry.ObjectName);
      if (entry.MACRO === 'OBJECT-TYPE') objects.set(entry.OID, entry);
      else objects.delete(entry.OID);
    }
  }
  // Leafness is read from the tree rather than from each definition, because old modules disagree
  // (RFC1158-MIB defines ifEntry without the INDEX that marks it a row everywhere else).
  const parents = new Set<string>();
  for (const oid of exact.keys()) {
    for (let dot = oid.lastIndexOf('.'); dot > 0; dot = oid.lastIndexOf('.', dot - 1)) parents.add(oid.slice(0, dot));
  }
  const leaves = new Map<string, string>();
  const enumerations = new Map<string, Enumeration>();
  for (const [oid, entry] of objects) {
    if (parents.has(oid)) continue;
    leaves.set(oid, entry.ObjectName!);
    const e = enumerationOf(entry);
    if (e) enumerations.set(oid, e);
  }
  return new MibNames(exact, leaves, enumerations);
}
