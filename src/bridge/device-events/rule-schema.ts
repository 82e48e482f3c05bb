import { z } from 'zod';

// The rule format shared by the shipped rule files, user rule files and inline rules in the
// config. It is data, so adding a vendor message is editing YAML, not code.

const EVENT_NAME = /^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+$/;

const conditionValue = z
  .union([z.string(), z.array(z.string()).min(1)])
  .describe('An exact value, a list of exact values (any of them), or a regex written /pattern/flags.');

const conditionMap = z.record(z.string().min(1), conditionValue);

const templateList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const extractValue = z.union([
  templateList,
  z.strictObject({
    value: templateList.describe('Template, or templates tried in order until one has all its values.'),
    type: z.enum(['string', 'int']).default('string').describe('Attribute type; an int template that renders a non-integer is skipped.'),
  }),
]);

export const ruleSchema = z.strictObject({
  name: z.string().min(1).describe('Unique rule name; set on matched records as device.event.rule.'),
  event: z.string().regex(EVENT_NAME, 'must be a dotted lower-case event name such as network.interface.down').describe('event.name to set.'),
  vendor: z.string().min(1).optional().describe('device.event.vendor to set; defaults to the file-level vendor.'),
  description: z.string().optional(),
  match: z
    .strictObject({
      attributes: conditionMap.optional().describe('Record attribute conditions.'),
      resource: conditionMap.optional().describe('Resource attribute conditions.'),
      body: z.string().min(1).optional().describe('Regex on the string body; its named groups feed extract templates.'),
    })
    .refine(
      (m) => Object.keys(m.attributes ?? {}).length + Object.keys(m.resource ?? {}).length > 0 || m.body !== undefined,
      'a rule needs at least one condition (attributes, resource or body)',
    ),
  extract: z.record(z.string().min(1), extractValue).default({}).describe('Output attribute -> template(s).'),
});

export const ruleFileSchema = z.strictObject({
  vendor: z.string().min(1).optional().describe('Default device.event.vendor for the rules in this file.'),
  rules: z.array(ruleSchema),
});

export type RuleSpec = z.infer<typeof ruleSchema>;
export type RuleFileSpec = z.infer<typeof ruleFileSchema>;
export type ConditionSpec = z.infer<typeof conditionValue>;
