import { z } from 'zod';
import { builtinRuleFiles } from '../../bridge/device-events/builtin-rules.js';
import { loadRuleSet } from '../../bridge/device-events/rule-loader.js';
import type { RuleSources } from '../../bridge/device-events/rule-loader.js';
import { ruleSchema } from '../../bridge/device-events/rule-schema.js';

const baseSchema = z.strictObject({
  builtin_rules: z
    .boolean()
    .default(true)
    .describe('Use the rules shipped in config/device-events/ (Cisco, Juniper, Arista, Huawei, Fortinet, standard SNMP traps); tried after user rules.'),
  rules_files: z
    .array(z.string().min(1))
    .default([])
    .describe('User rule files (YAML, same format as the shipped ones), tried after inline rules and before the shipped ones. Relative paths are from the working directory.'),
  rules: z.array(ruleSchema).default([]).describe('Inline rules, tried first. A rule named like a shipped rule replaces it.'),
});

export type DeviceEventsProcessorConfig = z.infer<typeof baseSchema>;

/** Which rules a config asks for, in priority order. */
export function ruleSourcesOf(config: DeviceEventsProcessorConfig): RuleSources {
  return { inline: config.rules, files: config.rules_files, builtinFiles: config.builtin_rules ? builtinRuleFiles() : [] };
}

// Rule files are read and every rule compiled while the config is validated, so `corrgate
// validate` and start-up report a bad file, regex or template with its path, before anything runs.
export const deviceEventsProcessorConfigSchema = baseSchema
  .superRefine((config, ctx) => {
    for (const issue of loadRuleSet(ruleSourcesOf(config)).issues) ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
  })
  .describe('Recognises device events (interface, BGP and OSPF state, config changes, reboots, failed logins, power and fan failures) in syslog and SNMP trap records and sets event.name and the extracted attributes.');
