import type { Attributes } from './attributes.js';

export interface Resource {
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
}

export interface InstrumentationScope {
  readonly name: string;
  readonly version: string;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
}

export const EMPTY_RESOURCE: Resource = Object.freeze({ attributes: Object.freeze([]), droppedAttributesCount: 0 });
export const EMPTY_SCOPE: InstrumentationScope = Object.freeze({
  name: '',
  version: '',
  attributes: Object.freeze([]),
  droppedAttributesCount: 0,
});
