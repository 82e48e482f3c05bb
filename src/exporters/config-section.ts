import { z } from 'zod';

/**
 * A component's config section, where an absent or empty section (`nop:` in YAML is null) means
 * "all defaults". Required keys then fail with their own message rather than "expected object".
 */
export function configSection<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => value ?? {}, schema);
}
