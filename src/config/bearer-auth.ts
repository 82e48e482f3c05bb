import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const bearerAuthSchema = z
  .strictObject({
    bearer_token: z.string().min(1).describe('Token clients must send as `Authorization: Bearer <token>`. Use ${env:VAR} to keep it out of the file.'),
  })
  .describe('Optional bearer-token authentication for a receiver.');

export type BearerAuthConfig = z.infer<typeof bearerAuthSchema>;

/** Compares in constant time so the token cannot be learned byte by byte from response timing. */
export function bearerTokenMatches(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const m = /^Bearer\s+(.+)$/i.exec(header);
  if (!m) return false;
  const got = Buffer.from(m[1]!.trim());
  const want = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}
