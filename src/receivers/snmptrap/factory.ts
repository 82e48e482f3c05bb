import type { ReceiverFactory } from '../../pipeline/component.js';
import { snmptrapReceiverConfigSchema } from './config.js';
import type { SnmptrapReceiverConfig } from './config.js';
import { SnmptrapReceiver } from './snmptrap-receiver.js';

export const snmptrapReceiverFactory: ReceiverFactory<SnmptrapReceiverConfig> = {
  kind: 'receiver',
  type: 'snmptrap',
  signals: ['logs'],
  configSchema: snmptrapReceiverConfigSchema,
  create: (settings, config, consumers) => new SnmptrapReceiver(settings, config, consumers),
};
