import { loadRuleSet } from '../../bridge/device-events/rule-loader.js';
import { ConfigError } from '../../config/config-error.js';
import type { PerPipelineProcessorFactory } from '../../pipeline/component.js';
import { deviceEventsProcessorConfigSchema, ruleSourcesOf } from './config.js';
import type { DeviceEventsProcessorConfig } from './config.js';
import { DeviceEventsProcessor } from './device-events-processor.js';

/** The `device_events` processor: rules as data that recognise network device events in logs. */
export const deviceEventsProcessorFactory: PerPipelineProcessorFactory<DeviceEventsProcessorConfig> = {
  kind: 'processor',
  type: 'device_events',
  signals: ['logs'],
  configSchema: deviceEventsProcessorConfigSchema,
  create(settings, config, next) {
    // The files were checked when the config was validated, but they are read again here and may
    // have changed since; a problem now still fails start-up with the same precise messages.
    const { ruleSet, issues } = loadRuleSet(ruleSourcesOf(config));
    if (!ruleSet) throw new ConfigError(settings.id, issues.map((i) => `${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1)}: ${i.message}`));
    settings.logger.info({ rules: ruleSet.size }, 'device event rules loaded');
    return new DeviceEventsProcessor(settings, ruleSet, next);
  },
};
