import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { GateSpecError, parseGateSpec } from '../../gates/gate-spec.js';
import { controlConfigSchema } from '../../control/control-config.js';
import { durationSchema } from '../../config/duration.js';
import { gateTemplatesDirSchema } from '../../control/gate-templates.js';

/** Gate spec files (*.yaml, *.yml) in a directory, sorted by name so start-up order is stable. */
export function gateFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
}

/** Reads one gate file as a document; the spec itself is parsed when the gate opens (its `now` is then). */
export function readGateDocument(path: string): unknown {
  return parseYaml(readFileSync(path, 'utf8'), { uniqueKeys: true });
}

export const gatesExtensionConfigSchema = z
  .strictObject({
    correlator: z.string().min(1).default('correlator').describe('Id of the correlator processor whose evidence the gates judge.'),
    gates_dir: z
      .string()
      .min(1)
      .optional()
      .describe('Directory of gate specs (*.yaml) opened at start-up, e.g. config/gates; each file is checked when the config is validated.')
      .superRefine((dir, ctx) => {
        if (dir === undefined) return;
        let files: string[];
        try {
          files = gateFiles(dir);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: `cannot read directory "${dir}": ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
          return;
        }
        for (const file of files) {
          try {
            parseGateSpec(readGateDocument(file), Date.now());
          } catch (err) {
            const detail = err instanceof GateSpecError ? err.issues.join('; ') : (err as Error).message;
            ctx.addIssue({ code: 'custom', message: `${file}: ${detail}` });
          }
        }
      }),
    templates_dir: gateTemplatesDirSchema,
    storage: z
      .strictObject({
        directory: z
          .string()
          .min(1)
          .describe('Where gates.db (SQLite, WAL mode) is kept; created if missing. One corrgate per directory: a second one is refused at start-up.'),
        synchronous: z
          .enum(['normal', 'full'])
          .default('full')
          .describe('full: every decision is on disk before it is reported, even across a power cut; normal: safe against a crash of corrgate (kill -9), a power cut may lose the last moments.'),
        retention: durationSchema.prefault('168h').describe('Ended gates, with their evaluations and decisions, are deleted this long after they ended.'),
        max_evaluations_per_gate: z.number().int().positive().default(2000).describe('Newest evaluations kept per gate run; the final decision is always kept.'),
      })
      .optional()
      .describe('Durable gates: every gate, evaluation and decision is written here before it is reported, and open gates resume after a restart. Without it gates live in memory only.'),
    control: controlConfigSchema,
    export: z
      .strictObject({
        endpoint: z
          .string()
          .min(1)
          .optional()
          .describe('OTLP/gRPC endpoint for decision spans and logs (host:port or http(s)://host:port); without it the OTEL_EXPORTER_OTLP_* variables apply, and without those export is off.'),
        insecure: z.boolean().optional().describe('Plaintext gRPC to the endpoint.'),
        headers: z.record(z.string(), z.string()).default({}).describe('gRPC metadata sent with every export.'),
        logs: z.boolean().default(true).describe('Also a log record per decision over OTLP logs.'),
      })
      .prefault({})
      .describe('Where decisions go as spans (one trace per gate) and log records; docs/decision-span.md.'),
  })
  .describe('Runs gates: evaluates open gates on their interval against the correlator, decides, and exports the decisions.');

export type GatesExtensionConfig = z.infer<typeof gatesExtensionConfigSchema>;
