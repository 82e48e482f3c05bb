import type { ReceiverFactory } from '../../pipeline/component.js';
import { journaldReceiverConfigSchema } from './config.js';
import type { JournaldReceiverConfig } from './config.js';
import { JournaldReceiver } from './journald-receiver.js';

export const journaldReceiverFactory: ReceiverFactory<JournaldReceiverConfig> = {
  kind: 'receiver',
  type: 'journald',
  signals: ['logs'],
  configSchema: journaldReceiverConfigSchema,
  create: (settings, config, consumers) => new JournaldReceiver(settings, config, consumers),
};
