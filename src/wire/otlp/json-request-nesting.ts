import type { InstrumentationScope, Resource } from '../../model/resource.js';
import type { DecodeResult } from './export-result.js';
import type { JsonObject } from './json-common.js';
import { asElement, atPath, parseRequest, readArray, readResource, readScope, readString, toDecodeError } from './json-common.js';
import { Rejections } from './protobuf-rejections.js';

// The request -> resource list -> scope list -> items walk that every OTLP/JSON Export request
// shares, written once so that paths in DecodeError messages and the partial-success count come out
// the same for every signal. A signal supplies its keys, how to read one item and how to name the
// nesting in the model. Within each level the resource or scope is read before schemaUrl and the
// list below it, so that of several malformed fields the same one is reported first every time.

/** What differs between the signals' JSON requests. Each signal keeps one frozen instance. */
export interface JsonNesting<I, S, R, B> {
  /** How the partial-success message names one rejected item and several. */
  readonly itemNoun: { readonly one: string; readonly many: string };
  /** The request's key for its resource list, e.g. `resourceSpans`. */
  readonly resourcesKey: string;
  /** A resource's key for its scope list, e.g. `scopeSpans`. */
  readonly scopesKey: string;
  /** A scope's key for its item list, e.g. `spans`. */
  readonly itemsKey: string;
  /** Reads one item; undefined when it is rejected alone, having been added to `rejections`. */
  readonly readItem: (o: JsonObject, rejections: Rejections) => I | undefined;
  readonly scopeOf: (scope: InstrumentationScope, schemaUrl: string, items: I[]) => S;
  readonly resourceOf: (resource: Resource, schemaUrl: string, scopes: S[]) => R;
  readonly batchOf: (resources: R[]) => B;
}

/** Decodes an OTLP/JSON Export request; anything malformed but an item's IDs throws DecodeError naming the path. */
export function decodeNestedJson<I, S, R, B>(text: string, nesting: JsonNesting<I, S, R, B>): DecodeResult<B> {
  const root = parseRequest(text);
  const rejections = new Rejections(nesting.itemNoun);
  let resources: R[];
  try {
    resources = readResourceList(root, nesting, rejections);
  } catch (err) {
    throw toDecodeError(err);
  }
  return { batch: nesting.batchOf(resources), rejected: rejections.count, errorMessage: rejections.message() };
}

function readResourceList<I, S, R, B>(root: JsonObject, nesting: JsonNesting<I, S, R, B>, rejections: Rejections): R[] {
  const arr = readArray(root, nesting.resourcesKey);
  const out: R[] = new Array(arr.length);
  let i = 0;
  try {
    for (; i < arr.length; i++) {
      const o = asElement(arr[i]);
      const resource = readResource(o);
      const schemaUrl = readString(o, 'schemaUrl');
      out[i] = nesting.resourceOf(resource, schemaUrl, readScopeList(o, nesting, rejections));
    }
  } catch (err) {
    throw atPath(err, `${nesting.resourcesKey}[${i}]`);
  }
  return out;
}

function readScopeList<I, S, R, B>(parent: JsonObject, nesting: JsonNesting<I, S, R, B>, rejections: Rejections): S[] {
  const arr = readArray(parent, nesting.scopesKey);
  const out: S[] = new Array(arr.length);
  let i = 0;
  try {
    for (; i < arr.length; i++) {
      const o = asElement(arr[i]);
      const scope = readScope(o);
      const schemaUrl = readString(o, 'schemaUrl');
      out[i] = nesting.scopeOf(scope, schemaUrl, readItems(o, nesting, rejections));
    }
  } catch (err) {
    throw atPath(err, `${nesting.scopesKey}[${i}]`);
  }
  return out;
}

function readItems<I, S, R, B>(parent: JsonObject, nesting: JsonNesting<I, S, R, B>, rejections: Rejections): I[] {
  const arr = readArray(parent, nesting.itemsKey);
  const out: I[] = [];
  let i = 0;
  try {
    for (; i < arr.length; i++) {
      const item = nesting.readItem(asElement(arr[i]), rejections);
      if (item !== undefined) out.push(item);
    }
  } catch (err) {
    throw atPath(err, `${nesting.itemsKey}[${i}]`);
  }
  return out;
}
